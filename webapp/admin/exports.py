"""The annual report (行政执法统计年报) as an Excel workbook (openpyxl) and its tables as CSV (UTF-8 with a BOM, so
Excel on Chinese Windows opens it correctly)."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from engine.services.statistics import ANNUAL_COLUMNS, __doc__ as SOURCES_NOTE

TABLES = {
    "agencies": ("按执法机关", ANNUAL_COLUMNS),
    "by_kind": ("按处罚种类", (("title", "处罚种类"), ("count", "件数"), ("fine_total", "罚款金额（元）"))),
    "by_violation": ("按违法类型", (("violation", "违法类型（适用依据）"), ("count", "件数"), ("fine_total", "罚款金额（元）"))),
    "by_source": ("按案件来源", (("title", "案件来源"), ("registered", "受理（件）"), ("penalties", "处罚（件）"))),
    "by_month": ("按月份", (("month", "月份"), ("registered", "受理（件）"), ("penalties", "处罚（件）"))),
    "timeliness": ("办案时效", (("title", "法定期限"), ("in_time", "按期（件）"), ("late", "逾期完成（件）"),
                               ("missed", "届满未完成（件）"), ("rate", "按期率（%）"))),
}


def table_rows(stats: dict, table: str) -> list[dict]:
    if table == "agencies":
        return [*stats["agencies"], stats["total"]]
    return stats[table]


def _cell(value):
    return "" if value is None else value


def annual_xlsx(stats: dict, *, title: str, agency_name: str | None = None) -> bytes:
    workbook = Workbook()
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="EEF1F4")
    first = True
    for table, (sheet_title, columns) in TABLES.items():
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        sheet.title = sheet_title
        sheet.append([title if table == "agencies" else f"{title} · {sheet_title}"])
        sheet["A1"].font = Font(bold=True, size=14)
        period = stats["period"]
        sheet.append([f"统计期间：{period.start.isoformat()} 至 {period.end.isoformat()}"
                      + (f"　执法机关：{agency_name}" if agency_name else "")])
        sheet.append([label for _, label in columns])
        for cell in sheet[3]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in table_rows(stats, table):
            sheet.append([_cell(row.get(key)) for key, _ in columns])
        if table == "agencies":
            for cell in sheet[sheet.max_row]:
                cell.font = header_font
        for index, (key, label) in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(index)].width = 28 if index == 1 else max(10, min(len(label) * 2, 20))
        sheet.freeze_panes = "B4"
    notes = workbook.create_sheet("数据来源")
    for line in (SOURCES_NOTE or "").strip().splitlines():
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_csv(stats: dict, table: str) -> bytes:
    _, columns = TABLES[table]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for _, label in columns])
    for row in table_rows(stats, table):
        writer.writerow([_cell(row.get(key)) for key, _ in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
