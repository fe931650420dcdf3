"""Real GIS clients read /ogc over real HTTP: OWSLib, and GDAL's OAPIF driver through Debian's ``ogrinfo``.

The app is served by werkzeug on a free loopback port in a thread, on the test database of each backend, and
both clients send the bearer token in an Authorization header, as the contract says they do.

``ogrinfo`` comes from Debian's gdal-bin. Without it these tests fail when CI is set (the CI image must have
it) and are skipped with the reason otherwise.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from werkzeug.serving import make_server

from tests.api.conftest import PLANT_LAT, PLANT_LON, district, report  # noqa: F401  (district is a fixture)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLANT_HAZARDS = 23  # with 2 more at the other plant: three pages of 10, so the clients must follow next links
OTHER_HAZARDS = 2
ALL_HAZARDS = PLANT_HAZARDS + OTHER_HAZARDS
OTHER_LAT, OTHER_LON = 39.905, 116.415


def required(what: str, install: str):
    """Fail under CI, where the test image must provide ``what``; elsewhere skip and say how to get it."""
    message = f"{what} is not installed ({install})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must run these tests", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def owslib():
    """OWSLib's Features client, with a module-wide header dict of its own for this test.

    OWSLib merges the headers given to one client into a dict shared by every later client; a fresh copy per
    test keeps one test's token from signing the next one's requests.
    """
    try:
        import owslib.ogcapi
        from owslib.ogcapi.features import Features
    except ImportError:
        required("OWSLib", "pip install -r requirements-dev.txt")
    original = owslib.ogcapi.REQUEST_HEADERS
    owslib.ogcapi.REQUEST_HEADERS = dict(original)
    yield Features
    owslib.ogcapi.REQUEST_HEADERS = original


@pytest.fixture
def ogrinfo() -> str:
    path = shutil.which("ogrinfo")
    if path is None:
        required("ogrinfo", "apt-get install gdal-bin")
    return path


@pytest.fixture
def live_server(app):
    """The app on http://127.0.0.1:<free port>, serving until the test ends."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="ogc-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def hazards(client, district, clock):  # noqa: F811  (district is the fixture imported above)
    """23 hazards at the plant (street S1), then 2 at the other plant (S2), a minute apart; returns their ids."""
    start = datetime(2026, 9, 21, 9, 0, tzinfo=SHANGHAI)
    made = {"plant": [], "other": []}
    for i in range(ALL_HAZARDS):
        clock.set(start + timedelta(minutes=i))
        where, who, enterprise = (("plant", "wang", district.plant) if i < PLANT_HAZARDS
                                  else ("other", "zhang", district.other_plant))
        response = report(client, district[who], enterprise.id, description=f"隐患 {i:02d}")
        assert response.status_code == 201, response.get_json()
        made[where].append(response.get_json()["id"])
    clock.set(datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI))
    return made


# --- OWSLib ----------------------------------------------------------------------------------------------------


def test_owslib_reads_the_landing_page_collections_and_items(owslib, live_server, district, hazards):
    api = owslib(f"{live_server}/ogc", headers=district["zhao"])
    assert {link["rel"] for link in api.links} >= {"self", "service-desc", "conformance", "data"}
    assert "/ogc/collections/{collection_id}/items" in api.api()["paths"]  # the service-desc link works
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in api.conformance()["conformsTo"]
    assert api.feature_collections() == ["hazards"]
    assert api.collection("hazards")["extent"]["spatial"]["bbox"] == [[PLANT_LON, PLANT_LAT, OTHER_LON, OTHER_LAT]]

    page = api.collection_items("hazards", limit=10)
    assert (page["numberMatched"], page["numberReturned"]) == (ALL_HAZARDS, 10)
    newest = page["features"][0]
    assert newest["id"] == hazards["other"][-1]
    assert newest["properties"]["enterprise_name"] == "别家饭店"

    in_s1 = api.collection_items("hazards", bbox=[116.40, 39.90, 116.41, 39.91], limit=100)
    assert in_s1["numberMatched"] == PLANT_HAZARDS
    assert sorted(f["id"] for f in in_s1["features"]) == sorted(hazards["plant"])
    assert api.collection_items("hazards", bbox=[116.40, 39.90, 116.41, 39.91], limit=5)["numberReturned"] == 5
    later = api.collection_items("hazards", datetime_="2026-09-21T01:20:00Z/..", limit=100)
    assert later["numberMatched"] == ALL_HAZARDS - 20

    one = api.collection_item("hazards", hazards["plant"][0])
    assert one["geometry"] == {"type": "Point", "coordinates": [PLANT_LON, PLANT_LAT]}
    assert one["properties"]["description"] == "隐患 00"


def test_owslib_sees_only_what_the_officer_may_see(owslib, live_server, district, hazards):
    api = owslib(f"{live_server}/ogc", headers=district["other_officer"])
    page = api.collection_items("hazards", limit=100)
    assert sorted(f["id"] for f in page["features"]) == sorted(hazards["other"])
    with pytest.raises(RuntimeError, match='"code":404'):
        api.collection_item("hazards", hazards["plant"][0])


def test_owslib_without_a_token_is_refused(owslib, live_server, district, hazards):
    api = owslib(f"{live_server}/ogc")  # OWSLib reads the landing page without looking at its status...
    assert api.links == []
    with pytest.raises(RuntimeError, match='"code":401'):  # ...but every later call fails on it
        api.collections()


# --- GDAL ------------------------------------------------------------------------------------------------------


def gdal_version(ogrinfo: str) -> tuple[int, int]:
    banner = subprocess.run([ogrinfo, "--version"], capture_output=True, text=True, check=True).stdout
    major, minor = re.search(r"GDAL (\d+)\.(\d+)", banner).groups()
    return int(major), int(minor)


def run_ogrinfo(ogrinfo: str, url: str, headers: dict, tmp_path, *args: str) -> subprocess.CompletedProcess:
    """``ogrinfo -ro`` on ``OAPIF:<url>`` sending ``headers`` with every request.

    GDAL 3.6 and later read extra request headers from the GDAL_HTTP_HEADERS configuration option; earlier
    versions only from a file named by GDAL_HTTP_HEADER_FILE. Both go in the environment, not on the command
    line, so the token does not show in the process list.
    """
    env = {**os.environ, "CPL_DEBUG": "OFF"}
    lines = [f"{name}: {value}" for name, value in headers.items()]
    if gdal_version(ogrinfo) >= (3, 6):
        env["GDAL_HTTP_HEADERS"] = "\n".join(lines)
    else:
        header_file = tmp_path / "gdal-headers.txt"
        header_file.write_text("\n".join(lines) + "\n")
        env["GDAL_HTTP_HEADER_FILE"] = str(header_file)
    # PAGE_SIZE=10 makes GDAL follow our next links whatever its version's default page size.
    return subprocess.run([ogrinfo, "-ro", "-oo", "PAGE_SIZE=10", f"OAPIF:{url}", *args], env=env,
                          capture_output=True, encoding="utf-8", timeout=120)


def test_gdal_summary_has_the_layer_count_extent_and_fields(ogrinfo, live_server, district, hazards, tmp_path):
    result = run_ogrinfo(ogrinfo, f"{live_server}/ogc", district["zhao"], tmp_path, "-al", "-so")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Layer name: hazards" in out
    assert "Geometry: Point" in out
    assert f"Feature Count: {ALL_HAZARDS}" in out  # numberMatched, read by the driver
    assert f"Extent: ({PLANT_LON:.6f}, {PLANT_LAT:.6f}) - ({OTHER_LON:.6f}, {OTHER_LAT:.6f})" in out
    for field in ("status: String", "enterprise_name: String", "reported_at: DateTime", "deadline: Date",
                  "enterprise_id: Integer", "overdue: Integer(Boolean)"):
        assert field in out


def items_requests(caplog) -> list[str]:
    """The items URLs the live server was asked for (werkzeug logs each request line)."""
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    return [match[1] for line in lines if (match := re.search(r'"GET (/ogc/collections/hazards/items\S*)', line))]


def test_gdal_reads_every_feature_through_the_pages_and_filters(ogrinfo, live_server, district, hazards, tmp_path,
                                                                 caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    everything = run_ogrinfo(ogrinfo, f"{live_server}/ogc", district["zhao"], tmp_path, "-al", "-q")
    assert everything.returncode == 0, everything.stderr
    assert len(re.findall(r"^OGRFeature\(hazards\):", everything.stdout, re.M)) == ALL_HAZARDS
    assert len(re.findall(r"enterprise_name \(String\) = 示范机械厂$", everything.stdout, re.M)) == PLANT_HAZARDS
    assert len(re.findall(r"enterprise_name \(String\) = 别家饭店$", everything.stdout, re.M)) == OTHER_HAZARDS
    assert "description (String) = 隐患 00" in everything.stdout
    assert f"POINT ({PLANT_LON} {PLANT_LAT})" in everything.stdout
    assert any("offset=20" in url for url in items_requests(caplog))  # it followed the next links to page 3
    caplog.clear()

    # -spat becomes the bbox parameter: only the other plant's two hazards lie east of 116.41.
    east = run_ogrinfo(ogrinfo, f"{live_server}/ogc", district["zhao"], tmp_path, "-al", "-q",
                       "-spat", "116.411", "39.90", "116.42", "39.91")
    assert east.returncode == 0, east.stderr
    assert len(re.findall(r"^OGRFeature\(hazards\):", east.stdout, re.M)) == OTHER_HAZARDS
    assert "示范机械厂" not in east.stdout
    # GDAL first reads a page unfiltered to learn the fields; the features come from bbox requests.
    assert any("bbox=116.41" in url for url in items_requests(caplog))


def test_gdal_counts_only_what_the_officer_may_see(ogrinfo, live_server, district, hazards, tmp_path):
    result = run_ogrinfo(ogrinfo, f"{live_server}/ogc", district["li"], tmp_path, "-al", "-so")
    assert result.returncode == 0, result.stderr
    assert f"Feature Count: {PLANT_HAZARDS}" in result.stdout


def test_gdal_without_a_token_cannot_open_the_service(ogrinfo, live_server, district, hazards, tmp_path):
    result = run_ogrinfo(ogrinfo, f"{live_server}/ogc", {}, tmp_path, "-al", "-so")
    assert result.returncode != 0
    assert "401" in result.stderr or "Sign in first" in result.stderr
