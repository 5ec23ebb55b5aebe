"""The API's request and response bodies as marshmallow schemas: the request schemas validate (see
validation.operation), and all of them are published in /api/v1/openapi.json.

A request schema checks the shape (types, lengths, ranges the database can hold); the rules of the law stay in
the engine and forms/ (an identity number's check digit, a date against the case's chronology), whose refusals
come back in the same error shape."""
from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

from engine.services import monitoring
from forms.intake import LEAD_SOURCES, PARTY_KINDS

from ..case_list import CaseQuerySchema
from ..schema_fields import MESSAGES, integer, query_integer, text
from .validation import PATH_TEXT_LIMIT

def nullable_text() -> fields.String:
    return fields.String(allow_none=True)


def objects() -> fields.List:
    return fields.List(fields.Dict())


class AnyObject(Schema):
    """A JSON object with any members: a task's form data (checked by the task's form) or a message's payload."""

    class Meta:
        unknown = INCLUDE


# -- requests ---------------------------------------------------------------------------------------------------

class PartyBody(Schema):
    name = text(200, required=True, metadata={"example": "周某某"})
    kind = text(16, required=True, choices=[code for code, _ in PARTY_KINDS], metadata={"example": "person"})
    id_number = text(32, allow_none=True, metadata={"example": "330102198503150010",
                                                    "description": "居民身份证号码或统一社会信用代码（校验位）"})
    address = text(300, allow_none=True, metadata={"example": "人民路 90 号"})


class RegisterCaseBody(Schema):
    source = text(32, required=True, choices=[code for code, _ in LEAD_SOURCES], metadata={"example": "patrol"})
    summary = text(2000, required=True, metadata={"example": "巡查发现占道经营"})
    location = text(300, allow_none=True, metadata={"example": "人民路 88 号"})
    discovered_at = text(40, required=True, metadata={"description": "ISO 8601 时刻，带时区；不得晚于现在",
                                                      "example": "2026-03-01T10:00:00+08:00"})
    party = fields.Nested(PartyBody, required=True,
                          error_messages={**MESSAGES, "required": "应为包含 name、kind、id_number 的对象。",
                                          "type": "应为包含 name、kind、id_number 的对象。"})


class ReasonBody(Schema):
    reason = text(1000, load_default="", metadata={"example": "当事人申请，待补充材料"})


class ExtendDeadlineBody(Schema):
    """The shape only: how far and how often each clock may be extended is the catalog's (engine/deadlines)."""
    period = integer(1, 3650, required=True, metadata={"description": "延长的期间（按该期限的计算单位）", "example": 15})
    reason = text(10_000, required=True, metadata={"example": "需检测鉴定"})
    collective_discussion = text(10_000, allow_none=True,
                                 metadata={"description": "负责人集体讨论记录（再次延长作出决定的期限时必填）"})


class TaskListQuery(Schema):
    limit = query_integer(1, 1000, load_default=100)
    offset = query_integer(0, load_default=0)


CaseListQuery = CaseQuerySchema  # the page's own reading of the filters


class AdminCasesQuery(Schema):
    state = text(16, required=True, choices=list(monitoring.TROUBLE_STATES))
    kind = text(32, choices=list(monitoring.STUCK_KINDS))
    limit = query_integer(0, 200, load_default=50)
    offset = query_integer(0, load_default=0)
    agency = query_integer(1)
    stuck_days = query_integer(1, 3650)
    unclaimed_days = query_integer(0, 3650)


class DiffQuery(Schema):
    from_ = query_integer(1, data_key="from", required=True)
    to = query_integer(1, required=True)


class DraftBody(Schema):
    process_id = text(PATH_TEXT_LIMIT, required=True, min_length=1, metadata={"example": "penalty_summary"})
    name = text(200, metadata={"example": "简易程序"})
    new = fields.Boolean(load_default=False, metadata={"description": "true：新建流程；否则打开已部署的版本"})
    version = integer(1, allow_none=True)


class DraftXmlBody(Schema):
    xml = text(5_000_000, required=True)
    lock_version = integer(0, allow_none=True)


class DraftDeployBody(Schema):
    xml = text(5_000_000, allow_none=True)
    lock_version = integer(0, allow_none=True)
    comment = text(500, allow_none=True)


class DryRunBody(Schema):
    target_version = integer(1, allow_none=True)


class MigrationJobBody(Schema):
    process_id = text(PATH_TEXT_LIMIT, required=True, metadata={"example": "penalty_summary"})
    target_version = integer(1, allow_none=True)
    instance_ids = fields.List(integer(1), allow_none=True, error_messages={**MESSAGES, "invalid": "应为整数列表。"})


# -- responses --------------------------------------------------------------------------------------------------

class Reply(Schema):
    """An answer: the members listed are promised, and more may come (clients ignore what they do not know)."""

    class Meta:
        unknown = INCLUDE


class ErrorDetail(Reply):
    code = fields.String(required=True)
    message = fields.String(required=True)
    field_errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), data_key="fields",
                               metadata={"description": "字段名（嵌套用点号，如 party.id_number）→ 错误提示"})
    problems = objects()
    element_id = nullable_text()
    detail = fields.String()


class Error(Reply):
    error = fields.Nested(ErrorDetail, required=True)


class Task(Reply):
    id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    case_number = nullable_text()
    party_name = nullable_text()
    stage = nullable_text()
    name = fields.String()
    title = nullable_text()
    form_key = nullable_text()
    candidate_role = nullable_text()
    assignee = nullable_text()
    assignee_name = nullable_text()
    status = fields.String()
    created_at = nullable_text()
    due_at = nullable_text()
    due_text = nullable_text()


class TaskList(Reply):
    tasks = fields.List(fields.Nested(Task), required=True)


class Step(Reply):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    status = fields.String(required=True)
    stage = nullable_text()
    tasks = fields.List(fields.Nested(Task), required=True)


class Party(Reply):
    name = nullable_text()
    kind = nullable_text()
    id_number = nullable_text()
    address = nullable_text()


class Instance(Reply):
    id = fields.Integer(required=True)
    process_id = fields.String()
    process_name = nullable_text()
    version = fields.Integer()
    status = fields.String()
    next_due_at = nullable_text()
    started_at = nullable_text()
    error = fields.Dict(allow_none=True)
    cancel_reason = nullable_text()


class Case(Step):
    source = nullable_text()
    summary = nullable_text()
    party = fields.Nested(Party)
    location = nullable_text()
    discovered_at = nullable_text()
    agency = fields.Dict()
    created_at = nullable_text()
    updated_at = nullable_text()
    instances = fields.List(fields.Nested(Instance))
    deadlines = objects()
    attachments = objects()
    documents = objects()
    amount_due = fields.Dict(allow_none=True, metadata={"description": "罚款应缴金额（无罚款时为 null）"})
    warnings = fields.List(fields.String(), metadata={"description": "登记时的提示（仅登记时返回）"})


class Stage(Reply):
    code = nullable_text()
    title = nullable_text()


class CaseListItem(Reply):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    party_name = nullable_text()
    agency = nullable_text()
    status = fields.String()
    stage = fields.Nested(Stage)
    registered_at = nullable_text()
    discovered_at = nullable_text()
    next_due_at = nullable_text()
    overdue = fields.Boolean()
    officers = fields.List(fields.String())


class CaseList(Reply):
    cases = fields.List(fields.Nested(CaseListItem), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer()
    offset = fields.Integer()


class FormSummary(Reply):
    key = fields.String(required=True)
    title = fields.String()
    description = nullable_text()


class FormList(Reply):
    forms = fields.List(fields.Nested(FormSummary), required=True)


class TroubledCases(Reply):
    state = fields.String(required=True)
    now = fields.String()
    limit = fields.Integer()
    offset = fields.Integer()
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    thresholds = fields.Dict()
    items = objects()


class DefinitionVersion(Reply):
    id = fields.Integer(required=True)
    process_id = fields.String(required=True)
    version = fields.Integer(required=True)
    name = nullable_text()
    created = fields.Boolean()


def listing(name: str, member: str) -> type[Schema]:
    """An answer holding one list of objects: {"records": [...]}."""
    return Reply.from_dict({member: objects()}, name=name)


Timeline = listing("Timeline", "records")
Documents = listing("Documents", "documents")
DeadlineCatalog = listing("DeadlineCatalog", "deadlines")
ProcessList = listing("ProcessList", "processes")
Problems = listing("Problems", "problems")


class Draft(Reply):
    id = fields.Integer(required=True)
    process_id = fields.String(required=True)
    name = nullable_text()
    source_name = nullable_text()
    bpmn_xml = fields.String(required=True)
    base_version = fields.Integer(allow_none=True)
    latest_version = fields.Integer(allow_none=True)
    lock_version = fields.Integer(required=True, metadata={"description": "保存、部署时带回，防止覆盖他人的修改"})
    problems = objects()
    updated_at = nullable_text()
    updated_by = nullable_text()


class DraftSaved(Reply):
    lock_version = fields.Integer(required=True)
    problems = objects()
    updated_at = nullable_text()


class MigrationItem(Reply):
    instance_id = fields.Integer(required=True)
    case_id = fields.Integer(allow_none=True)
    case_number = nullable_text()
    status = fields.String()
    message = nullable_text()


class MigrationJob(Reply):
    id = fields.Integer(required=True)
    process_id = fields.String(required=True)
    target_version = fields.Integer(allow_none=True)
    status = fields.String(required=True)
    total = fields.Integer()
    done = fields.Integer()
    migrated = fields.Integer()
    skipped = fields.Integer()
    failed = fields.Integer()
    requested_by = nullable_text()
    created_at = nullable_text()
    finished_at = nullable_text()
    items = fields.List(fields.Nested(MigrationItem))


class Discarded(Reply):
    discarded = fields.Integer(required=True)
