"""Probes, the OpenAPI document and the docs page, and answers when a dependency is down."""

from tests.factories import login, make_area, make_user


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "object_store": "ok", "rate_limit_storage": "ok"}


def test_readyz_is_503_when_the_object_store_is_down(client, app, monkeypatch):
    from media.storage import ObjectStore

    dead = ObjectStore("http://127.0.0.1:9", "nothing", "k", "s")
    monkeypatch.setitem(app.extensions, "object_store", dead)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["checks"]["object_store"].startswith("unavailable")
    assert response.get_json()["checks"]["database"] == "ok"


def test_a_database_that_is_down_answers_503_not_500(client, app, db_session, monkeypatch):
    make_area(db_session)
    make_user(db_session, "zhao", "reviewer")
    headers = login(client, "zhao")
    from inspections.db import make_engine, make_session_factory

    dead = make_engine("postgresql://nobody@127.0.0.1:9/none", connect_args={"connect_timeout": 2})
    monkeypatch.setitem(app.extensions, "db_sessions", make_session_factory(dead))
    response = client.get("/api/v1/areas", headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["code"] == 503


def test_openapi_document_describes_the_contract(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in ["/api/v1/auth/token", "/api/v1/auth/refresh", "/api/v1/me", "/api/v1/areas", "/api/v1/enterprises",
                 "/api/v1/users"]:
        assert path in paths, path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert paths["/api/v1/auth/token"]["post"]["security"] == []
    assert paths["/api/v1/me"]["get"]["summary"].startswith("The signed-in user")


def test_docs_page_uses_only_local_assets(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "//cdn" not in html and "unpkg" not in html
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/vendor/swagger-ui/swagger-ui.css").status_code == 200
