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
from . import api_blueprint, json_body, ok

PARTY_FIELDS = {"name": "party_name", "kind": "party_kind", "id_number": "party_id_number",
                "address": "party_address"}


@api_blueprint.post("/cases")
def register_case():
    body = json_body()
    party = body.get("party")
    if not isinstance(party, dict):
        raise ValidationFailed("请填写当事人信息。", fields={"party": ["应为包含 name、kind、id_number 的对象。"]})
    flat = {key: value for key, value in body.items() if key != "party"}
    flat.update({flat_name: party.get(name) for name, flat_name in PARTY_FIELDS.items() if name in party})
    ctx = engine_context()
    try:
        registered = case_services.register_lead(data=flat, actor=current_actor(), **ctx.deps(runner=True))
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, fields=_nest_party(exc.fields or {})) from exc
    return ok({**_case_json(registered.case_id), "warnings": list(registered.warnings)}, 201)


@api_blueprint.get("/cases/<int:case_id>")
def get_case(case_id: int):
    return ok(_case_json(case_id))


@api_blueprint.get("/cases/<int:case_id>/timeline")
def get_timeline(case_id: int):
    ctx = engine_context()
    with ctx.uow() as uow:
        get_case_view(uow.session, case_id, current_actor())
        return ok({"records": timeline(uow.session, case_id)})


@api_blueprint.post("/cases/<int:case_id>/messages/<name>")
def deliver_message(case_id: int, name: str):
    payload = json_body()
    ctx = engine_context()
    instance_services.deliver_message(case_id=case_id, name=name, payload=payload, actor=current_actor(),
                                      **ctx.deps(runner=True))
    return ok(_case_json(case_id))


@api_blueprint.post("/cases/<int:case_id>/deadlines/<key>/extend")
def extend_deadline(case_id: int, key: str):
    body = json_body()
    ctx = engine_context()
    period = body.get("period")
    deadline = deadline_services.extend_case_deadline(
        case_id=case_id, key=key, period=period if isinstance(period, int) else -1, reason=body.get("reason", ""),
        actor=current_actor(), **ctx.deps(runner=True))
    return ok(deadline)


@api_blueprint.post("/instances/<int:instance_id>/<action>")
def instance_action(instance_id: int, action: str):
    services = {"suspend": instance_services.suspend_instance, "resume": instance_services.resume_instance,
                "cancel": instance_services.cancel_instance}
    if action not in services:
        raise NotFound("不支持的操作。")
    body = json_body()
    ctx = engine_context()
    services[action](instance_id=instance_id, reason=body.get("reason", ""), actor=current_actor(),
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
