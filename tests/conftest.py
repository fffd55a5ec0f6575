"""Shared fixtures: one strict build of the real site, a local server, and Chromium.

Tests are marked here, and only here, by the fixtures they use (directly or not): ``slow``
builds the site, runs the real snippets or runs the builder end to end (stand-in snippets in
real kernels, ``kernels``), ``browser`` drives Chromium (and is slow too, since it needs the
built site or starts a browser). No test file marks itself.
``pytest -m "not slow"`` (``make test-fast``) is the fast loop.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from scripts.figure_builder import DEFAULT_THREADS
from scripts.harness import CHROMIUM, DESKTOP, build_site, html_pages, launch_chromium, serve

# Tests compute what the builder computes, with the builder's torch thread count
# (read when torch is first imported, which no test module does before this).
os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(DEFAULT_THREADS)

# The whole site, every real snippet, or the builder end to end in real kernels.
SLOW_FIXTURES = {"built_site", "site_url", "scratch", "kernels"}
BROWSER_FIXTURES = {"browser", "open_page"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & (SLOW_FIXTURES | BROWSER_FIXTURES):
            item.add_marker(pytest.mark.slow)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def kernels():
    """Asked for by a test that runs the figure builder end to end: its snippets run in real
    Jupyter kernels (seconds each), so the test belongs to the full suite, not the fast loop."""


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """Build the site once with `mkdocs build --strict` (figures included)."""
    site_dir = tmp_path_factory.mktemp("site")
    build = build_site(site_dir)
    assert build.returncode == 0, f"mkdocs build --strict failed:\n{build.stdout}\n{build.stderr}"
    return BuiltSite(site_dir, build.log)


class BuiltSite:
    def __init__(self, path: Path, log: str):
        self.path = path
        self.log = log

    def html_pages(self) -> list[Path]:
        return html_pages(self.path)

    def page(self, url_path: str) -> Path:
        return self.path / url_path.strip("/") / "index.html"


@pytest.fixture(scope="session")
def site_url(built_site):
    """Serve the built site on 127.0.0.1 (a free port) under the path of `site_url`.

    The 404 page links its assets by absolute path, as on GitHub Pages, so the
    site must be served where `site_url` says.
    """
    with serve(built_site.path) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium "
            "(`sudo apt-get install chromium`, or run `make test`, which installs it) "
            "or set CHROMIUM=/path/to/chromium",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = launch_chromium(playwright)
        yield instance
        instance.close()


class PageWatch:
    """Console errors and requests to other hosts seen by one page."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        own_host = urlparse(base_url).netloc
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

        def on_request(request):
            url = urlparse(request.url)
            if url.scheme in ("http", "https", "ws", "wss") and url.netloc != own_host:
                self.foreign_requests.append(request.url)

        page.on("request", on_request)


@pytest.fixture
def open_page(browser, site_url):
    """open_page(path, color_scheme='light', viewport=None) -> PageWatch, with the page loaded
    (default viewport: the harness's DESKTOP window, 1280 × 900)."""
    contexts = []

    def _open(path: str, color_scheme: str = "light", viewport: dict | None = None) -> PageWatch:
        context = browser.new_context(color_scheme=color_scheme, viewport=viewport or DESKTOP)
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page, site_url)
        page.goto(site_url + path, wait_until="load")
        return watch

    yield _open
    for context in contexts:
        context.close()
