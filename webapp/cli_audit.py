"""`zhifa audit verify` and `zhifa audit anchor`: the full-process record's hash chain and its anchors."""
from __future__ import annotations

import sys
import time

import click

from engine.audit import verify_chain
from engine.audit_anchors import check, database_key, write_anchor

from .cli_common import context
from .config import audit_anchor_file, database_url


@click.group()
def audit():
    """The full-process record (audit trail)."""


@audit.command("verify")
def audit_verify():
    """Recompute the audit hash chain and check it against the last anchor; report the first problem and exit 1
    if there is one."""
    started = time.monotonic()
    path = audit_anchor_file()
    with context().uow() as uow:
        report = verify_chain(uow.session)
        anchor, problem = check(uow.session, path=path, database=database_key(database_url()))
    seconds = time.monotonic() - started
    if not report.ok:
        click.echo(f"BROKEN at record #{report.broken_id} (after {report.checked} good records): {report.problem}",
                   err=True)
        sys.exit(1)
    if problem is not None:
        click.echo(f"审计记录与锚点不符：{problem}（锚点文件 {path}）", err=True)
        sys.exit(1)
    click.echo(f"OK: {report.checked} records, chain intact ({seconds:.1f} s). head {report.head_hash or '-'}"
               + (f" at #{report.last_id}" if report.last_id else ""))
    if anchor is None:
        click.echo(f"尚无锚点：运行 zhifa audit anchor 记下链头（写入 {path}）。")
    else:
        click.echo(f"与 {anchor.shown_at} 的锚点一致（当时 {anchor.records} 条，最后一条 #{anchor.last_id or '-'}）。")


@audit.command("anchor")
def audit_anchor():
    """Append the chain's head (last id and hash) and the record count to the anchor file
    (ZHIFA_AUDIT_ANCHOR_FILE, default audit-anchors.jsonl in the instance folder) and the log."""
    path = audit_anchor_file()
    ctx = context()
    with ctx.uow() as uow:
        result = write_anchor(uow.session, path=path, database=database_key(database_url()), clock=ctx.clock)
    if result.anchor is None:
        click.echo(f"未写入锚点：{result.problem}", err=True)
        sys.exit(1)
    anchor = result.anchor
    click.echo(f"anchored: {anchor.records} records, last #{anchor.last_id or '-'} {anchor.last_hash or '-'} → {path}")
