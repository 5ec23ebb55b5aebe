"""`zhifa agency …` and `zhifa user …`: what a fresh production database needs before anyone can sign in — an
agency, then its first administrator — and bearer tokens for the API."""
from __future__ import annotations

import secrets
from datetime import datetime

import click
from sqlalchemy import select
from sqlalchemy.orm import aliased

from engine.errors import DomainError
from engine.store.models import Agency

from .cli_common import OPERATOR, context, fail, stop

ROLES = ["handler", "reviewer", "head", "admin", "designer", "supervisor"]


@click.group()
def agency():
    """Agencies (执法机关)."""


@agency.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent_code", default=None, help="Code of the agency above it (a county department).")
@click.option("--case-prefix", default=None, help="What its case numbers begin with (default: the name).")
@click.option("--level", type=click.Choice(["township", "county"]), default=None,
              help="township (乡镇/街道) or county (县级部门); default township under a parent, county without.")
def agency_create(code, name, parent_code, case_prefix, level):
    """Create an agency: the first step on a fresh database (then `zhifa user create … --agency CODE`)."""
    from engine.services.people import save_agency

    ctx = context()
    try:
        agency_id = save_agency(code=code, name=name, case_prefix=case_prefix or name,
                                level=level or ("township" if parent_code else "county"), parent_code=parent_code,
                                actor=OPERATOR, **ctx.deps())
    except DomainError as error:
        fail(error)
    click.echo(f"created agency {code} {name} (id {agency_id})"
               + (f" under {parent_code}" if parent_code else ""))


@agency.command("list")
def agency_list():
    """List the agencies: code, name, level and the code of the agency above."""
    parent = aliased(Agency)
    with context().uow() as uow:
        rows = uow.session.execute(select(Agency.code, Agency.name, Agency.level, parent.code)
                                   .outerjoin(parent, Agency.parent_id == parent.id).order_by(Agency.id)).all()
    if not rows:
        click.echo("还没有任何机关：运行 zhifa agency create 代码 名称 新建。")
    for code, name, level, above in rows:
        click.echo("\t".join((code, name, level) + ((above,) if above else ())))


@click.group()
def user():
    """Users and API tokens."""


@user.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--name", "display_name", default=None, help="Display name (default: the username).")
@click.option("--agency", "agency_code", default=None, help="Agency code (default: the first agency).")
@click.option("--certificate", default=None, help="Enforcement certificate number.")
@click.option("--certificate-valid-until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option("--password", default=None, help="Password (default: a random one, printed).")
def user_create(username, roles, display_name, agency_code, certificate, certificate_valid_until, password):
    """Create a user with one or more roles."""
    from engine.services.users import create_user

    ctx = context()
    with ctx.uow() as uow:
        agencies = uow.session.execute(select(Agency.id, Agency.code).order_by(Agency.id)).all()
    if not agencies:
        stop("还没有任何机关：请先运行 zhifa agency create 代码 名称，再用 --agency 代码 指定用户所属机关。")
    if agency_code is not None:
        agency_id = next((row.id for row in agencies if row.code == agency_code), None)
        if agency_id is None:
            stop(f"没有找到代码为 {agency_code} 的机关；已有：{'、'.join(row.code for row in agencies)}。")
    else:
        agency_id = agencies[0].id
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    valid_until = certificate_valid_until.date() if isinstance(certificate_valid_until, datetime) else None
    try:
        create_user(username=username, display_name=display_name or username, password=password, roles=list(roles),
                    agency_id=agency_id, certificate_number=certificate, certificate_valid_until=valid_until,
                    actor=OPERATOR, **ctx.deps())
    except DomainError as error:
        fail(error)
    click.echo(f"created user {username}" + (f" with password {password}" if generated else ""))


@user.command("token")
@click.argument("username")
def user_token(username):
    """Print a new bearer token for the API."""
    from engine.services.users import issue_token

    ctx = context()
    try:
        click.echo(issue_token(username=username, **ctx.deps()))
    except DomainError as error:
        fail(error)
