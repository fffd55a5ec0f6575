"""axe-core in Chromium: no serious or critical violation on any page, in either palette."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from scripts.harness import PHONE, search_box

BLOCKING = {"serious", "critical"}


def site_paths(built_site) -> list[str]:
    paths = []
    for page in built_site.html_pages():
        relative = page.relative_to(built_site.path).as_posix()
        if relative == "404.html":
            paths.append("/404.html")
        elif relative.endswith("index.html"):
            paths.append("/" + relative[: -len("index.html")])
    return paths


def test_every_page_is_checked(built_site):
    paths = site_paths(built_site)
    assert "/" in paths and "/qna/complexity/" in paths and len(paths) >= 15


@pytest.mark.parametrize(
    "scheme,viewport", [("light", None), ("dark", None), ("light", PHONE)], ids=["light", "dark", "light-phone"]
)
def test_no_serious_or_critical_violation(built_site, open_page, scheme, viewport):
    # On a phone, wide tables, code and math scroll sideways: they must be keyboard-focusable.
    axe = Axe()
    problems = []
    for path in site_paths(built_site):
        page = open_page(path, color_scheme=scheme, viewport=viewport).page
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"][:3]]
                problems.append(f"{path}: {violation['id']} ({violation['impact']}): {targets}")
        page.context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_empty_state_has_no_serious_or_critical_violation(open_page, site_url, scheme):
    """The suggestions shown for a query with no hit (terms as buttons, topics as links, a formula hint)."""
    page = open_page("/", color_scheme=scheme).page
    search_box.open_search(page)
    assert search_box.run_query(page, "층졍규화 zzz", urlparse(site_url).path.rstrip("/") + "/") == []
    page.wait_for_selector(".korean-search-empty[role=status] button", timeout=10_000)
    results = Axe().run(page, context=".md-search")
    problems = [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes'][:3]]}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]
    assert not problems, "\n".join(problems)
