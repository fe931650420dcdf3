"""A real browser on the real app: Debian's Chromium driven by Playwright, the app served on a loopback port.

Playwright cannot download its own browsers here, so it launches /usr/bin/chromium (``apt-get install
chromium``). Without it the browser tests are skipped, except under CI (``CI`` set), where they fail.
The page must not reach past this machine: every request to another host is refused and recorded.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.api.conftest import district  # noqa: F401  (the people and plants of JOURNEYS.md)

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser test may not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -r requirements-dev.txt)")
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # a page asks for dozens of (missing) tiles: keep failures readable
        pass


class LiveServer:
    """The test app on a free loopback port, in a thread; ``url(path)`` is the full address."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()


@pytest.fixture
def live_server(app, monkeypatch):
    """The app served on loopback, its base map pointed at a path of its own that answers 404: the page
    must draw everything without tiles (as on an intranet with no tile server)."""
    with LiveServer(app) as server:
        monkeypatch.setitem(app.config, "MAP_TILE_URL", server.url("/no-tiles/{z}/{x}/{y}.png"))
        yield server


class PageWatch:
    """What the page did that a person would not see: requests off the machine, script errors, tiles asked."""

    def __init__(self):
        self.external: list[str] = []
        self.errors: list[str] = []
        self.tile_requests: list[str] = []


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (its own sessionStorage) that may talk only to the live server."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    watch = PageWatch()

    def guard(route):
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:")) or host in LOOPBACK:
            if "/no-tiles/" in url:
                watch.tile_requests.append(url)
            route.continue_()
        else:
            watch.external.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    tab = context.new_page()
    tab.on("pageerror", lambda error: watch.errors.append(f"page error: {error}"))
    tab.on("console", lambda message: watch.errors.append(f"console {message.type}: {message.text}")
           if message.type == "error" and "Failed to load resource" not in message.text else None)
    tab.watch = watch
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
