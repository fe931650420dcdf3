"""赵's Monday meeting in a real browser: the district map page, with no base-map tiles reachable.

The hazards are made through the API (as the inspectors' phones make them), some of them left to run past
their deadline; then 赵 signs in through the page's form and looks at the district.
"""
from __future__ import annotations

import re
import zipfile
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


def box_of(page, selector: str) -> dict:
    return page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect();"
                                           " return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }")


def overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


# What a cluster paints on screen: its disc (with the 1 px outline) and its overdue badge.
CLUSTER_BOXES = """els => els.map(icon => {
  const parts = [icon.querySelector('.hz-cluster'), icon.querySelector('.hz-badge')].filter(Boolean)
    .map(e => e.getBoundingClientRect());
  return {left: Math.min(...parts.map(r => r.left)) - 1, top: Math.min(...parts.map(r => r.top)) - 1,
          right: Math.max(...parts.map(r => r.right)) + 1, bottom: Math.max(...parts.map(r => r.bottom)) + 1,
          count: parseInt(icon.querySelector('.hz-cluster').firstChild.textContent)};
})"""


def assert_clusters_apart(page) -> list[dict]:
    """No two clusters on screen touch (read from the browser's boxes); returns the boxes."""
    boxes = page.eval_on_selector_all(".hz-cluster-icon", CLUSTER_BOXES)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not overlap(a, b), f"clusters overlap at zoom {page.evaluate('hazardMap.map.getZoom()')}: {a} {b}"
    return boxes


def set_view(page, lat: float, lon: float, zoom: int) -> dict:
    loads = int(map_state(page)["loads"])
    page.evaluate("([lat, lon, zoom]) => hazardMap.map.setView([lat, lon], zoom, {animate: false})", [lat, lon, zoom])
    return wait_for_load(page, loads)


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
    made = build_district(client, district, clock)
    monkeypatch.setitem(app.config, "MAP_CENTER", (31.23, 121.47))  # somewhere else: only the fallback

    # Sign in through the form: the map opens on 赵's district (its two streets), not on MAP_CENTER, with the
    # streets shaded by overdue rate and named at their centres.
    sign_in(page, live_server, screenshot=artifacts / "map-signin.png")
    assert page.locator("#who-name").inner_text().startswith("赵")
    wait_for_load(page, 0)
    assert map_state(page)["home"] == "area"
    shown = page.evaluate("() => { const b = hazardMap.map.getBounds(); return [b.getWest(), b.getSouth(),"
                          " b.getEast(), b.getNorth(), hazardMap.map.getZoom()]; }")
    assert shown[0] <= 116.40 and shown[1] <= 39.90 and shown[2] >= 116.42 and shown[3] >= 39.91, shown
    assert shown[2] - shown[0] < 0.02 * 2.5, "fitted to the district, not a wider view"
    assert page.get_by_label("区域逾期率 Overdue rate by area").is_checked(), "shading is on for a reviewer"
    page.wait_for_function("() => document.getElementById('map').dataset.areas === '2'")
    labels = page.eval_on_selector_all(".area-label", "els => els.map(e => { const r = e.getBoundingClientRect();"
                                       " return [e.textContent, (r.left + r.right) / 2, (r.top + r.bottom) / 2,"
                                       " getComputedStyle(e).visibility]; })")
    assert sorted(label[0] for label in labels) == ["三里屯街道", "建外街道"]
    streets = page.eval_on_selector_all(".leaflet-overlay-pane path.leaflet-interactive",
                                        "els => els.map(e => { const r = e.getBoundingClientRect();"
                                        " return [(r.left + r.right) / 2, (r.top + r.bottom) / 2]; })")
    for _, x, y, visibility in labels:  # each name at the centre of one of the (square) streets, on show
        assert visibility == "visible"
        assert min(abs(x - cx) + abs(y - cy) for cx, cy in streets) < 3
    page.screenshot(path=str(artifacts / "map-home.png"))

    # Zoomed out (more than 250 hazards in view) the server sends clusters.
    state = set_view(page, 39.9052, 116.4100, 13)
    assert int(state["clusters"]) >= 2 and state["points"] == "0"
    assert int(state["total"]) == made["total"]
    assert page.locator(".hz-cluster").count() == int(state["clusters"])
    assert page.locator(".hz-cluster--overdue").count() >= 1, "a cluster holding overdue hazards is red"
    cluster_sum = page.eval_on_selector_all(".hz-cluster", "els => els.map(e => parseInt(e.firstChild.textContent))")
    assert sum(cluster_sum) == made["total"]
    assert_clusters_apart(page)
    page.screenshot(path=str(artifacts / "map-clusters.png"))
    for zoom in (14, 15):  # still clusters (all 258 in view), never touching
        assert int(set_view(page, 39.9052, 116.4100, zoom)["clusters"]) >= 2
        assert_clusters_apart(page)
        page.screenshot(path=str(artifacts / f"map-clusters-{zoom}.png"))
    state = set_view(page, 39.9052, 116.4100, 13)

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
    assert areas_toggle.is_checked()
    page.wait_for_function("() => document.getElementById('map').dataset.areas === '2'")
    fills = page.eval_on_selector_all(".leaflet-overlay-pane path.leaflet-interactive",
                                      "els => els.map(e => e.getAttribute('fill'))")
    assert sorted(fills) == sorted(["#fb6a4a", "#fee5d9"]), fills  # S1 8/59 overdue, S2 none
    # The ranking is by on-time rate, closed on time ÷ due: S1 closed one on time and left 8 overdue (1 of 9),
    # S2 has nothing due yet (no rate, last).
    assert ranking_rows(page) == ["1. 建外街道 11.1% 1.7% 8", "2. 三里屯街道 — 0.0% 0"]
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


PLAN = {"objectives": "更换防火门，恢复防火分隔", "measures": "定制甲级防火门并安装闭门器", "funds": "企业自筹 3 万元",
        "responsible": "设备科 李工", "timeline": "三周内完成", "safety_measures": "施工期间设临时防火隔离和专人值守"}
MAJOR_AT = (39.9060, 116.4050)  # in street S1, apart from everything else


def build_meeting(client, district, clock, db_session) -> dict:
    """The streets for ranking, and a major hazard whose plan was carried out, waiting for 赵.

    S2 closed both its hazards on time (100 %); S1 closed one, late (0 of 1 due); S3 closed none and has one overdue
    (0 of 1 due as well: after S1 by code). The major hazard's rectification photo was taken
    300 m away, so approving it needs a comment.
    """
    from tests.factories import make_area, make_enterprise, square

    make_area(db_session, code="S3", name="团结湖街道", level="street", parent_code="D1", boundary=square(116.42, 39.90))
    depot = make_enterprise(db_session, name="团结湖仓库", lat=39.905, lon=116.425, area_code="S3")
    inspector = district["district_inspector"]
    clock.set(REPORTED_EARLY)
    late = _ok(report(client, inspector, district.plant.id, lat=39.9020, lon=116.4020))
    _ok(report(client, inspector, depot.id, lat=39.905, lon=116.425))  # S3: overdue at the meeting
    clock.set(MEETING - timedelta(days=14))
    major = _ok(report(client, inspector, district.plant.id, lat=MAJOR_AT[0], lon=MAJOR_AT[1], severity="major",
                       description="防火门损坏，无法自行关闭"))
    clock.set(MEETING)
    # Each photo a different picture: one that already closed a hazard would be refused.
    for lat, picture in ((39.905, "exexif_pp_editors_no_exif.jpg"), (39.906, "drew_Photo_1.webp")):
        # S2: found and put right on the spot by 张.
        spot = _ok(report(client, district["zhang"], district.other_plant.id, lat=lat, lon=116.415))
        _ok(upload_photo(client, district["zhang"], spot["id"], name=picture, lat=lat + 0.0001, lon=116.415,
                         taken_at=MEETING))
        _ok(client.post(f"{API}/hazards/{spot['id']}/review", json={"decision": "approve", "comment": "当场整改"},
                        headers=district["zhang"]))
    _ok(upload_photo(client, district["wang"], late["id"], name="exifr_IMG_20180725_163423-1.png", lat=39.9021,
                     lon=116.4020, taken_at=MEETING))
    _ok(client.post(f"{API}/hazards/{late['id']}/review", json={"decision": "approve", "comment": "逾期后整改"},
                    headers=district["wang"]))

    li = district["li"]
    _ok(client.post(f"{API}/hazards/{major['id']}/acknowledge", json={}, headers=li))
    _ok(client.put(f"{API}/hazards/{major['id']}/plan", json=PLAN, headers=li))
    photo = _ok(upload_photo(client, li, major["id"], name="recurser_Portrait_0.jpg", lat=MAJOR_AT[0] + 300 / 111_195,
                             lon=MAJOR_AT[1], taken_at=MEETING - timedelta(hours=2)))
    submitted = _ok(client.post(f"{API}/hazards/{major['id']}/rectification",
                                json={"measures": "已更换甲级防火门", "photo_ids": [photo["id"]]}, headers=li))
    assert submitted["status"] == "submitted" and submitted["closure_checks"]["warnings"] == ["outside_radius"]
    return {"major": major}


def ranking_rows(page) -> list[str]:
    return [" ".join(row.split()) for row in page.locator("#ranking-body tr").all_inner_texts()]


def test_reviewer_closes_a_major_hazard_exports_the_ledger_and_ranks_the_streets(
        page, live_server, client, district, clock, db_session, artifacts, monkeypatch, app, tmp_path):
    made = build_meeting(client, district, clock, db_session)
    major = made["major"]
    monkeypatch.setitem(app.config, "MAP_CENTER", MAJOR_AT)
    monkeypatch.setitem(app.config, "MAP_ZOOM", 16)
    sign_in(page, live_server)
    wait_for_load(page, 0)

    # The statistics rank the streets by on-time rate, with the rectification rate and the open overdue beside.
    ranking = page.locator("#area-ranking")
    page.wait_for_function("() => document.getElementById('area-ranking').dataset.state === 'ready'")
    assert ranking.is_visible()
    assert "按期整改率排名" in ranking.inner_text()
    assert ranking_rows(page) == ["1. 三里屯街道 100.0% 100.0% 0", "2. 建外街道 0.0% 50.0% 0", "3. 团结湖街道 0.0% 0.0% 1"]
    ranking.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "map-ranking.png"))

    # Only the major hazards; 赵 opens the submitted one from its popup.
    loads = int(map_state(page)["loads"])
    page.get_by_label("等级 Severity").select_option("major")
    assert wait_for_load(page, loads)["points"] == "1"
    page.locator(f".hz-marker.hz-submitted:has([data-hazard-id='{major['id']}'])").click()
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_role("button", name="查看详情").click()
    detail = page.locator("#detail")
    page.wait_for_function("id => { const d = document.getElementById('detail').dataset;"
                           " return d.state === 'ready' && d.hazardId === id; }", arg=major["id"])
    text = detail.inner_text()
    # The plan that was carried out, and what the service found about the rectification photo.
    assert "治理方案 Remediation plan" in text
    for part in PLAN.values():
        assert part in text
    assert "整改核验" in text and "已更换甲级防火门" in text
    assert "不在隐患现场" in text and "超出范围" in text and "上报后拍摄" in text
    approve = detail.get_by_role("button", name="复查通过（销号）Approve")
    assert approve.is_visible() and detail.get_by_role("button", name="驳回 Reject").is_visible()
    page.screenshot(path=str(artifacts / "map-review.png"))

    # Approving despite a warning without saying why: the API's 422 is shown, nothing changes.
    approve.click()
    error = page.locator("#review-error")
    error.wait_for()
    assert "needs a comment" in error.inner_text() and "outside_radius" in error.inner_text()
    assert client.get(f"{API}/hazards/{major['id']}", headers=district["zhao"]).get_json()["status"] == "submitted"

    # With the reason: closed. The panel, the marker and the ranking follow.
    loads = int(map_state(page)["loads"])
    ranked = int(ranking.get_attribute("data-loads"))
    page.get_by_label("复查意见 Comment").fill("现场复查：防火门已更换，照片为远处拍摄")
    approve.click()
    page.wait_for_function("() => document.getElementById('detail').dataset.status === 'closed'")
    assert "复查通过，隐患已销号" in detail.inner_text() and "已销号 closed" in detail.inner_text()
    assert "复查通过 approved · 赵" in detail.inner_text()
    assert detail.get_by_role("button", name="复查通过（销号）Approve").count() == 0
    wait_for_load(page, loads)
    assert page.locator(f".hz-marker.hz-closed:has([data-hazard-id='{major['id']}'])").count() == 1
    popup.wait_for(state="detached")  # the popup of the hazard as it was is gone (after its fade)
    assert page.evaluate("document.activeElement.id") == "detail", "focus stays in the panel"
    page.wait_for_function("n => Number(document.getElementById('area-ranking').dataset.loads) > n", arg=ranked)
    page.screenshot(path=str(artifacts / "map-approved.png"))
    assert client.get(f"{API}/hazards/{major['id']}", headers=district["zhao"]).get_json()["status"] == "closed"
    page.keyboard.press("Escape")

    # Back to every severity: S1 closed the major hazard within its deadline, 1 of 2 on time now.
    ranked = int(ranking.get_attribute("data-loads"))
    page.get_by_label("等级 Severity").select_option("")
    page.wait_for_function("n => Number(document.getElementById('area-ranking').dataset.loads) > n", arg=ranked)
    assert ranking_rows(page) == ["1. 三里屯街道 100.0% 100.0% 0", "2. 建外街道 50.0% 100.0% 0", "3. 团结湖街道 0.0% 0.0% 1"]

    # The ledger for the meeting, with the page's filters (major only): an Excel workbook downloaded.
    page.get_by_label("等级 Severity").select_option("major")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="导出台账（Excel）").click()
    download = downloading.value
    assert download.suggested_filename == "隐患台账-20261116.xlsx"  # the meeting's day
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as workbook:
        assert "隐患台账" in workbook.read("xl/workbook.xml").decode()
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert major["id"] in sheet and len(re.findall(r"<row ", sheet)) == 2  # the header and the major hazard
    assert "隐患台账-20261116.xlsx" in page.locator("#export-status").inner_text()

    assert page.watch.errors == [] and page.watch.external == []


@SQLITE_ONLY
def test_an_officer_is_shown_no_ranking(page, live_server, client, district):
    """The statistics compare streets: an enterprise officer's page leaves the ranking out, without an error."""
    _ok(report(client, district["district_inspector"], district.plant.id, lat=39.903, lon=116.403))
    sign_in(page, live_server, username="li")
    wait_for_load(page, 0)
    page.wait_for_function("() => document.getElementById('area-ranking').dataset.state === 'error'")
    assert page.locator("#area-ranking").is_hidden()
    assert "is-error" not in (page.locator("#status").get_attribute("class") or "")
    assert page.watch.errors == [] and page.watch.external == []


@SQLITE_ONLY
def test_the_ledger_file_name_from_content_disposition(page, live_server):
    page.goto(live_server.url("/map"))
    name = "([header, fallback]) => HazardLedger.filenameOf(header, fallback)"
    assert page.evaluate(name, ["attachment; filename=hazards.xlsx", "x.xlsx"]) == "hazards.xlsx"
    assert page.evaluate(name, ['attachment; filename="ledger 2026.xlsx"', "x.xlsx"]) == "ledger 2026.xlsx"
    # RFC 5987's filename* wins over the ASCII stand-in.
    assert page.evaluate(name, ["attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''%E9%9A%90%E6%82%A3%E5%8F%B0"
                                "%E8%B4%A6.xlsx", "x.xlsx"]) == "隐患台账.xlsx"
    assert page.evaluate(name, [None, "hazards.xlsx"]) == "hazards.xlsx"
    assert page.evaluate(name, ['attachment; filename="../../evil.xlsx"', "x.xlsx"]) == ".._.._evil.xlsx"
    assert page.evaluate(name, ["attachment; filename*=UTF-8''%E0%A4%A", "x.xlsx"]) == "x.xlsx"  # bad escape


@SQLITE_ONLY
def test_a_refused_decision_shows_the_apis_message(page, live_server, client, district, app, monkeypatch):
    """赵 has the submitted hazard open while 周 rejects it: her approval is refused (409) and the page says why."""
    from tests.api.conftest import PLANT_LAT, PLANT_LON, rectification_photo

    hazard = _ok(report(client, district["district_inspector"], district.plant.id, lat=PLANT_LAT, lon=PLANT_LON))
    _ok(client.post(f"{API}/hazards/{hazard['id']}/acknowledge", json={}, headers=district["li"]))
    photo = _ok(rectification_photo(client, district["li"], hazard["id"]))
    _ok(client.post(f"{API}/hazards/{hazard['id']}/rectification", json={"measures": "已清理", "photo_ids": [photo["id"]]},
                    headers=district["li"]))
    monkeypatch.setitem(app.config, "MAP_CENTER", (PLANT_LAT, PLANT_LON))
    monkeypatch.setitem(app.config, "MAP_ZOOM", 16)
    sign_in(page, live_server)
    wait_for_load(page, 0)
    page.locator(f".hz-marker:has([data-hazard-id='{hazard['id']}'])").click()
    page.locator(".leaflet-popup-content").get_by_role("button", name="查看详情").click()
    detail = page.locator("#detail")
    page.wait_for_function("() => document.getElementById('detail').dataset.state === 'ready'")
    assert "核验通过" in detail.inner_text()  # 12 m away, just now: every check passed

    _ok(client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "reject", "comment": "照片不清楚"},
                    headers=district["zhou"]))
    loads = int(map_state(page)["loads"])
    detail.get_by_role("button", name="复查通过（销号）Approve").click()
    error = page.locator("#review-error")
    error.wait_for()
    assert error.inner_text().startswith("无法操作 Not possible: Cannot approve a hazard that is acknowledged")
    wait_for_load(page, loads)  # and the map shows the hazard as it now is
    assert page.locator(f".hz-marker.hz-acknowledged:has([data-hazard-id='{hazard['id']}'])").count() == 1
    assert page.watch.errors == [] and page.watch.external == []


def corner_of_cells(zoom: int, lon: float, lat: float) -> tuple[float, float]:
    """The corner of four grid cells of ``zoom`` nearest (lon, lat): a corner of the cells of every finer zoom too."""
    from inspections.map_grid import Grid, lat_of, lon_of, pixel

    size = Grid(zoom).size
    x, y = pixel(lon, lat)
    return lon_of(round(x / size) * size), lat_of(round(y / size) * size)


@SQLITE_ONLY
def test_clusters_never_overlap_at_any_zoom(page, live_server, client, district, artifacts):
    """Four crowds of hazards a few metres either side of the corner where four grid cells meet: four clusters
    whose mean positions almost coincide. Each is drawn inside its own cell's square, so none touches another."""
    lon0, lat0 = corner_of_cells(11, 116.405, 39.905)
    inspector = district["district_inspector"]
    for quadrant, (sx, sy) in enumerate(((-1, -1), (1, -1), (-1, 1), (1, 1))):
        for k in range(70 if quadrant else 75):  # 285 in all: more than a box shows one by one
            lon, lat = lon0 + sx * (0.00002 + 0.000004 * (k % 7)), lat0 + sy * (0.00002 + 0.000004 * (k // 7))
            _ok(report(client, inspector, district.plant.id, lat=round(lat, 7), lon=round(lon, 7)))
    sign_in(page, live_server)
    wait_for_load(page, 0)
    for zoom in (11, 12, 13, 14, 15, 16, 17):
        state = set_view(page, lat0, lon0, zoom)
        if zoom < 16:
            assert int(state["clusters"]) == 4, (zoom, state)
        boxes = assert_clusters_apart(page)
        if zoom < 16:
            assert sorted(b["count"] for b in boxes) == [70, 70, 70, 75]
            page.screenshot(path=str(artifacts / f"map-cluster-corner-{zoom}.png"),
                            clip={"x": min(b["left"] for b in boxes) - 40, "y": min(b["top"] for b in boxes) - 40,
                                  "width": 240, "height": 240})
    # Zooming out with the old clusters on screen: they are laid out again for the zoom they are now seen at.
    set_view(page, lat0, lon0, 14)
    page.evaluate("hazardMap.map.setZoom(13, {animate: false})")
    assert_clusters_apart(page)
    assert page.watch.errors == [] and page.watch.external == []


@SQLITE_ONLY
def test_the_map_opens_on_the_callers_area(page, live_server, client, district, app, monkeypatch, artifacts):
    """王 (inspector of street S1) opens on S1, 李 (officer) on her plant, and without any area boundary the
    configured MAP_CENTER is the fallback. Shading is off by default for them (it is on for reviewers)."""
    monkeypatch.setitem(app.config, "MAP_CENTER", (31.23, 121.47))
    monkeypatch.setitem(app.config, "MAP_ZOOM", 12)
    _ok(report(client, district["wang"], district.plant.id, lat=39.903, lon=116.403))
    sign_in(page, live_server, username="wang")
    wait_for_load(page, 0)
    bounds = page.evaluate("() => { const b = hazardMap.map.getBounds(); return [b.getWest(), b.getSouth(),"
                           " b.getEast(), b.getNorth()]; }")
    assert bounds[0] <= 116.40 and bounds[1] <= 39.90 and bounds[2] >= 116.41 and bounds[3] >= 39.91, bounds
    assert bounds[2] - bounds[0] < 0.03, "S1 (0.01° wide) fills the map"
    assert not page.get_by_label("区域逾期率 Overdue rate by area").is_checked()
    assert page.locator(".leaflet-overlay-pane path").count() == 0 and page.locator(".area-label").count() == 0
    page.screenshot(path=str(artifacts / "map-home-inspector.png"))

    page.get_by_role("button", name="退出 Sign out").click()
    sign_in(page, live_server, username="li")
    page.wait_for_function("() => document.getElementById('map').dataset.home === 'enterprise'")
    center = page.evaluate("() => { const c = hazardMap.map.getCenter(); return [c.lat, c.lng, hazardMap.map.getZoom()]; }")
    assert center == pytest.approx([39.903, 116.403, 16], abs=1e-6)

    # Without a boundary anywhere in the district, the reviewer's map falls back to MAP_CENTER and MAP_ZOOM.
    page.get_by_role("button", name="退出 Sign out").click()
    for code in ("S1", "S2"):
        assert client.patch(f"{API}/areas/{code}", json={"boundary": None}, headers=district["admin"]).status_code == 200
    sign_in(page, live_server, username="zhao")
    page.wait_for_function("() => document.getElementById('map').dataset.home === 'configured'")
    center = page.evaluate("() => { const c = hazardMap.map.getCenter(); return [c.lat, c.lng, hazardMap.map.getZoom()]; }")
    assert center == pytest.approx([31.23, 121.47, 12], abs=1e-6)
    assert page.watch.errors == [] and page.watch.external == []


@SQLITE_ONLY
def test_a_popup_is_never_hidden_behind_the_detail_panel(page, live_server, client, district, artifacts, app,
                                                         monkeypatch):
    """赵 opens a hazard near the map's right edge and then its details: the panel covers the right of the map,
    so the map moves the popup out from under it; a popup opened while the panel is up is kept clear of it too."""
    east = _ok(report(client, district["district_inspector"], district.other_plant.id, lat=39.9050, lon=116.4190))
    west = _ok(report(client, district["district_inspector"], district.other_plant.id, lat=39.9050, lon=116.4150))
    monkeypatch.setitem(app.config, "MAP_CENTER", (39.9050, 116.4150))  # the same view whether fitted or not
    monkeypatch.setitem(app.config, "MAP_ZOOM", 16)
    sign_in(page, live_server)
    wait_for_load(page, 0)
    # Put the east hazard 60 px from the map's right edge, where the panel will open.
    page.evaluate("""([lat, lon]) => { const m = hazardMap.map; const p = m.latLngToContainerPoint([lat, lon]);
                     m.panBy([p.x - (m.getSize().x - 60), 0], {animate: false}); }""", [east["lat"], east["lon"]])
    wait_for_load(page, 0)
    page.locator(f".hz-marker:has([data-hazard-id='{east['id']}'])").click()
    popup = page.locator(".leaflet-popup")
    popup.wait_for()
    popup.get_by_role("button", name="查看详情").click()
    page.wait_for_function("() => document.getElementById('detail').dataset.state === 'ready'")
    page.wait_for_function("""() => { const p = document.querySelector('.leaflet-popup').getBoundingClientRect();
                                      const d = document.getElementById('detail').getBoundingClientRect();
                                      return p.right <= d.left; }""", timeout=5000)
    assert not overlap(box_of(page, ".leaflet-popup"), box_of(page, "#detail"))
    page.screenshot(path=str(artifacts / "map-popup-beside-panel.png"))

    # With the panel up, a hazard just left of it: its popup (300 px wide, centred on it) would reach under.
    page.evaluate("() => hazardMap.map.closePopup()")
    popup.wait_for(state="detached")
    panel = box_of(page, "#detail")
    page.evaluate("""([lat, lon, x]) => { const m = hazardMap.map; const p = m.latLngToContainerPoint([lat, lon]);
                     m.panBy([p.x - x, 0], {animate: false}); }""",
                  [west["lat"], west["lon"], panel["left"] - box_of(page, "#map")["left"] - 40])
    page.locator(f".hz-marker:has([data-hazard-id='{west['id']}'])").click()
    popup.wait_for()
    page.wait_for_function("""() => { const p = document.querySelector('.leaflet-popup').getBoundingClientRect();
                                      const d = document.getElementById('detail').getBoundingClientRect();
                                      return p.right <= d.left; }""", timeout=5000)
    assert not overlap(box_of(page, ".leaflet-popup"), box_of(page, "#detail"))
    assert page.locator("#detail").is_visible()
    page.screenshot(path=str(artifacts / "map-popup-with-panel-open.png"))
    assert page.watch.errors == [] and page.watch.external == []
