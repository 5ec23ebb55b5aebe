"""Case documents a completed task produces (`<camunda:property name="document" value="kind[,kind]"/>`)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.clock import Clock
from engine.documents import issued_for
from engine.store.models import Case, CaseDuty, User


def case_officers(session: Session, case: Case, data: dict, on) -> list[dict]:
    """The officers who handle the case, with the certificate valid on that day (执法证号)."""
    if data.get("officers"):
        return list(data["officers"])
    officers = []
    for duty in session.query(CaseDuty).filter_by(case_id=case.id, duty="handle").order_by(CaseDuty.id):
        user = session.get_one(User, duty.user_id)
        certificate = user.valid_certificate(on) if user else None
        officers.append({"id": user.id, "name": user.display_name,
                         "certificate_number": certificate.number if certificate else ""})
    return officers


def issue_task_documents(session: Session, *, kinds: str | None, case: Case, data: dict, actor: Actor, clock: Clock,
                         instance_id: int, task_id: str) -> list:
    if data.get("party_address") and not case.party_address:  # not taken at registration, supplied on a form since
        case.party_address = data["party_address"]
    if not kinds:
        return []
    from engine.clock import CHINA_TZ
    from engine.services.documents import issue_document

    officers = case_officers(session, case, data, clock.now().astimezone(CHINA_TZ).date())
    return [issue_document(session, case=case, kind=kind, data=data, officers=officers, actor=actor,
                           clock=clock, instance_id=instance_id, task_id=task_id)
            for kind in (item.strip() for item in kinds.split(",")) if kind and issued_for(kind, data)]
