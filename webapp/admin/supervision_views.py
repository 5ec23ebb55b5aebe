"""执法监督: case-file review (案卷评查), statistics, and the annual report in Excel and CSV."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, request, url_for

from engine.clock import CHINA_TZ
from engine.errors import DomainError, NotAuthorized, ValidationFailed
from engine.services import reviews, statistics
from engine.services.monitoring import agencies as list_agencies

from ..auth import current_actor
from ..context import engine_context
from . import admin_blueprint
from .exports import TABLES, annual_xlsx, table_csv

PAGE_SIZE = 50


@admin_blueprint.get("/reviews")
def reviews_list():
    agency_id = request.args.get("agency", type=int) or None
    show = request.args.get("show", "todo")
    reviewed = {"todo": False, "done": True}.get(show)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    with engine_context().uow() as uow:
        rows, total = reviews.reviewable_cases(uow.session, agency_id=agency_id, reviewed=reviewed, page=page,
                                               page_size=PAGE_SIZE)
        agencies = list_agencies(uow.session)
    return render_template("admin/reviews.html", rows=rows, total=total, page=page,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), show=show, agency_id=agency_id,
                           agencies=agencies, grade_titles=reviews.GRADE_TITLES)


@admin_blueprint.route("/reviews/<int:case_id>", methods=["GET", "POST"])
def review(case_id: int):
    ctx = engine_context()
    errors, status, values = {}, 200, None
    if request.method == "POST":
        if not current_actor().has_role("supervisor"):
            abort(403)
        values = {"scores": {item.key: request.form.get(item.key, "") for item in reviews.CHECKLIST},
                  "notes": {item.key: request.form.get(f"{item.key}_note", "") for item in reviews.CHECKLIST},
                  "comment": request.form.get("comment", "")}
        try:
            score = reviews.save_review(case_id=case_id, **values, actor=current_actor(), **ctx.deps())
        except NotAuthorized:
            abort(403)
        except ValidationFailed as exc:
            errors, status = exc.fields or {"_schema": [exc.message]}, 422
        except DomainError as exc:
            errors, status = {"_schema": [exc.message]}, 409
        else:
            flash(f"已保存评查结果：{score} 分。", "success")
            return redirect(url_for("admin.review", case_id=case_id))
    with ctx.uow() as uow:
        record = reviews.case_record(uow.session, case_id)
    existing = record["review"]
    if values is None and existing is not None:
        values = {"scores": {k: v["points"] for k, v in existing.items.items()},
                  "notes": {k: v["note"] for k, v in existing.items.items()}, "comment": existing.comment}
    return render_template("admin/review.html", record=record, case=record["case"], existing=existing,
                           values=values or {"scores": {}, "notes": {}, "comment": ""}, errors=errors,
                           checklist=reviews.CHECKLIST, grade_titles=reviews.GRADE_TITLES,
                           can_review=current_actor().has_role("supervisor")), status


def _period() -> tuple[statistics.Period, dict]:
    today = engine_context().clock.now().astimezone(CHINA_TZ).date()
    year = request.args.get("year", type=int)
    try:
        start = date.fromisoformat(request.args.get("from", ""))
        end = date.fromisoformat(request.args.get("to", ""))
    except ValueError:
        start, end = date(year or today.year, 1, 1), date(year, 12, 31) if year else today
    if end < start:
        start, end = end, start
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quick = {"year": (date(today.year, 1, 1), today), "last_year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
             "quarter": (quarter_start, today), "month": (today.replace(day=1), today)}
    return statistics.Period(start, end), quick


@admin_blueprint.get("/statistics")
def statistics_page():
    period, quick = _period()
    agency_id = request.args.get("agency", type=int) or None
    with engine_context().uow() as uow:
        stats = statistics.statistics(uow.session, period, agency_id=agency_id)
        agencies = list_agencies(uow.session)
    charts = {"by_month": stats["by_month"], "by_kind": [{"name": row["title"], "value": row["count"]}
                                                         for row in stats["by_kind"]]}
    return render_template("admin/statistics.html", stats=stats, period=period, quick=quick, agency_id=agency_id,
                           agencies=agencies, charts=charts, columns=statistics.ANNUAL_COLUMNS,
                           this_year=engine_context().clock.now().astimezone(CHINA_TZ).year)


@admin_blueprint.get("/statistics/report.<fmt>")
def statistics_export(fmt: str):
    """The annual report of a year (`year=`), or the statistics of any period (`from=`/`to=`): `.xlsx` with
    every table, or `.csv` with one table (`table=agencies` by default)."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    period, _ = _period()
    agency_id = request.args.get("agency", type=int) or None
    table = request.args.get("table", "agencies")
    if table not in TABLES:
        abort(404)
    with engine_context().uow() as uow:
        stats = statistics.statistics(uow.session, period, agency_id=agency_id)
        agency_name = dict(list_agencies(uow.session)).get(agency_id) if agency_id else None
    whole_year = period.start.month == 1 and period.start.day == 1 and period.end == date(period.start.year, 12, 31)
    title = f"{period.start.year}年度行政执法统计年报" if whole_year else \
        f"行政执法统计（{period.start.isoformat()} 至 {period.end.isoformat()}）"
    if fmt == "xlsx":
        body, mimetype = annual_xlsx(stats, title=title, agency_name=agency_name), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        filename = f"{title}.xlsx"
    else:
        body, mimetype = table_csv(stats, table), "text/csv; charset=utf-8"
        filename = f"{title}-{TABLES[table][0]}.csv"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
