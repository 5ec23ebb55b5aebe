"""The `zhifa` command: run the product, migrate the database, demo data, users, timers."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from engine.actors import Actor
from engine.clock import FrozenClock
from engine.errors import DomainError
from engine.store.migrate import schema_problem, upgrade

from .cli_audit import audit
from .cli_common import context as _context, fail as _fail
from .cli_people import agency, user
from .config import app_database_role, database_url, default_config, migration_database_url, processes_dir, product_clock
from .context import EngineContext


class _Commands(click.Group):
    """A fresh, unmigrated or unreachable database is one line saying what to do, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SQLAlchemyError:
            upgrading = ctx.invoked_subcommand == "db"
            problem = schema_problem(migration_database_url() if upgrading else database_url())
            if problem is None or (upgrading and not problem.startswith("无法连接")):
                raise
            click.echo(f"错误：{problem}", err=True)
            sys.exit(2)


@click.group(cls=_Commands)
def main():
    """综合行政执法办案系统 — command line."""
    try:
        product_clock()
    except ValueError as error:  # a mistyped ZHIFA_CLOCK_OFFSET stops every command with one line
        click.echo(f"错误：ZHIFA_CLOCK_OFFSET — {error}", err=True)
        sys.exit(2)


main.add_command(agency)
main.add_command(user)
main.add_command(audit)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--no-scheduler", is_flag=True, help="Do not fire timers in this process.")
def run(host: str, port: int, threads: int, no_scheduler: bool):
    """Serve the web app and run the timer scheduler in this process."""
    from waitress import create_server

    from . import create_app
    from .scheduler import start_scheduler
    from engine.services.definitions import sync_directory

    app = create_app()
    try:  # bind before anything starts, so a busy port is one clear line and no scheduler is left running
        server = create_server(app, host=host, port=port, threads=threads, ident="zhifa")
    except OSError as error:
        click.echo(f"错误：无法在 {host}:{port} 上监听（{error.strerror or error}）。"
                   f"该端口可能已被另一个程序占用：请换一个端口，例如 `zhifa run --port {port + 1}`"
                   f"（make run 时用 `make run PORT={port + 1}`）。", err=True)
        sys.exit(2)
    ctx: EngineContext = app.extensions["zhifa"]
    report = sync_directory(directory=Path(app.config["ZHIFA_PROCESSES_DIR"]), uow=ctx.uow(), runner=ctx.runner,
                            clock=ctx.clock)
    _print_sync(report)
    if not no_scheduler:
        start_scheduler(ctx, tick_seconds=app.config["ZHIFA_TICK_SECONDS"],
                        lease_seconds=app.config["ZHIFA_LEASE_SECONDS"])
    offset = getattr(ctx.clock, "offset", None)
    if offset:
        click.echo(f"注意：本实例的时钟偏移 {offset}（ZHIFA_CLOCK_OFFSET），当前时间 {ctx.clock.now().isoformat()}")
    click.echo(f"综合行政执法办案系统 running at http://{host}:{port}/  (Ctrl+C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@main.command()
@click.option("--tick", "tick_seconds", default=None, type=float, help="Seconds between ticks (default 1).")
def worker(tick_seconds):
    """Run only the timer scheduler (no web server): fire due timers and flag overdue deadlines."""
    from .scheduler import start_scheduler

    from .logs import configure_logging

    problem = schema_problem(database_url())  # a worker on a fresh database would only fail every tick
    if problem is not None:
        click.echo(f"错误：{problem}", err=True)
        sys.exit(2)
    config = default_config()
    configure_logging(fmt=config["ZHIFA_LOG_FORMAT"])
    click.echo("scheduler worker running (Ctrl+C to stop)")
    try:
        start_scheduler(_context(), tick_seconds=tick_seconds or config["ZHIFA_TICK_SECONDS"],
                        lease_seconds=config["ZHIFA_LEASE_SECONDS"], blocking=True)
    except (KeyboardInterrupt, SystemExit):
        pass


@main.group()
def db():
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
def db_upgrade():
    """Create or upgrade the schema to the newest version."""
    from engine.store.grants import RoleNotUsable

    role = app_database_role()
    try:
        upgrade(migration_database_url(), app_role=role)
    except RoleNotUsable as error:
        click.echo(f"错误：{error}", err=True)
        sys.exit(2)
    click.echo("database is up to date" + (f"; the application's role {role} may read and write, the audit trail "
                                           "append only" if role else ""))


@main.command()
def demo():
    """Demo organisation, a user for every role (password demo12345) and a few sample cases."""
    from .demo import load_demo

    for line in load_demo(_context()):
        click.echo(line)


@main.group()
def processes():
    """BPMN process definitions."""


@processes.command("sync")
def processes_sync():
    """Deploy every changed processes/*.bpmn as a new version."""
    from engine.services.definitions import sync_directory

    ctx = _context()
    report = sync_directory(directory=processes_dir(), uow=ctx.uow(),
                            runner=ctx.runner, clock=ctx.clock)
    _print_sync(report)
    sys.exit(1 if report.problems else 0)


def _print_sync(report) -> None:
    for process_id, version in report.deployed:
        click.echo(f"deployed {process_id} v{version}")
    for problem in report.problems:
        click.echo(f"BPMN 错误 {problem['file']}（元素 {problem['element_id'] or '-'}）：{problem['message']}", err=True)


@main.group()
def timers():
    """Statutory timers."""


@timers.command("run-due")
@click.option("--now", "now_text", default=None, help="ISO-8601 moment (default: now); fires everything due by then.")
def timers_run_due(now_text):
    """Fire every timer due at or before a moment (ops catch-up, or simulating a case's future)."""
    from engine.scheduler import tick

    clock = None
    if now_text:
        moment = datetime.fromisoformat(now_text)
        if moment.tzinfo is None:
            from engine.clock import CHINA_TZ
            moment = moment.replace(tzinfo=CHINA_TZ)
        clock = FrozenClock(moment)
    ctx = _context(clock)
    # a simulated moment is no worker's heartbeat: it would show a tick in the future on the dashboard
    result = tick(database=ctx.database, runner=ctx.runner, clock=ctx.clock, heartbeat=not now_text)
    click.echo(json.dumps({"fired": result.timers_fired, "overdue": result.deadlines_overdue,
                           "now": ctx.clock.now().isoformat()}))




@main.group()
def deadline():
    """Statutory deadlines."""


@deadline.command("compute")
@click.option("--start", "start_text", required=True,
              help="Start day YYYY-MM-DD (not counted); for --unit hour the moment, e.g. 2027-03-01T14:30 "
                   "(Beijing time unless it carries an offset).")
@click.option("--period", required=True, type=click.IntRange(min=0))
@click.option("--unit", required=True, type=click.Choice(["workday", "day", "month", "year", "hour"]))
@click.option("--party", is_flag=True, help="A period the party must meet (the result rolls to a working day).")
def deadline_compute(start_text, period, unit, party):
    """Print {"due", "provisional", "explanation"} for a period, by the counting rules and the holiday table
    (an hour period also prints "due_at", the moment it ends)."""
    from datetime import date, datetime

    from engine.clock import CHINA_TZ
    from engine.deadlines.calendar_store import load_calendar
    from engine.deadlines.counting import count_period
    from engine.deadlines.explain import explain

    # an hour period starts at its event's moment, never at midnight of a bare date (procedure.md §3)
    try:
        day = date.fromisoformat(start_text)
    except ValueError:
        day = None
    start = day if unit != "hour" else None
    if unit == "hour" and day is None:
        try:
            moment = datetime.fromisoformat(start_text)
            start = moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)
        except ValueError:
            pass
    if start is None:
        wanted = "带时、分的时刻（如 2027-03-01T09:30），不能只给日期" if unit == "hour" else "YYYY-MM-DD"
        click.echo(f"错误：--start 应为 {wanted}，收到 {start_text}", err=True)
        sys.exit(2)
    calendar = _calendar_or_default(load_calendar)
    count = count_period(calendar, start=start, period=period, unit=unit)
    text = explain(starts_on="自", start=start, period=period, unit=unit,
                   basis="民法典第二百零一条至第二百零三条" + ("" if party else "；机关期限"), count=count,
                   calendar=calendar, party_side=party)
    out = {"due": count.last_day.isoformat(), "provisional": count.provisional, "explanation": text}
    if unit == "hour":
        out["due_at"] = count.due_at.astimezone(CHINA_TZ).isoformat()
    if not party and count.rolled:
        out["strict_due"] = count.strict_last_day.isoformat()
    click.echo(json.dumps(out, ensure_ascii=False))


def _calendar_or_default(load_calendar):
    """The holiday table when a database is set up; the packaged schedule alone otherwise."""
    from sqlalchemy.exc import SQLAlchemyError

    from engine.calendar import WorkCalendar

    try:
        with _context().uow() as uow:
            return load_calendar(uow.session)
    except SQLAlchemyError:
        return WorkCalendar()


@main.group()
def calendar():
    """The working-day calendar (holiday table)."""


@calendar.command("import")
@click.argument("year", type=int)
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--confirm", is_flag=True, help="Mark the year's schedule as complete and official.")
def calendar_import(year, file, confirm):
    """Import a year's holidays and make-up working days from lines `YYYY-MM-DD,holiday|workday,名称`."""
    from engine.services.deadlines import import_calendar_year, parse_calendar_lines

    ctx = _context()
    try:
        days = parse_calendar_lines(file.read().splitlines())
        result = import_calendar_year(year=year, days=days, confirmed=confirm, source=getattr(file, "name", "stdin"),
                                      actor=Actor.system("命令行"), **ctx.deps())
    except DomainError as error:
        _fail(error)
    click.echo(json.dumps(result, ensure_ascii=False))


@calendar.command("show")
@click.argument("year", type=int)
def calendar_show(year):
    """List a year's rest days on weekdays and make-up working days, and whether the year is known."""
    from datetime import date

    from engine.calendar import year_exceptions
    from engine.deadlines.calendar_store import load_calendar

    calendar_ = _calendar_or_default(load_calendar)
    known = calendar_.is_known(date(year, 1, 1))
    click.echo(f"{year}: {'已有节假日安排' if known else '无国务院节假日安排（按法定节假日与周末推算，调休不可知，结果为暂定）'}  ({calendar_.version})")
    for day, workday, name in year_exceptions(calendar_, year):
        click.echo(f"  {day.isoformat()} {name if workday else f'休息（{name}）'}")
