"""赵's Monday meeting in a real browser: the district map page, with no base-map tiles reachable.

The hazards are made through the API (as the inspectors' phones make them), some of them left to run past
their deadline; then 赵 signs in through the page's form and looks at the district.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import jwt
import pytest

from tests.api.conftest import API, rectification_photo, report
from tests.factories import PASSWORD, upload_photo

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPORTED_EARLY = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)  # deadlines fall in mid-October
MEETING = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)  # a Monday: all of those are overdue by now (major: 30 working days)
OVERDUE = 8
# The journey runs on both databases (the clusters are counted in SQL); what only the page does, on one.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
# Street S1 is 116.40–116.41 E × 39.90–39.91 N, S2 the same size just east (tests/api/conftest.py).
S1_GRID = [(116.4012 + 0.0016 * i, 39.9015 + 0.0017 * j) for i in range(5) for j in range(5)]  # 25 + 25 below
S2_GRID = [(116.4105 + 0.0009 * i, 39.9005 + 0.0009 * j) for i in range(10) for j in range(10)]  # 100


def _ok(response, status=(200, 201)):
    assert response.status_code in status, response.get_json()
    return response.get_json()


def build_district(client, district, clock) -> dict:
    """258 hazards: 8 overdue in S1 (one major, one with a photo), 50 more in S1, 200 in S2 in all states."""
    inspector = district["district_inspector"]
    made = {"overdue": [], "photo": None}
    clock.set(REPORTED_EARLY)
    for k in range(OVERDUE):
        # In the gaps of the S1 grid below, so that zoomed in each overdue hazard stands on its own.
        lon, lat = 116.4020 + 0.0016 * (k % 4), 39.9011 + 0.0017 * ((k // 4) * 2 + 1)
        hazard = _ok(report(client, inspector, district.plant.id, lat=lat, lon=lon,
                            severity="major" if k == 0 else "general",
                            category="electrical.distribution_box" if k % 2 else "fire.exits"))
        made["overdue"].append(hazard)
    photo_hazard = made["overdue"][3]
    _ok(upload_photo(client, inspector, photo_hazard["id"], kind="evidence"))
    made["photo"] = photo_hazard

    clock.set(MEETING)
    s1 = [(lon, lat - 0.0004) for lon, lat in S1_GRID] + [(lon + 0.0008, lat + 0.0004) for lon, lat in S1_GRID]
    for n, (lon, lat) in enumerate(s1):
        hazard = _ok(report(client, inspector, district.plant.id, lat=round(lat, 6), lon=round(lon, 6)))
        if n % 5 == 0:
            _ok(client.post(f"{API}/hazards/{hazard['id']}/acknowledge", json={}, headers=district["li"]))
    for n, (lon, lat) in enumerate(S2_GRID * 2):
        _ok(report(client, inspector, district.other_plant.id, lat=round(lat + (0.00045 if n >= 100 else 0), 6),
                   lon=round(lon + (0.00045 if n >= 100 else 0), 6)))
    # One closed on the spot (in a corner of S1, apart from the rest; the photo's distance only warns).
    spot = _ok(report(client, district["wang"], district.plant.id, lat=39.9097, lon=116.4004,
                      category="electrical.distribution_box"))
    _ok(rectification_photo(client, district["wang"], spot["id"]))
    _ok(client.post(f"{API}/hazards/{spot['id']}/review", json={"decision": "approve", "comment": "当场整改"},
                    headers=district["wang"]))
    made["total"] = OVERDUE + len(s1) + len(S2_GRID) * 2 + 1
    listed = _ok(client.get(f"{API}/hazards?overdue=true&page_size=100", headers=district["zhao"]))
    assert len(listed) == OVERDUE, "the overdue hazards are overdue at the meeting"
    return made


def map_state(page) -> dict:
    return page.eval_on_selector("#map", "el => Object.assign({}, el.dataset)")


def wait_for_load(page, after: int) -> dict:
    """Wait until the page has drawn an answer newer than load number ``after``."""
    page.wait_for_function(
        "n => { const d = document.getElementById('map').dataset; return d.state === 'ready' && Number(d.loads) > n; }",
        arg=after)
    return map_state(page)


def sign_in(page, live_server, username="zhao", screenshot=None):
    page.goto(live_server.url("/map"))
    if screenshot:
        page.screenshot(path=str(screenshot))
    page.get_by_label("用户名 Username").fill(username)
    page.get_by_label("密码 Password").fill(PASSWORD)
    page.get_by_role("button", name="登录 Sign in").click()
    page.wait_for_selector("#app:not([hidden])")


def test_reviewer_reviews_the_district_on_the_map(page, live_server, client, district, clock, artifacts,
                                                   monkeypatch, app):
    started = time.monotonic()
    made = build_district(client, district, clock)
    monkeypatch.setitem(app.config, "MAP_CENTER", (39.9052, 116.4100))
    monkeypatch.setitem(app.config, "MAP_ZOOM", 13)

    # Sign in through the form; zoomed out (more than 250 hazards in view) the server sends clusters.
    sign_in(page, live_server, screenshot=artifacts / "map-signin.png")
    assert page.locator("#who-name").inner_text().startswith("赵")
    state = wait_for_load(page, 0)
    assert int(state["clusters"]) >= 2 and state["points"] == "0"
    assert int(state["total"]) == made["total"]
    assert page.locator(".hz-cluster").count() == int(state["clusters"])
    assert page.locator(".hz-cluster--overdue").count() >= 1, "a cluster holding overdue hazards is red"
    cluster_sum = page.eval_on_selector_all(".hz-cluster", "els => els.map(e => parseInt(e.firstChild.textContent))")
    assert sum(cluster_sum) == made["total"]
    page.screenshot(path=str(artifacts / "map-clusters.png"))

    # A cluster is a button: Enter zooms into its cell.
    loads = int(state["loads"])
    page.locator(".hz-cluster-icon").first.focus()
    page.keyboard.press("Enter")
    state = wait_for_load(page, loads)
    assert page.evaluate("hazardMap.map.getZoom()") > 13

    # Zoomed in: single hazards, coloured by status, overdue in red.
    loads = int(state["loads"])
    page.evaluate("hazardMap.map.setView([39.9052, 116.4100], 16)")
    state = wait_for_load(page, loads)
    assert state["clusters"] == "0" and int(state["points"]) == made["total"]
    assert page.locator(".hz-marker").count() > 100
    assert page.locator(".hz-marker.hz-overdue").count() == OVERDUE
    assert page.locator(".hz-marker.hz-acknowledged").count() >= 1
    assert page.locator(".hz-marker.hz-closed").count() == 1
    page.screenshot(path=str(artifacts / "map-points.png"))

    # Only the overdue ones.
    loads = int(state["loads"])
    overdue_filter = page.get_by_label("逾期 Overdue", exact=True)
    overdue_filter.select_option("true")
    state = wait_for_load(page, loads)
    assert int(state["points"]) == OVERDUE
    assert page.locator(".hz-marker").count() == OVERDUE
    assert page.locator(".hz-marker:not(.hz-overdue)").count() == 0

    # Open one from the keyboard: its popup shows the photo, the deadline, the enterprise.
    photo = made["photo"]
    marker = page.locator(f".hz-marker:has([data-hazard-id='{photo['id']}'])")
    marker.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert photo["deadline"] in text and "已逾期" in text and "示范机械厂" in text
    thumbnail = popup.locator("img")
    thumbnail.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())

    # The popup's button opens the detail panel: photos and history from the API.
    popup.get_by_role("button", name="查看详情").click()
    detail = page.locator("#detail")
    detail.get_by_text("安全出口被货物堵塞").wait_for()
    assert "照片 Photos（1）" in detail.inner_text() and "上报 reported" in detail.inner_text()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=detail.locator("img").element_handle())
    page.screenshot(path=str(artifacts / "map-detail.png"))
    page.keyboard.press("Escape")
    assert detail.is_hidden()

    # Back to every hazard, and the streets shaded by overdue rate, with the legend and a ranking.
    loads = int(map_state(page)["loads"])
    overdue_filter.select_option("")
    assert int(wait_for_load(page, loads)["points"]) == made["total"]
    areas_toggle = page.get_by_label("区域逾期率 Overdue rate by area")
    areas_toggle.check()
    page.wait_for_function("() => document.getElementById('map').dataset.areas === '2'")
    fills = page.eval_on_selector_all(".leaflet-overlay-pane path.leaflet-interactive",
                                      "els => els.map(e => e.getAttribute('fill'))")
    assert sorted(fills) == sorted(["#fb6a4a", "#fee5d9"]), fills  # S1 8/59 overdue, S2 none
    ranking = page.locator("#ranking-body tr").all_inner_texts()
    assert ranking[0].startswith("建外街道") and "13.6%" in ranking[0], ranking
    assert page.locator(".legend-areas").is_visible()
    if not popup.is_visible():  # the popup outlives refetches; reopen it if it was closed all the same
        marker.focus()
        page.keyboard.press("Enter")
        popup.wait_for()
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
    page.screenshot(path=str(artifacts / "map.png"))

    areas_toggle.uncheck()
    page.wait_for_function("() => document.getElementById('map').dataset.areas === 'off'")
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == 0

    # Nothing left the machine; the page asked for tiles, got none, and said so.
    watch = page.watch
    assert watch.external == []
    assert watch.tile_requests, "the page asks the configured tile server"
    assert map_state(page)["basemap"] == "unavailable"
    assert watch.errors == []
    assert time.monotonic() - started < 60


@SQLITE_ONLY
def test_an_expired_token_is_refreshed_once_then_back_to_sign_in(page, live_server, client, district, app):
    _ok(report(client, district["district_inspector"], district.plant.id, lat=39.903, lon=116.403))
    sign_in(page, live_server)
    wait_for_load(page, 0)
    tokens = page.evaluate("() => [sessionStorage['hazmap.access_token'], sessionStorage['hazmap.refresh_token']]")

    # The access token runs out: the page trades the refresh token for a new pair and carries on.
    claims = jwt.decode(tokens[0], options={"verify_signature": False})
    claims["exp"] = int((datetime.now(timezone.utc) - timedelta(minutes=1)).timestamp())
    expired = jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")
    page.evaluate("t => sessionStorage.setItem('hazmap.access_token', t)", expired)
    loads = int(map_state(page)["loads"])
    page.evaluate("hazardMap.reload()")
    state = wait_for_load(page, loads)
    assert state["points"] == "1"
    renewed = page.evaluate("() => [sessionStorage['hazmap.access_token'], sessionStorage['hazmap.refresh_token']]")
    assert renewed[1] != tokens[1], "the refresh token was spent (it rotates)"
    assert jwt.decode(renewed[0], app.config["SECRET_KEY"], algorithms=["HS256"])["sub"] == claims["sub"]

    # Once the refresh token is no good either, back to the sign-in form, with the tokens gone.
    page.evaluate("t => { sessionStorage.setItem('hazmap.access_token', t);"
                  " sessionStorage.setItem('hazmap.refresh_token', 'revoked'); }", expired)
    page.evaluate("hazardMap.reload()")
    page.locator("#signin-error").wait_for()
    assert "重新登录" in page.locator("#signin-error").inner_text()
    assert page.locator("#app").is_hidden() and page.locator(".hz-marker").count() == 0
    assert page.evaluate("() => sessionStorage.length") == 0
    assert page.watch.errors == [] and page.watch.external == []


@SQLITE_ONLY
@pytest.mark.parametrize("crs", ["wgs84", "gcj02"])
def test_the_gcj02_transform(page, live_server, app, monkeypatch, crs):
    """The page's own WGS-84 → GCJ-02 function against published reference values, and its use in drawing."""
    monkeypatch.setitem(app.config, "MAP_TILE_CRS", crs)
    page.goto(live_server.url("/map"))
    to_gcj = "([lon, lat]) => Gcj02.wgs84ToGcj02(lon, lat)"
    to_wgs = "([lon, lat]) => Gcj02.gcj02ToWgs84(lon, lat)"
    # Beijing, from two independent public implementations (wandergis/coordtransform; Jun Cai's R package).
    assert page.evaluate(to_gcj, [116.404, 39.915]) == pytest.approx([116.41024449916938, 39.91640428150164], abs=1e-9)
    assert page.evaluate(to_gcj, [116.39089, 39.90734]) == pytest.approx([116.39713094, 39.90874107], abs=1e-8)
    # Back again: within a millimetre of where it started; and gcoord's published inverse for (123, 45).
    assert page.evaluate(to_wgs, [116.41024449916938, 39.91640428150164]) == pytest.approx([116.404, 39.915], abs=1e-8)
    assert page.evaluate(to_wgs, [123, 45]) == pytest.approx([122.99395597, 44.99804071], abs=1e-5)
    # Outside China nothing moves (London, Tokyo, the Pacific).
    for point in ([-0.1276, 51.5072], [139.6917, 35.6895], [183, 45]):
        assert page.evaluate(to_gcj, point) == point
        assert page.evaluate(to_wgs, point) == point
    # The page draws with it only when the tiles are GCJ-02.
    drawn = page.evaluate("([lon, lat]) => { const p = hazardMap.toMap(lon, lat); return [p.lng, p.lat]; }",
                          [116.404, 39.915])
    expected = [116.41024449916938, 39.91640428150164] if crs == "gcj02" else [116.404, 39.915]
    assert drawn == pytest.approx(expected, abs=1e-9)
    assert page.watch.errors == []


@SQLITE_ONLY
def test_the_page_shell_is_public_and_self_contained(client, app, monkeypatch):
    """No token needed for the HTML; every script and style from this server; the base map as configured."""
    import json
    import re

    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://t{s}.tianditu.gov.cn/vec_w/x={x}&y={y}&l={z}&tk=K "
                                                    "https://t{s}.tianditu.gov.cn/cva_w/x={x}&y={y}&l={z}&tk=K")
    monkeypatch.setitem(app.config, "MAP_TILE_SUBDOMAINS", "01234567")
    response = client.get("/map")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert assets and all(url.startswith("/") for url in assets), assets
    for url in assets:
        assert client.get(url).status_code == 200, url
    config = json.loads(re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S)[1])
    assert config["tiles"] == app.config["MAP_TILE_URL"].split() and config["subdomains"] == "01234567"
    assert config["crs"] == "wgs84" and config["utc_offset"] == "+08:00"
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "none")
    assert '"tiles": []' in client.get("/map").get_data(as_text=True)
