"""``flask --app wsgi …`` commands. Thin: they parse, call a service and report in plain words."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from api.db import session
from inspections import accounts, schema
from inspections.enums import Role, values
from inspections.errors import DomainError
from media.storage import StorageError

db_cli = AppGroup("db", help="Database schema.")
users_cli = AppGroup("users", help="User accounts.")
storage_cli = AppGroup("storage", help="The object store.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision):
    """Create or migrate the schema to the newest version."""
    schema.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at revision {schema.current_revision(current_app.config['DATABASE_URL'])}.")


@db_cli.command("check")
def db_check():
    """Exit 1 if the models and the migrations disagree."""
    differences = schema.pending_differences(current_app.config["DATABASE_URL"])
    for difference in differences:
        click.echo(f"  {difference}")
    if differences:
        raise SystemExit("The models have changes that no migration makes.")
    click.echo("Models and migrations agree.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(values(Role)))
@click.option("--display-name", default=None)
@click.option("--enterprise", "enterprise_id", type=int, default=None, help="Enterprise id (officers).")
@click.option("--area", "area_code", default=None, help="Area code (inspectors).")
def users_create(username, role, display_name, enterprise_id, area_code):
    """Create a user; the password is read from standard input (prompted on a terminal)."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = accounts.create_user(
            session(), username=username, password=password, role=role, display_name=display_name,
            enterprise_id=enterprise_id, area_code=area_code,
        )
    except DomainError as error:
        details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.errors.items())
        raise click.ClickException(f"{error.message} {details}".strip()) from None
    click.echo(f"Created {user.role} {user.username} (id {user.id}).")


@users_cli.command("ensure-admin")
@click.option("--username", default="admin", show_default=True)
def users_ensure_admin(username):
    """Make a first admin when there is no admin yet; prints the generated password once."""
    import secrets

    if accounts.has_active_admin(session()):
        click.echo("An admin exists already.")
        return
    password = secrets.token_urlsafe(12)
    accounts.create_user(session(), username=username, password=password, role=Role.ADMIN, display_name="Administrator")
    click.echo(f"Created the first admin. Sign in as {username} with the password {password} and change it.")


@storage_cli.command("init")
def storage_init():
    """Create the bucket if it does not exist yet."""
    store = current_app.extensions["object_store"]
    try:
        store.ensure_bucket()
    except StorageError as error:
        raise click.ClickException(f"The object store at {current_app.config['S3_ENDPOINT_URL']} failed: {error}")
    click.echo(f"Bucket {current_app.config['S3_BUCKET']} is ready at {current_app.config['S3_ENDPOINT_URL']}.")




hazards_cli = AppGroup("hazards", help="Hazard housekeeping.")
audit_cli = AppGroup("audit", help="The audit trail.")


@hazards_cli.command("sweep")
def hazards_sweep():
    """Record due-soon and overdue events (idempotent; run it from cron every minute)."""
    from api.clock import local_tz, now
    from inspections.calendar_store import load_calendar
    from inspections.sweep import sweep_deadlines

    summary = sweep_deadlines(
        session(), now=now(), tz=local_tz(), calendar=load_calendar(session()),
        progress=lambda message: click.echo(f"  … {message}"),
    )
    click.echo(f"Sweep done: {summary.overdue} newly overdue, {summary.due_soon} due soon, "
               f"{summary.skipped} skipped (changed meanwhile), {len(summary.errors)} errors.")
    for error in summary.errors:
        click.echo(f"  error: {error}", err=True)
    if summary.errors:
        raise SystemExit(1)


@audit_cli.command("verify")
def audit_verify():
    """Check every hazard's chain of events; name every break and exit 1 if there is one."""
    from inspections.audit import verify_chains

    checked, breaks = verify_chains(session(), progress=lambda n: click.echo(f"  … {n} events checked"))
    for chain_break in breaks:
        click.echo(f"BROKEN: {chain_break}")
    if breaks:
        raise SystemExit(f"{len(breaks)} break(s) in the audit trail ({checked} events checked).")
    click.echo(f"Audit trail intact: {checked} events checked.")


def register(app: Flask) -> None:
    for group in (db_cli, users_cli, storage_cli, hazards_cli, audit_cli):
        app.cli.add_command(group)
