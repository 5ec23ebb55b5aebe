"""An agency's document settings (文书设置): what its documents must print about it — the reconsideration body
and the court for remedies, the bank account fines are paid into, its address, telephone and seal text.

Only admins change them, each change audited with what it was before; documents that need a setting the agency
has not got are refused (engine.documents.requirements), never printed with a blank.
"""
from __future__ import annotations

from typing import cast

from sqlalchemy import String

from engine import audit
from engine.actors import Actor
from engine.clock import Clock
from engine.errors import NotAuthorized, NotFound, ValidationFailed
from engine.store.database import UnitOfWork
from engine.store.models import Agency

# Agency column → its name on the admin page and in a refusal; the column's length bounds the input
DOCUMENT_SETTINGS = {
    "reconsideration_body": "复议机关", "litigation_court": "管辖行政诉讼的人民法院", "payment_bank": "罚款收款银行",
    "payment_account_name": "收款账户户名", "payment_account_number": "收款账号", "address": "机关地址",
    "telephone": "联系电话", "seal_text": "印章文字",
}


def document_settings(agency: Agency) -> dict:
    return {name: getattr(agency, name) for name in DOCUMENT_SETTINGS}


def save_document_settings(*, agency_id: int, settings: dict, actor: Actor, uow: UnitOfWork, clock: Clock) -> None:
    """Set the agency's document settings to `settings` (a blank value clears one). Admins only; audited."""
    if not actor.has_role("admin"):
        raise NotAuthorized("只有系统管理员可以设置机关的文书信息。")
    cleaned, errors = {}, {}
    for name, label in DOCUMENT_SETTINGS.items():
        value = str(settings.get(name) or "").strip()
        limit = cast(String, Agency.__table__.c[name].type).length
        if limit is not None and len(value) > limit:
            errors[name] = [f"{label}不能超过 {limit} 个字。"]
        cleaned[name] = value or None
    if errors:
        raise ValidationFailed("机关文书信息有误。", fields=errors)
    with uow:
        session = uow.session
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise NotFound("机关不存在。")
        before = document_settings(agency)
        changed = [name for name in DOCUMENT_SETTINGS if before[name] != cleaned[name]]
        if not changed:
            return
        for name in changed:
            setattr(agency, name, cleaned[name])
        audit.record(session, clock=clock, actor=actor, action="agency_document_settings_updated",
                     summary=f"修改机关 {agency.name} 的文书信息：{'、'.join(DOCUMENT_SETTINGS[n] for n in changed)}",
                     data={"agency_id": agency.id, "before": {n: before[n] for n in changed},
                           "after": {n: cleaned[n] for n in changed}})
        uow.commit()
