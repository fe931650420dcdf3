"""Every 4xx answers flask-smorest's error body with a `message` a phone app can show as it is: field errors of a
body or a query (422), bad JSON (400), a request over the size limit (413), an unknown address (404) and a method
an address does not take (405), as well as the domain's own errors."""
from __future__ import annotations

from tests.api.conftest import API, report


def _body(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["code"] == status
    assert isinstance(body["message"], str) and body["message"].strip(), body
    return body


def test_a_body_with_field_errors_names_the_fields_in_its_message(client, district):
    response = client.post(f"{API}/hazards", json={"enterprise_id": "x", "category": "fire.exits"},
                           headers=district["wang"])
    body = _body(response, 422)
    assert body["message"] == "Some fields are missing or not valid: enterprise_id, severity, description."
    assert body["errors"]["json"]["enterprise_id"] == ["Not a valid integer."]


def test_a_query_with_field_errors_has_a_message(client, district):
    body = _body(client.get(f"{API}/hazards", query_string={"severity": "tiny"}, headers=district["zhao"]), 422)
    assert "severity" in body["message"]
    assert "severity" in body["errors"]["query"]


def test_a_form_with_field_errors_has_a_message(client, district):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    response = client.post(f"{API}/hazards/{hazard_id}/photos", data={"kind": "selfie"},
                           content_type="multipart/form-data", headers=district["wang"])
    body = _body(response, 422)
    assert "kind" in body["message"]


def test_a_whole_schema_error_is_said_in_its_own_words(client, district):
    response = report(client, district["wang"], district.plant.id, lat=39.9)
    body = _body(response, 422)
    assert "lat" in body["message"]


def test_bad_json_says_so(client, district):
    response = client.post(f"{API}/hazards", data=b'{"enterprise_id": ', content_type="application/json",
                           headers=district["wang"])
    body = _body(response, 400)
    assert "JSON" in body["message"]


def test_a_request_over_the_size_limit_says_how_much_is_accepted(app, client, district):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(f"{API}/hazards", data=b" " * (limit + 1), content_type="application/json",
                           headers=district["wang"])
    body = _body(response, 413)
    assert f"{limit / 2**20:.0f} MiB" in body["message"]


def test_an_unknown_address_answers_404_with_a_message(client):
    for path in (f"{API}/nowhere", "/no/such/page", f"{API}/hazards/not-a-uuid"):
        body = _body(client.get(path), 404)
        assert body["status"] == "Not Found"


def test_a_method_an_address_does_not_take_is_405_naming_those_it_takes(client, district):
    response = client.delete(f"{API}/hazards", headers=district["zhao"])
    body = _body(response, 405)
    assert body["message"] == "This address does not take DELETE; it takes GET, HEAD, OPTIONS, POST."
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert response.mimetype == "application/json"


def test_the_domains_own_errors_keep_their_messages(client, district):
    body = _body(client.get(f"{API}/me"), 401)
    assert body["message"].startswith("Sign in first")
    body = _body(client.get(f"{API}/hazards/00000000-0000-4000-8000-000000000000", headers=district["zhao"]), 404)
    assert body["message"]
