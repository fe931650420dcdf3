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
from inspections.passwords import password_problem
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


@db_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def db_backup(path):
    """Copy the SQLite database to the new file PATH while the service runs (SQLite's online backup).

    Copying hazards.db by hand can lose what is still in its write-ahead log (hazards.db-wal); this copies
    both as one consistent database. For PostgreSQL it says to use pg_dump and exits 2.
    """
    from pathlib import Path

    from inspections.backup import BackupNotPossible, backup_sqlite

    shown = {"percent": -10}

    def progress(done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if percent >= shown["percent"] + 10 or done == total:
            shown["percent"] = percent
            click.echo(f"  … {done:,} of {total:,} pages ({percent} %)")

    session().close()  # no transaction of ours may hold the database while it is copied
    try:
        summary = backup_sqlite(current_app.config["DATABASE_URL"], Path(path), progress=progress)
    except BackupNotPossible as error:
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(2) from None
    click.echo(f"Backed up {summary.source} to {summary.target}: {summary.pages:,} pages, "
               f"{summary.bytes / 2**20:.1f} MiB, checked. Restore by putting it in place of the database file "
               "while the service is stopped.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(values(Role)))
@click.option("--display-name", default=None)
@click.option("--enterprise", "enterprise_id", type=int, default=None, help="Enterprise id (officers).")
@click.option("--area", "area_code", default=None, help="Area code (inspectors).")
def users_create(username, role, display_name, enterprise_id, area_code):
    """Create a user; the password is read from standard input (prompted on a terminal)."""
    password = _read_password()
    try:
        user = accounts.create_user(
            session(), username=username, password=password, role=role, display_name=display_name,
            enterprise_id=enterprise_id, area_code=area_code,
        )
    except DomainError as error:
        raise click.ClickException(_explained(error)) from None
    click.echo(f"Created {user.role} {user.username} (id {user.id}).")


@users_cli.command("ensure-admin")
@click.option("--username", default="admin", show_default=True)
@click.option("--show-password-on", "show_on", type=click.Choice(["terminal", "stdout"]), default="terminal",
              show_default=True, help="terminal: the controlling terminal only, never standard output (which may be "
                                      "a log); stdout: standard output, for a script that stores it.")
def users_ensure_admin(username, show_on):
    """Make a first admin when there is no admin yet, with a generated password shown once.

    The password is written to the terminal itself (/dev/tty), not to standard output, so that it never lands in
    a log that standard output is sent to. Without a terminal it is shown nowhere: set one with
    `flask --app wsgi users set-password USERNAME`.
    """
    import secrets

    if accounts.has_active_admin(session()):
        click.echo("An admin exists already.")
        return
    # 96 random bits always pass the strength check, unless by chance they spell the username: draw again then.
    password = secrets.token_urlsafe(12)
    while password_problem(password, username=username, display_name="Administrator"):
        password = secrets.token_urlsafe(12)
    accounts.create_user(session(), username=username, password=password, role=Role.ADMIN, display_name="Administrator")
    shown = f"Sign in as {username} with the password {password} and change it (POST /api/v1/me/password)."
    if show_on == "stdout":
        click.echo(f"Created the first admin. {shown}")
    elif _to_terminal(f"\n  Created the first admin. {shown}\n  It is shown this once and written to no log.\n"):
        click.echo(f"Created the first admin {username}; its password was shown on the terminal only.")
    else:
        click.echo(f"Created the first admin {username}. No terminal to show its password on: set one with "
                   f"`flask --app wsgi users set-password {username}`.")


def _to_terminal(text: str) -> bool:
    """Write ``text`` to the controlling terminal, bypassing standard output and error; False without one."""
    try:
        with open("/dev/tty", "w") as terminal:
            terminal.write(text)
    except OSError:
        return False
    return True


@users_cli.command("set-password")
@click.argument("username")
def users_set_password(username):
    """Set USERNAME's password (a lost one: the admin's too); read from standard input, prompted on a terminal.

    The user's refresh tokens are revoked, so every device signed in as them must sign in again.
    """
    from api.clock import now

    try:
        user = accounts.user_named(session(), username)
        password = _read_password()
        accounts.update_user(session(), user.id, {"password": password}, now=now())
    except DomainError as error:
        session().rollback()
        raise click.ClickException(_explained(error)) from None
    click.echo(f"Password of {user.role} {user.username} changed; their devices must sign in again.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _explained(error: DomainError) -> str:
    # A field error that only repeats the message is not said twice.
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.errors.items()
                        if " ".join(msgs) != error.message)
    return f"{error.message} {details}".strip()


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
    """Check every hazard's trail: its chain of events, its sealed head, its row against its events, and the heads
    of the last checkpoint (in the object store); name every break and exit 1 if there is one."""
    from api.clock import local_tz
    from inspections.audit import checkpoints, keys_of, verify_chains

    store, tz = current_app.extensions["object_store"], local_tz()
    problems, heads = [], None
    try:
        heads = checkpoints.read_heads(store, keys_of(session()), tz)
    except checkpoints.CheckpointBroken as error:
        problems.append(str(error))
    except StorageError as error:
        raise click.ClickException(f"The object store at {current_app.config['S3_ENDPOINT_URL']} failed: {error}")
    latest = heads.latest if heads else None
    click.echo("Checking the audit trail against "
               + (f"checkpoint {latest.key} …" if latest else "no checkpoint (none written yet) …"))
    try:
        verified = verify_chains(
            session(), tz=tz, recorded=heads.recorded() if latest else (),
            checkpoint=checkpoints.when(latest.header["written_at"], tz) if latest else None,
            progress=lambda message: click.echo(f"  … {message}"),
        )
    finally:
        session().rollback()  # read-only: end the transaction the queries began
        if heads:
            heads.close()
    for problem in problems:
        click.echo(f"BROKEN: {problem}")
    for chain_break in verified.breaks:
        click.echo(f"BROKEN: {chain_break}")
    summary = (f"{verified.hazards:,} hazards, {verified.events:,} events checked "
               f"({verified.legacy_events:,} written before keys)")
    if verified.unsealed:
        click.echo(f"note: {verified.unsealed:,} hazards' trails were written before keys and are not sealed yet; "
                   "`flask --app wsgi audit checkpoint` seals them.")
    if latest is None and not problems:
        click.echo("note: no checkpoint yet; run `flask --app wsgi audit checkpoint` (from cron, e.g. hourly) so that "
                   "a hazard deleted with its whole trail is named too.")
    if verified.breaks or problems:
        hazards = len({b.hazard_id for b in verified.breaks})
        raise SystemExit(f"{len(verified.breaks) + len(problems)} break(s) in the audit trail "
                         f"({hazards} hazard(s), {len(problems)} checkpoint(s)); {summary}.")
    click.echo(f"Audit trail intact: {summary}.")


@audit_cli.command("checkpoint")
def audit_checkpoint():
    """Write a checkpoint of every hazard's head to the object store (run it from cron, e.g. hourly, one at a time);
    seals the trails written before keys first. Exits 1 if a head went back since the last checkpoint."""
    from api.clock import local_tz, now
    from inspections.audit import checkpoints

    try:
        written = checkpoints.write_checkpoint(
            session(), current_app.extensions["object_store"], now=now(), tz=local_tz(),
            progress=lambda message: click.echo(f"  … {message}"),
        )
    except checkpoints.CheckpointBroken as error:
        raise click.ClickException(f"No checkpoint written: {error}. Run `flask --app wsgi audit verify`.")
    except StorageError as error:
        raise click.ClickException(f"The object store at {current_app.config['S3_ENDPOINT_URL']} failed: {error}")
    for problem in written.problems:
        click.echo(f"BROKEN: {problem}")
    click.echo(f"Checkpoint {written.key} written ({written.kind}): {written.entries:,} heads listed, "
               f"{written.heads:,} known; {written.sealed:,} trails written before keys sealed.")
    if written.problems:
        raise SystemExit(f"{len(written.problems)} hazard(s) whose trail went back; see above.")


map_cli = AppGroup("map", help="The map's running counts of hazards per cell.")


@map_cli.command("check")
def map_check():
    """Compare the map's counts with the hazards; name each cell that disagrees and exit 1 if any does."""
    from inspections import map_cells

    disagreements = map_cells.check(session())
    session().rollback()  # read-only: end the transaction the queries began
    for disagreement in disagreements:
        click.echo(f"DIFFERS: {disagreement}")
    if disagreements:
        raise SystemExit(f"The map's counts disagree with the hazards in {len(disagreements)} cell(s) (at most 20 "
                         "are named); run `flask --app wsgi map rebuild`.")
    click.echo("The map's counts agree with the hazards.")


@map_cli.command("rebuild")
def map_rebuild():
    """Count every map cell again from the hazards (after writing hazards with SQL by hand)."""
    from inspections import map_cells

    rows = map_cells.rebuild(session(), progress=lambda message: click.echo(f"  … {message}"))
    session().commit()
    click.echo(f"Map counts rebuilt: {rows:,} cells.")


calendar_cli = AppGroup("calendar", help="The working-day calendar.")


@calendar_cli.command("status")
def calendar_status():
    """Say which years the calendar knows, which are entered by hand, which are assumed (no State Council notice:
    the statutory holidays only), and how many provisional deadlines wait for a decision."""
    from api.clock import local_today
    from inspections.calendar_store import load_calendar
    from inspections.provisional import calendar_status as status_of

    status = status_of(session(), load_calendar(session()), today=local_today())
    session().rollback()  # read-only
    known = status.years_known
    click.echo(f"Official calendar (chinese-calendar {status.package_version}): {known[0]}–{known[-1]}.")
    click.echo(f"Entered by admins: {', '.join(map(str, status.years_entered)) or 'none'}.")
    click.echo(f"Assumed (statutory holidays only): {', '.join(map(str, status.years_assumed)) or 'none'}.")
    click.echo(f"Provisional deadlines: {status.provisional_deadlines}, of which {status.changes_waiting} would "
               "change on the calendar as now entered.")
    if status.warning:
        click.echo(f"WARNING: {status.warning}")


@calendar_cli.command("record-bases")
def calendar_record_bases():
    """Once after upgrading past migration 0012: recognise what the deadlines of hazards still running were counted
    from, so that those counted through a year without its notice are marked provisional and listed at
    GET /calendar/provisional-changes. Moves no deadline; idempotent."""
    from api.clock import local_tz
    from inspections.calendar_store import load_calendar
    from inspections.legacy_deadlines import record_legacy_bases

    config = current_app.config
    summary = record_legacy_bases(
        session(), calendar=load_calendar(session()), tz=local_tz(),
        working_days={"general": config["GENERAL_DEADLINE_WORKING_DAYS"], "major": config["MAJOR_DEADLINE_WORKING_DAYS"]},
        progress=lambda message: click.echo(f"  … {message}"),
    )
    click.echo(f"Deadline bases recorded for {summary.recorded} hazard(s); {summary.provisional} of them provisional "
               "(see GET /api/v1/calendar/provisional-changes).")


def register(app: Flask) -> None:
    for group in (db_cli, users_cli, storage_cli, hazards_cli, audit_cli, media_cli, demo_cli, map_cli, calendar_cli):
        app.cli.add_command(group)


media_cli = AppGroup("media", help="Photos in the object store.")


@media_cli.command("sweep")
@click.option("--grace-hours", default=24.0, show_default=True, type=click.FloatRange(min=0),
              help="Leave unreferenced objects younger than this (uploads on their way to a row).")
@click.option("--dry-run", is_flag=True, help="Report what would be deleted, delete nothing.")
def media_sweep(grace_hours, dry_run):
    """Delete photo objects no row points to; report rows whose objects are missing (exit 1 if an original is).

    Idempotent: run it from cron once a night.
    """
    from datetime import timedelta

    from api.clock import now
    from inspections.media_sweep import sweep_media

    try:
        summary = sweep_media(
            session(), current_app.extensions["object_store"], now=now(), grace=timedelta(hours=grace_hours),
            dry_run=dry_run, progress=lambda message: click.echo(f"  … {message}"),
        )
    except StorageError as error:
        raise click.ClickException(f"The object store at {current_app.config['S3_ENDPOINT_URL']} failed: {error}")
    for missing in summary.missing:
        ids = ", ".join(str(photo_id) for photo_id in missing.photo_ids)
        click.echo(f"MISSING: {missing.key} (photos {ids})")
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"Media sweep done: {summary.scanned} objects scanned, {verb} {summary.deleted} "
               f"({summary.deleted_bytes} bytes), {summary.kept_young} unreferenced kept within the grace period, "
               f"{len(summary.missing_originals)} originals missing, "
               f"{len(summary.missing) - len(summary.missing_originals)} copies missing, {len(summary.errors)} errors.")
    for error in summary.errors:
        click.echo(f"  error: {error}", err=True)
    if summary.missing_originals or summary.errors:
        raise SystemExit(1)


demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--hazards", required=True, type=click.IntRange(min=0), help="How many hazards (about 1 enterprise per 20).")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed: the same seed makes the same district.")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(min=1), help="Hazards per transaction.")
@click.option("--append", is_flag=True, help="Add to a database that already has data.")
@click.option("--password", default=None, help="Password of the demo accounts (default: generated and printed).")
def demo_seed(hazards, seed, batch, append, password):
    """Build a realistic demo district (朝阳区: streets, communities, grids, enterprises, hazards in every state
    over two years, photo rows without image bytes, the audit trail). Refuses a non-empty database unless --append.
    """
    import secrets

    from api.clock import local_tz, now
    from inspections.calendar_store import load_calendar
    from inspections.demo import seed_demo

    password = password or secrets.token_urlsafe(9)
    config = current_app.config
    try:
        summary = seed_demo(
            session(), hazards=hazards, now=now(), tz=local_tz(), calendar=load_calendar(session()), password=password,
            seed=seed, batch=batch, append=append, progress=lambda message: click.echo(f"  … {message}"),
            working_days={"general": config["GENERAL_DEADLINE_WORKING_DAYS"], "major": config["MAJOR_DEADLINE_WORKING_DAYS"]},
        )
    except DomainError as error:
        raise click.ClickException(error.message) from None
    for table, rows in summary.rows.items():
        click.echo(f"  {table:<22} {rows:>10,}")
    click.echo(f"Demo district seeded in {summary.elapsed:.1f} s (demo photos are rows without image bytes).")
    if summary.accounts:
        click.echo(f"Sign in as {', '.join(summary.accounts)} with the password {password}.")
    else:
        click.echo("The demo accounts were there already; their passwords are unchanged.")
