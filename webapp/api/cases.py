from __future__ import annotations

from engine.clock import CHINA_TZ
from engine.errors import NotFound, ValidationFailed
from engine.services import cases as case_services
from engine.services import deadlines as deadline_services
from engine.services import instances as instance_services
from engine.services.views import get_case_view, timeline
from engine.store.models import ProcessInstance

from ..auth import current_actor
from ..context import engine_context
from . import api_blueprint, ok, operation
from .schemas import AnyObject, Case, ExtendDeadlineBody, ReasonBody, RegisterCaseBody, Timeline

PARTY_FIELDS = {"name": "party_name", "kind": "party_kind", "id_number": "party_id_number",
                "address": "party_address"}


@api_blueprint.post("/cases")
@operation("登记案源（立案前的线索）", body=RegisterCaseBody, response=Case, status=201)
def register_case(body: dict):
    party = body["party"]
    flat = {key: value for key, value in body.items() if key != "party"}
    flat.update({flat_name: party.get(name) for name, flat_name in PARTY_FIELDS.items() if name in party})
    ctx = engine_context()
    try:
        registered = case_services.register_lead(data=flat, actor=current_actor(), **ctx.deps(runner=True))
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, fields=_nest_party(exc.fields or {})) from exc
    return ok({**_case_json(registered.case_id), "warnings": list(registered.warnings)}, 201)


@api_blueprint.get("/cases/<int:case_id>")
@operation("案件详情：当事人、流程实例、待办、期限、材料、文书、应缴金额", response=Case)
def get_case(case_id: int):
    return ok(_case_json(case_id))


@api_blueprint.get("/cases/<int:case_id>/timeline")
@operation("全过程记录", response=Timeline)
def get_timeline(case_id: int):
    ctx = engine_context()
    with ctx.uow() as uow:
        get_case_view(uow.session, case_id, current_actor())
        return ok({"records": timeline(uow.session, case_id)})


@api_blueprint.post("/cases/<int:case_id>/messages/<name>")
@operation("向案件的流程送达消息（如 payment_deferral_applied）", body=AnyObject, response=Case,
           errors=(401, 403, 404, 409, 422))
def deliver_message(case_id: int, name: str, body: dict):
    ctx = engine_context()
    instance_services.deliver_message(case_id=case_id, name=name, payload=body, actor=current_actor(),
                                      **ctx.deps(runner=True))
    return ok(_case_json(case_id))


@api_blueprint.post("/cases/<int:case_id>/deadlines/<key>/extend")
@operation("延长案件的期限（负责人批准）", body=ExtendDeadlineBody, response=AnyObject,
           errors=(401, 403, 404, 409, 422))
def extend_deadline(case_id: int, key: str, body: dict):
    ctx = engine_context()
    deadline = deadline_services.extend_case_deadline(
        case_id=case_id, key=key, period=body["period"], reason=body["reason"], actor=current_actor(),
        collective_discussion=body.get("collective_discussion"), **ctx.deps(runner=True))
    return ok(deadline)


@api_blueprint.post("/instances/<int:instance_id>/<action>")
@operation("挂起（suspend）、恢复（resume）或撤销（cancel）流程实例", body=ReasonBody, response=Case,
           errors=(401, 403, 404, 409, 422))
def instance_action(instance_id: int, action: str, body: dict):
    services = {"suspend": instance_services.suspend_instance, "resume": instance_services.resume_instance,
                "cancel": instance_services.cancel_instance}
    if action not in services:
        raise NotFound("不支持的操作。", fields={"action": ["应为 suspend、resume 或 cancel。"]})
    ctx = engine_context()
    services[action](instance_id=instance_id, reason=body["reason"], actor=current_actor(),
                     **ctx.deps(runner=action != "cancel"))
    with ctx.uow() as uow:
        instance = uow.session.get(ProcessInstance, instance_id)
        return ok(get_case_view(uow.session, instance.case_id, current_actor(), today=_today(ctx)))


def _case_json(case_id: int) -> dict:
    ctx = engine_context()
    with ctx.uow() as uow:
        return get_case_view(uow.session, case_id, current_actor(), today=_today(ctx))


def _today(ctx):
    return ctx.clock.now().astimezone(CHINA_TZ).date()


def _nest_party(fields: dict) -> dict:
    reverse = {flat: f"party.{name}" for name, flat in PARTY_FIELDS.items()}
    return {reverse.get(name, name): messages for name, messages in fields.items()}
