"""SQLAlchemy 2.0 models. One row per process instance; human tasks mirrored for indexed task lists."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, MetaData, Numeric, String, Table, Text,
    UniqueConstraint, event, text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .types import JSONText, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Agency(Base):
    """An enforcement body: a township team (乡镇综合行政执法队) or a county department."""

    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    case_prefix: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16), default="township")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))  # the county department above, if any
    # what its documents must print (行政处罚法第五十二条、第五十九条): set by an admin, never guessed
    reconsideration_body: Mapped[str | None] = mapped_column(String(200))  # 复议机关
    litigation_court: Mapped[str | None] = mapped_column(String(200))  # 管辖行政诉讼的人民法院
    payment_bank: Mapped[str | None] = mapped_column(String(200))  # 收款银行
    payment_account_name: Mapped[str | None] = mapped_column(String(200))  # 户名
    payment_account_number: Mapped[str | None] = mapped_column(String(64))  # 账号
    address: Mapped[str | None] = mapped_column(String(300))
    telephone: Mapped[str | None] = mapped_column(String(64))
    seal_text: Mapped[str | None] = mapped_column(String(200))  # 印章文字


user_role = Table(
    "user_role", Base.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("role.id"), primary_key=True),
)


class Role(Base):
    __tablename__ = "role"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(64))


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship(lazy="joined")
    roles: Mapped[list[Role]] = relationship(secondary=user_role, lazy="selectin")
    certificates: Mapped[list["Certificate"]] = relationship(
        back_populates="user", lazy="selectin", order_by="Certificate.valid_until")

    @property
    def role_ids(self) -> set[str]:
        return {role.id for role in self.roles}

    def valid_certificate(self, on: date) -> "Certificate | None":
        return next((c for c in self.certificates if c.valid_until >= on), None)


class Certificate(Base):
    """行政执法证: without a valid one an officer may not investigate or inspect (APL Arts. 42, 55)."""

    __tablename__ = "certificate"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    valid_until: Mapped[date] = mapped_column(Date)
    user: Mapped[User] = relationship(back_populates="certificates")


class ApiToken(Base):
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship(lazy="joined")


class LoginSession(Base):
    """A signed-in browser: its cookie holds a random key, the server keeps its digest. Logging out, a password
    reset, deactivation or a change of roles or agency ends it, so a copied cookie stops working."""

    __tablename__ = "login_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship(lazy="joined")


class ProcessDefinition(Base):
    """One version of one BPMN process: the XML as deployed and its parsed spec, stored once per version."""

    __tablename__ = "process_definition"
    __table_args__ = (
        UniqueConstraint("process_id", "version"),
        UniqueConstraint("process_id", "content_hash"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(255))
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    comment: Mapped[str | None] = mapped_column(Text)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseNumberCounter(Base):
    __tablename__ = "case_number_counter"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    """An enforcement case from the first lead (线索) to archiving."""

    __tablename__ = "enforcement_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    # the legal basis (处罚依据) last entered on a task of the case, so the case list searches it without the record
    legal_basis: Mapped[str | None] = mapped_column(Text)
    party_name: Mapped[str] = mapped_column(String(200), index=True)
    party_kind: Mapped[str] = mapped_column(String(16))
    party_id_number: Mapped[str | None] = mapped_column(String(32))
    party_address: Mapped[str | None] = mapped_column(String(300))  # 住所（住址）
    location: Mapped[str | None] = mapped_column(String(300))
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stage: Mapped[str] = mapped_column(String(32), default="lead")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship(lazy="joined")
    instances: Mapped[list["ProcessInstance"]] = relationship(back_populates="case", order_by="ProcessInstance.id")


INSTANCE_STATUSES = ("running", "waiting", "suspended", "error", "completed", "cancelled")


class ProcessInstance(Base):
    """A BPMN process run for a case. `version` is an optimistic lock: a stale writer gets a conflict."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_due", "status", "next_due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    state_json: Mapped[str] = mapped_column(Text)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    status_before_suspend: Mapped[str | None] = mapped_column(String(16))
    error_element: Mapped[str | None] = mapped_column(String(200))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_detail: Mapped[str | None] = mapped_column(Text)
    error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="instances")
    definition: Mapped[ProcessDefinition] = relationship(lazy="select")

    __mapper_args__ = {"version_id_col": version}


UNCLAIMED_TASK = "status = 'open' AND assignee_id IS NULL"
OPEN_CLOCK = "status IN ('running', 'overdue')"


class HumanTask(Base):
    """Mirror of a READY user task, so a task list is one indexed query and never a deserialization.

    `id` is our own identifier (what the API and pages use); `spiff_task_id` is the engine's task within the
    instance, unique only per instance.
    """

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_queue", "status", "candidate_role", "agency_id", "due_at"),
        Index("ix_human_task_assignee", "status", "assignee_id", "due_at"),
        Index("ix_human_task_instance", "instance_id", "status"),
        Index("ix_human_task_agency", "status", "agency_id", "due_at"),  # a head's view of the whole agency
        # the dashboard's "unclaimed for N days", oldest first: a walk of this index, not a sort of every open task
        Index("ix_human_task_unclaimed", "created_at", "id", postgresql_where=text(UNCLAIMED_TASK),
              sqlite_where=text(UNCLAIMED_TASK)),
        # a role's queue in the inbox's order, walked only as far as a page (or a capped count) reaches
        Index("ix_human_task_open_queue", "agency_id", "candidate_role", "due_at", "created_at", "id",
              postgresql_include=["due_party_side"], postgresql_where=text(UNCLAIMED_TASK),
              sqlite_where=text(UNCLAIMED_TASK)),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(100))
    candidate_role: Mapped[str] = mapped_column(String(32))
    form_key: Mapped[str] = mapped_column(String(100))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_unit: Mapped[str | None] = mapped_column(String(16))  # the unit of the clock due_at comes from
    # due by a party's window (payment, statement…): past it the party's time has lapsed, no failure of the agency
    due_party_side: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    case: Mapped[Case] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")


class AuditRecord(Base):
    """Append-only full-process record (全过程记录): who did what, when, to which case and task, with what data."""

    __tablename__ = "audit_record"
    __table_args__ = (Index("ix_audit_record_case", "case_id", "id"), Index("ix_audit_record_action", "action", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_case.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    task_title: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSONText)
    # tamper evidence (engine.audit): each record's SHA-256 covers its content and the previous record's hash
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AppendOnlyViolation(RuntimeError):
    pass


@event.listens_for(AuditRecord, "before_update")
@event.listens_for(AuditRecord, "before_delete")
def _refuse_audit_rewrite(mapper, connection, target):  # pragma: no cover - guard
    raise AppendOnlyViolation("audit records are append-only")


class CalendarYear(Base):
    """A year of the admin's holiday table; `confirmed` once the State Council schedule is entered in full."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class CalendarDay(Base):
    """One holiday (is_workday False) or make-up working day (True) entered or corrected by an admin."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeadlineSetting(Base):
    """An agency's own period for a configurable catalog entry (the unconfirmed "U" rows)."""

    __tablename__ = "deadline_setting"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


DEADLINE_STATUSES = ("running", "paused", "met", "overdue", "lapsed", "cancelled")


class CaseDeadline(Base):
    """A statutory clock running on a case: when it started, when it is due and why, and what moved it."""

    __tablename__ = "case_deadline"
    __table_args__ = (
        Index("ix_case_deadline_case", "case_id", "key"),
        Index("ix_case_deadline_due", "status", "due_at"),
        # the dashboard's overdue clocks, earliest first (two statuses: the index above cannot give that order)
        Index("ix_case_deadline_open_due", "due_at", "id", postgresql_where=text(OPEN_CLOCK),
              sqlite_where=text(OPEN_CLOCK)),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    period: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))
    party_side: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_basis: Mapped[str] = mapped_column(Text)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    strict_due_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_version: Mapped[str] = mapped_column(String(120))
    explanation: Mapped[str] = mapped_column(Text)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    tolled: Mapped[list] = mapped_column(JSONText, default=list)
    extensions: Mapped[list] = mapped_column(JSONText, default=list)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DocumentNumberCounter(Base):
    """Per agency, document-number word (罚决字, 立审字 …) and year: the last number given out."""

    __tablename__ = "document_number_counter"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    kind_word: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class CaseDocument(Base):
    """An issued enforcement document (执法文书): the exact HTML as rendered, and its SHA-256 to show tampering."""

    __tablename__ = "case_document"
    __table_args__ = (Index("ix_case_document_case", "case_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(100), unique=True)
    html: Mapped[str] = mapped_column(Text, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_by_name: Mapped[str] = mapped_column(String(100))


class CaseDuty(Base):
    """Who handles (承办), reviews (法制审核) and decides (决定) a case: three duties, three different people."""

    __tablename__ = "case_duty"
    __table_args__ = (UniqueConstraint("case_id", "user_id", "duty"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    duty: Mapped[str] = mapped_column(String(16))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Publication(Base):
    """A penalty decision on the public disclosure page (行政执法公示), with a natural person's data masked."""

    __tablename__ = "publication"
    __table_args__ = (Index("ix_publication_listing", "withdrawn_at", "published_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    case_number: Mapped[str] = mapped_column(String(64))
    party_name: Mapped[str] = mapped_column(String(200))
    party_id_number: Mapped[str | None] = mapped_column(String(32))
    penalty_kind: Mapped[str | None] = mapped_column(String(32))
    fine_amount: Mapped[float | None] = mapped_column(Numeric(14, 2))
    decision_summary: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    decision_date: Mapped[str | None] = mapped_column(String(10))
    published_on: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdraw_reason: Mapped[str | None] = mapped_column(Text)


class Attachment(Base):
    """An evidence file (photo, audio/video, PDF) of a case, kept by its SHA-256 (证据材料, 全过程记录)."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_case", "case_id", "uploaded_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploaded_by_name: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaskDraft(Base):
    """A task form saved half-filled by one person, to come back to; removed when the task is completed."""

    __tablename__ = "task_draft"
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict] = mapped_column(JSONText, default=dict)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- admin and supervision console (issue 7) ----------------------------------------------------------------------

Index("ix_enforcement_case_progress", Case.status, Case.updated_at)  # "no progress for N days" on the dashboard
Index("ix_enforcement_case_stage", Case.status, Case.agency_id, Case.stage)  # open cases by stage, counted

# -- the case list (案件台账, issue 13): newest registration first, per agency or across all; a case by its officer
Index("ix_enforcement_case_agency_created", Case.agency_id, Case.created_at)
Index("ix_enforcement_case_created", Case.created_at)
Index("ix_human_task_officer_assignee", HumanTask.assignee_id, HumanTask.case_id)
Index("ix_human_task_officer_completed", HumanTask.completed_by_id, HumanTask.case_id)
Index("ix_case_duty_user", CaseDuty.user_id, CaseDuty.case_id)


class AuditChain(Base):
    """The head of the audit hash chain: one row, locked by every commit that appends records (engine.audit), so
    concurrent transactions append to one chain, in id order."""

    __tablename__ = "audit_chain"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int | None] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkerHeartbeat(Base):
    """What each scheduler process last did: written once per tick, read by the dashboard, /metrics and /healthz."""

    __tablename__ = "worker_heartbeat"
    worker: Mapped[str] = mapped_column(String(100), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_tick_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    tick_ms: Mapped[int] = mapped_column(Integer, default=0)
    lag_ms: Mapped[int] = mapped_column(BigInteger, default=0)  # how overdue the oldest due timer was at the tick
    timers_fired: Mapped[int] = mapped_column(Integer, default=0)  # in the last tick
    ticks: Mapped[int] = mapped_column(BigInteger, default=0)
    total_fired: Mapped[int] = mapped_column(BigInteger, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


BULK_ACTIONS = ("retry", "suspend", "resume", "reassign")


class BulkOperation(Base):
    """An admin's action on many instances or tasks, worked through item by item by the scheduler ticks."""

    __tablename__ = "bulk_operation"
    __table_args__ = (Index("ix_bulk_operation_pending", "status", "claim_expires_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    params: Mapped[dict] = mapped_column(JSONText, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, done, cancelled
    total: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BulkOperationItem(Base):
    __tablename__ = "bulk_operation_item"
    __table_args__ = (Index("ix_bulk_operation_item_progress", "operation_id", "status", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("bulk_operation.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(64))  # an instance id, or a task id for reassign
    label: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, running, ok, failed, skipped
    message: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaseReview(Base):
    """案卷评查: a supervisor's scored checklist of a closed case file (one per case; a re-review replaces it and
    the audit trail keeps the earlier one)."""

    __tablename__ = "case_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reviewer_name: Mapped[str] = mapped_column(String(100))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    items: Mapped[dict] = mapped_column(JSONText, default=dict)
    score: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")


# -- process designer: drafts, and migration of running instances to a new version -------------------------

class ProcessDraft(Base):
    """A process being edited in the designer. Saved as often as the designer likes, valid or not; deployed as
    a new version once it passes validation. One draft per process; `lock_version` makes a designer saving over
    a colleague's newer save get a conflict instead of silently losing that work."""

    __tablename__ = "process_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    source_name: Mapped[str] = mapped_column(String(255))
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    base_version: Mapped[int | None] = mapped_column(Integer)  # the deployed version it was opened from
    problems: Mapped[list | None] = mapped_column(JSONText)  # as of the last save
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": lock_version}


class MigrationJob(Base):
    """Moving running instances of a process to a newer version, on the job queue the scheduler ticks work (a
    lease like a bulk operation's): one item per instance, each migrated in its own transaction; the counts are
    what the designer's page polls."""

    __tablename__ = "migration_job"
    __table_args__ = (Index("ix_migration_job_pending", "status", "claim_expires_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    target_definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    status: Mapped[str] = mapped_column(String(16))  # queued, running, done, interrupted
    total: Mapped[int] = mapped_column(Integer, default=0)
    migrated: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MigrationJobItem(Base):
    __tablename__ = "migration_job_item"
    __table_args__ = (Index("ix_migration_job_item_progress", "job_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("migration_job.id", ondelete="CASCADE"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    from_definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, migrated, skipped, failed
    message: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
