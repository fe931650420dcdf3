"""The operators' commands from CONTRACT.md "Running it"."""
from tests.factories import login, make_area, make_enterprise


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
    first = runner.invoke(args=["users", "ensure-admin"])
    assert first.exit_code == 0
    password = first.output.split("with the password ")[1].split()[0]
    assert client.get("/api/v1/me", headers=login(client, "admin", password)).get_json()["role"] == "admin"
    second = runner.invoke(args=["users", "ensure-admin"])
    assert "exists already" in second.output


def test_db_check_says_models_and_migrations_agree(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0
    assert "agree" in result.output
