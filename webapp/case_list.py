"""The case list's query string, read the same way by the page, its Excel export and the API; and the workbook."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from engine.clock import CHINA_TZ
from engine.errors import ValidationFailed
from engine.services.case_list import CASE_STATUSES, MAX_PAGE_SIZE, CaseFilters, CaseRow

from .filters import STAGE_TITLES

STATUS_TITLES = {"open": "办理中", "closed": "已结案", "cancelled": "已撤销"}
FILTER_ARGS = ("q", "matter", "status", "stage", "officer", "from", "to", "overdue")
TEXT_LIMIT = 100
DEFAULT_LIMIT = 50
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)  # as every date typed into a form (forms/)
TRUE_VALUES = ("1", "true", "yes", "on")
FALSE_VALUES = ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class CaseQuery:
    filters: CaseFilters
    limit: int
    offset: int
    args: dict  # the filters as given, cleaned, for links (paging, export) that carry them


def parse_case_query(args, *, default_limit: int = DEFAULT_LIMIT) -> CaseQuery:
    """The filters and paging of a request, or ValidationFailed naming each bad parameter."""
    errors: dict[str, list[str]] = {}
    given = {name: (args.get(name) or "").strip() for name in FILTER_ARGS}

    def text(name: str) -> str | None:
        value = given[name]
        if len(value) > TEXT_LIMIT:
            errors[name] = [f"不能超过 {TEXT_LIMIT} 个字符。"]
        elif any(ord(char) < 32 for char in value):  # PostgreSQL refuses a NUL in a parameter: say so, never a 500
            errors[name] = ["不能包含控制字符。"]
        return value or None

    def day(name: str) -> date | None:
        value = given[name]
        if not value:
            return None
        try:
            if len(value) != 10:
                raise ValueError(value)
            found = date.fromisoformat(value)
        except ValueError:
            errors[name] = ["日期格式应为 YYYY-MM-DD。"]
            return None
        if not FIRST_DAY <= found <= LAST_DAY:  # a day ± 1 at the calendar's ends overflows (year 1 or 9999)
            errors[name] = [f"年份应在 {FIRST_DAY.year} 到 {LAST_DAY.year} 之间。"]
            return None
        return found

    def integer(name: str, default: int, low: int, high: int | None = None) -> int:
        value = (args.get(name) or "").strip()
        if not value:
            return default
        try:
            number = int(value)
        except ValueError:
            errors[name] = ["应为整数。"]
            return default
        if number < low or (high is not None and number > high):
            errors[name] = [f"应在 {low} 到 {high} 之间。" if high is not None else f"不能小于 {low}。"]
            return default
        return number

    q, matter = text("q"), text("matter")
    status = given["status"] or None
    if status is not None and status not in CASE_STATUSES:
        errors["status"] = [f"应为 {'|'.join(CASE_STATUSES)} 之一。"]
        status = None
    stage = text("stage")  # any code a process sets (`case_stage`), not only the known titles
    officer: int | str | None = text("officer")
    if officer is not None and officer.isdigit():
        officer = int(officer)
    overdue = given["overdue"].lower()
    if overdue not in TRUE_VALUES + FALSE_VALUES:
        errors["overdue"] = ["应为 1 或 0。"]
    registered_from, registered_to = day("from"), day("to")
    if registered_from and registered_to and registered_from > registered_to:
        errors["to"] = ["结束日期不能早于开始日期。"]
    limit = integer("limit", default_limit, 1, MAX_PAGE_SIZE)
    offset = integer("offset", 0, 0)
    if errors:
        raise ValidationFailed("查询条件有误，请检查：" + "、".join(errors), fields=errors)
    filters = CaseFilters(q=q, matter=matter, status=status, stage=stage, officer=officer,
                          registered_from=registered_from, registered_to=registered_to,
                          overdue=overdue in TRUE_VALUES)
    cleaned = {name: value for name, value in given.items() if value and name != "overdue"}
    if filters.overdue:
        cleaned["overdue"] = "1"
    return CaseQuery(filters=filters, limit=limit, offset=offset, args=cleaned)


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
