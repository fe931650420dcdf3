"""The operators' commands from docs/contract.md "Running it"."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from api import create_app
from inspections import schema
from tests.api.conftest import API, report
from tests.factories import PASSWORD, login, make_area, make_enterprise, make_user

ROOT = Path(__file__).resolve().parents[2]


def test_users_create_reads_the_password_from_stdin_and_the_user_can_sign_in(runner, client, db_session):
    enterprise = make_enterprise(db_session)
    result = runner.invoke(
        args=["users", "create", "--username", "li", "--role", "enterprise_officer", "--enterprise", str(enterprise.id)],
        input="a secret from stdin\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created enterprise_officer li" in result.output
    me = client.get("/api/v1/me", headers=login(client, "li", "a secret from stdin")).get_json()
    assert me["enterprise_id"] == enterprise.id


def test_users_create_for_an_inspector_binds_the_area(runner, client, db_session):
    make_area(db_session, code="110105001", name="建外街道", level="district")
    result = runner.invoke(args=["users", "create", "--username", "wang", "--role", "inspector", "--area", "110105001"],
                           input="inspector password\n")
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me", headers=login(client, "wang", "inspector password")).get_json()["area_code"] == "110105001"


def test_users_create_explains_what_is_wrong(runner):
    result = runner.invoke(args=["users", "create", "--username", "li", "--role", "enterprise_officer"], input="long enough pw\n")
    assert result.exit_code != 0
    assert "enterprise_id" in result.output
    result = runner.invoke(args=["users", "create", "--username", "x1", "--role", "admin"], input="short\n")
    assert result.exit_code != 0
    assert "password" in result.output


def test_ensure_admin_makes_one_admin_once(runner, client):
    first = runner.invoke(args=["users", "ensure-admin", "--show-password-on", "stdout"])
    assert first.exit_code == 0
    password = first.output.split("with the password ")[1].split()[0]
    assert client.get("/api/v1/me", headers=login(client, "admin", password)).get_json()["role"] == "admin"
    second = runner.invoke(args=["users", "ensure-admin"])
    assert "exists already" in second.output


def test_db_check_says_models_and_migrations_agree(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0
    assert "agree" in result.output


def _flask(app, *args, stdin=""):
    """``flask --app wsgi …`` in a process of its own, configured like ``app``, with no controlling terminal
    (as under a service manager, or with the output sent to a log)."""
    names = ("DATABASE_URL", "S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY",
             "S3_BUCKET", "SECRET_KEY", "AUDIT_KEY")
    env = {**os.environ, **{name: str(app.config[name]) for name in names}}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120, start_new_session=True)


def test_the_first_admins_password_never_reaches_standard_output_or_error(app, runner, client):
    made = _flask(app, "users", "ensure-admin")
    assert made.returncode == 0, made.stderr
    said = made.stdout + made.stderr
    assert "with the password" not in said and "shown on the terminal" not in said
    assert "flask --app wsgi users set-password admin" in said
    # The admin exists with a password nobody saw: set one, and sign in with it.
    reset = runner.invoke(args=["users", "set-password", "admin"], input="the new admin password\n")
    assert reset.exit_code == 0, reset.output
    assert client.get(f"{API}/me", headers=login(client, "admin", "the new admin password")).get_json()["role"] == "admin"


def test_set_password_replaces_a_lost_one_and_signs_the_user_out(runner, client, db_session):
    make_user(db_session, "zhao", "reviewer")
    tokens = client.post(f"{API}/auth/token", json={"username": "zhao", "password": PASSWORD}).get_json()
    result = runner.invoke(args=["users", "set-password", "zhao"], input="a brand new secret\n")
    assert result.exit_code == 0, result.output
    assert "Password of reviewer zhao changed" in result.output
    assert client.post(f"{API}/auth/token", json={"username": "zhao", "password": PASSWORD}).status_code == 401
    assert client.get(f"{API}/me", headers=login(client, "zhao", "a brand new secret")).status_code == 200
    assert client.post(f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_set_password_names_what_is_wrong(runner, db_session):
    make_user(db_session, "zhao", "reviewer")
    unknown = runner.invoke(args=["users", "set-password", "nobody"], input="long enough pw\n")
    assert unknown.exit_code != 0 and "There is no user nobody" in unknown.output
    short = runner.invoke(args=["users", "set-password", "zhao"], input="short\n")
    assert short.exit_code != 0 and "at least 8 characters" in short.output


def test_db_backup_copies_sqlite_into_a_working_database(app, runner, client, district, tmp_path):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite's backup; PostgreSQL has pg_dump (tested below)")
    hazard = report(client, district["wang"], district.plant.id).get_json()
    target = tmp_path / "hazards-backup.db"
    result = runner.invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "pages (100 %)" in result.output and f"to {target}" in result.output
    assert not list(tmp_path.glob(".*partial"))
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no WAL to carry along
    # A copy is a database of its own: at the newest revision, with the rows, served by the app as it is.
    url = f"sqlite:///{target}"
    assert schema.pending_differences(url) == []
    restored = create_app({**{k: app.config[k] for k in ("S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL", "S3_BUCKET",
                                                        "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "SECRET_KEY",
                                                        "AUDIT_KEY", "HAZARDS_ENV")},
                           "TESTING": True, "DATABASE_URL": url})
    try:
        restored_client = restored.test_client()
        listed = restored_client.get(f"{API}/hazards", headers=login(restored_client, "zhao")).get_json()
        assert [h["id"] for h in listed] == [hazard["id"]]
    finally:
        restored.extensions["db_engine"].dispose()
    again = runner.invoke(args=["db", "backup", str(target)])
    assert again.exit_code == 2 and "exists already" in again.output


def test_db_backup_of_postgresql_says_to_use_pg_dump(app, runner, tmp_path):
    if app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    result = runner.invoke(args=["db", "backup", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert "pg_dump" in result.output
    assert not (tmp_path / "x.db").exists()
