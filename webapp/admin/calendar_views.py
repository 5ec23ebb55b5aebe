"""节假日表: view a year's schedule, enter next year's when the State Council publishes it, confirm a year."""
from __future__ import annotations

from datetime import date

from flask import render_template, request, url_for
from sqlalchemy import select

from engine.calendar import LIBRARY_YEARS, year_exceptions
from engine.clock import CHINA_TZ
from engine.deadlines.calendar_store import load_calendar
from engine.services.deadlines import import_calendar_year, parse_calendar_lines
from engine.store.models import CalendarDay, CalendarYear, User

from ..auth import current_actor
from ..context import engine_context
from . import act, admin_blueprint, admin_only


@admin_blueprint.get("/calendar")
def calendar_page():
    ctx = engine_context()
    this_year = ctx.clock.now().astimezone(CHINA_TZ).year
    year = request.args.get("year", type=int) or this_year
    year = min(max(year, 2000), 2100)
    with ctx.uow() as uow:
        session = uow.session
        calendar = load_calendar(session)
        year_row = session.get(CalendarYear, year)
        updated_by = session.get(User, year_row.updated_by_id) if year_row and year_row.updated_by_id else None
        local = session.scalars(select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1),
                                                          CalendarDay.day <= date(year, 12, 31))
                                .order_by(CalendarDay.day)).all()
        years = sorted({*LIBRARY_YEARS, *session.scalars(select(CalendarYear.year)), this_year, this_year + 1})
    return render_template("admin/calendar.html", year=year, this_year=this_year, years=years,
                           days=year_exceptions(calendar, year), known=calendar.is_known(date(year, 1, 1)),
                           packaged=year in LIBRARY_YEARS, year_row=year_row, local=local,
                           updated_by=updated_by.display_name if updated_by else None, version=calendar.version)


@admin_blueprint.post("/calendar")
@admin_only
def import_calendar():
    ctx = engine_context()
    year = request.form.get("year", type=int) or 0
    confirm = request.form.get("confirm") == "1"

    def enter(**kwargs):
        days = parse_calendar_lines(request.form.get("days", "").splitlines())
        return import_calendar_year(days=days, **kwargs)

    return act(enter, lambda result: f"已导入 {result['year']} 年节假日安排 {result['days']} 天"
               + ("，并确认为正式安排。" if result["confirmed"] else "（尚未确认）。"),
               back=url_for("admin.calendar_page", year=year or None), year=year, confirmed=confirm,
               source=request.form.get("source", "").strip()[:500] or "管理控制台录入",
               actor=current_actor(), **ctx.deps())


@admin_blueprint.post("/calendar/<int:year>/confirm")
@admin_only
def confirm_calendar_year(year: int):
    """The year's schedule is entered in full: its deadlines are no longer provisional."""
    ctx = engine_context()
    with ctx.uow() as uow:
        row = uow.session.get(CalendarYear, year)
        source = row.source if row is not None and row.source else "管理控制台确认"
    return act(import_calendar_year, f"已确认 {year} 年节假日安排。", back=url_for("admin.calendar_page", year=year),
               year=year, days=[], confirmed=True, source=source, actor=current_actor(), **ctx.deps())
