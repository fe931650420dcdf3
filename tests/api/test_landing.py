"""Every address the start-up banner of ./scripts/run prints answers, `/` and `/api/v1/` lead on to the rest, and
browsers get a favicon from the project."""
from __future__ import annotations

import re
from pathlib import Path

from tests.api.conftest import API

RUN = Path(__file__).resolve().parents[2] / "scripts" / "run"


def banner_paths() -> list[str]:
    """The paths of the app's URLs in the banner (the heredoc after `cat <<URLS`), as the script prints them."""
    banner = RUN.read_text().split("cat <<URLS", 1)[1].split("\nURLS", 1)[0]
    return re.findall(r"http://\$HOST:\$PORT(/\S*)", banner)


def test_the_banner_prints_the_landing_pages():
    assert {"/", "/api/v1/", "/api/v1/docs", "/map", "/ogc", "/healthz", "/readyz"} <= set(banner_paths())


def test_every_address_the_banner_prints_answers(client, district):
    for path in banner_paths():
        # The OGC API is printed "with the bearer token": GIS tools send it; everything else needs none.
        headers = district["zhao"] if path.startswith("/ogc") else {}
        response = client.get(path, headers=headers, follow_redirects=True)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:200])
        assert response.get_data(), path


def test_the_api_index_links_to_the_docs_map_ogc_and_probes_and_each_link_answers(client, district):
    for path in (f"{API}/", API):
        index = client.get(path)
        assert index.status_code == 200, path
        links = index.get_json()["links"]
        assert {"docs", "openapi", "map", "ogc", "health", "ready", "sign_in"} <= set(links)
    for key, link in links.items():
        assert link["href"].startswith("http://localhost/"), link
        target = link["href"].removeprefix("http://localhost")
        if key == "sign_in":  # a POST; a GET is refused naming the method
            assert client.get(target).status_code == 405
            continue
        headers = district["zhao"] if key == "ogc" else {}
        assert client.get(target, headers=headers).status_code == 200, link


def test_the_landing_page_is_a_page_with_those_links(client):
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for path in ("/api/v1/docs", "/map", "/ogc", "/healthz", "/api/v1/"):
        assert f'href="{path}"' in html, path
    assert 'rel="icon" href="/favicon.ico"' in html


def test_the_favicon_is_an_icon_from_the_project(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.get_data()[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    assert icon.get_data() == (Path(__file__).resolve().parents[2] / "api/home/static/favicon.ico").read_bytes()
