"""The case list's query string, read the same way by the page, its Excel export and the API; and the workbook."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from marshmallow import Schema, ValidationError, validates_schema
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from engine.clock import CHINA_TZ
from engine.errors import ValidationFailed
from engine.services.case_list import CASE_STATUSES, MAX_PAGE_SIZE, CaseFilters, CaseRow

from .filters import STAGE_TITLES
from .schema_fields import day, query_integer, text

STATUS_TITLES = {"open": "办理中", "closed": "已结案", "cancelled": "已撤销"}
FILTER_ARGS = ("q", "matter", "status", "stage", "officer", "from", "to", "overdue")
TEXT_LIMIT = 100
DEFAULT_LIMIT = 50
TRUE_VALUES = ("1", "true", "yes", "on")
FALSE_VALUES = ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class CaseQuery:
    filters: CaseFilters
    limit: int
    offset: int
    args: dict  # the filters as given, cleaned, for links (paging, export) that carry them


class CaseQuerySchema(Schema):
    """The filters and paging of the case list (案件台账), as the page, its Excel export and the API read them."""
    q = text(TEXT_LIMIT, search=True, metadata={"description": "案件编号、当事人名称或证件号码"})
    matter = text(TEXT_LIMIT, search=True, metadata={"description": "案情摘要或法律依据"})
    status = text(16, choices=list(CASE_STATUSES))
    stage = text(TEXT_LIMIT, search=True)  # any code a process sets (`case_stage`), not only the known titles
    officer = text(TEXT_LIMIT, search=True, metadata={"description": "人员编号、用户名或姓名"})
    from_ = day(data_key="from", metadata={"description": "登记日期起（北京时间，含当日）"})
    to = day(metadata={"description": "登记日期止（含当日）"})
    overdue = text(5, choices=[value for value in TRUE_VALUES + FALSE_VALUES if value])
    limit = query_integer(1, MAX_PAGE_SIZE)
    offset = query_integer(0)

    @validates_schema
    def days_in_order(self, data: dict, **kwargs) -> None:
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("结束日期不能早于开始日期。", "to")


def parse_case_query(args, *, default_limit: int = DEFAULT_LIMIT) -> CaseQuery:
    """The filters and paging of a request, or ValidationFailed naming each bad parameter."""
    given = {name: (args.get(name) or "").strip() for name in (*FILTER_ARGS, "limit", "offset")}
    given["overdue"] = given["overdue"].lower()
    try:
        loaded = CaseQuerySchema().load({name: value for name, value in given.items() if value})
    except ValidationError as exc:
        errors = {name: list(messages) for name, messages in exc.messages.items()}
        raise ValidationFailed("查询条件有误，请检查：" + "、".join(errors), fields=errors) from exc
    officer: int | str | None = loaded.get("officer")
    if officer is not None and officer.isdigit():
        officer = int(officer)
    filters = CaseFilters(q=loaded.get("q"), matter=loaded.get("matter"), status=loaded.get("status"),
                          stage=loaded.get("stage"), officer=officer, registered_from=loaded.get("from_"),
                          registered_to=loaded.get("to"), overdue=loaded.get("overdue") in TRUE_VALUES)
    cleaned = {name: value for name, value in given.items()
               if value and name not in ("overdue", "limit", "offset")}
    if filters.overdue:
        cleaned["overdue"] = "1"
    return CaseQuery(filters=filters, limit=loaded.get("limit", default_limit), offset=loaded.get("offset", 0),
                     args=cleaned)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def case_item(row: CaseRow) -> dict:
    """One case as GET /api/v1/cases lists it."""
    return {"id": row.id, "number": row.number, "party_name": row.party_name, "agency": row.agency_name,
            "status": row.status, "stage": {"code": row.stage, "title": STAGE_TITLES.get(row.stage, row.stage)},
            "registered_at": iso(row.registered_at), "discovered_at": iso(row.discovered_at),
            "next_due_at": iso(row.next_due_at), "overdue": row.overdue, "officers": row.officers}


XLSX_COLUMNS = (("案件编号", 22), ("当事人", 20), ("证件号码", 22), ("执法机关", 22), ("状态", 8), ("阶段", 12),
                ("案情摘要", 40), ("发现时间", 17), ("登记时间", 17), ("最近期限", 17), ("是否超期", 8),
                ("办案人员", 24))


def _local(moment: datetime | None) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def case_list_xlsx(rows, *, title: str, conditions: str, footnote: str | None = None) -> bytes:
    """The listed cases as one sheet with Chinese headers; `rows` may be a generator (read once)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "案件台账"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([conditions])
    sheet.append([label for label, _ in XLSX_COLUMNS])
    for cell in sheet[3]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="EEF1F4")
    for row in rows:
        sheet.append([row.number, row.party_name, row.party_id_number or "", row.agency_name,
                      STATUS_TITLES.get(row.status, row.status), STAGE_TITLES.get(row.stage, row.stage),
                      row.summary, _local(row.discovered_at), _local(row.registered_at), _local(row.next_due_at),
                      "是" if row.overdue else "否", "、".join(row.officers)])
    if footnote:
        sheet.append([footnote])
    for index, (_, width) in enumerate(XLSX_COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
