"""Material's search box in Chromium, and the query set it is measured on (tests/search_queries.yml):
what tests/test_search.py asserts and `make bench-search` reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scripts.harness.site import ROOT

QUERIES = ROOT / "tests" / "search_queries.yml"
QUERY_BOX = "input[data-md-component=search-query]"


@dataclass(frozen=True)
class Query:
    q: str
    page: str  # URL path relative to the site root, e.g. "qna/complexity/"
    section: str = ""  # heading id the page's result must offer, or ""
    kind: str = ""


def page_url(docs_path: str) -> str:
    """docs path -> URL path as MkDocs makes it (use_directory_urls)."""
    stem = docs_path.removesuffix(".md")
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def load_queries(path: Path = QUERIES) -> list[Query]:
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Query(str(e["q"]), page_url(e["page"]), e.get("section", ""), e.get("kind", "")) for e in raw]


@dataclass
class ResultItem:
    page: str  # URL path of the article, relative to the site root
    sections: list[str]  # heading ids of the sections listed under it, in order


RESULTS_JS = """
(base) => [...document.querySelectorAll('.md-search-result__list > .md-search-result__item')].map(item => {
  const links = [...item.querySelectorAll('a.md-search-result__link')].map(a => new URL(a.href));
  const rel = url => decodeURIComponent(url.pathname).slice(base.length);
  return {
    page: links.length ? rel(links[0]) : '',
    sections: links.slice(1).map(url => decodeURIComponent(url.hash.slice(1))),
  };
})
"""

MARK_STALE_JS = """
() => {
  const list = document.querySelector('.md-search-result__list');
  const marker = document.createElement('li');
  marker.setAttribute('data-stale', '');
  list.prepend(marker);
}
"""


def open_search(page, timeout: float = 15_000) -> None:
    """Open Material's search dialog by focusing its query box; wait until the index is loaded."""
    label = page.locator("header label.md-header__button[for=__search]")
    if label.is_visible():  # a phone-sized window: the box opens from the header's search button
        label.click()
    else:
        page.locator(QUERY_BOX).click()
    page.wait_for_function(
        "(() => { const meta = document.querySelector('.md-search-result__meta').textContent.trim();"
        " return meta !== '' && !meta.includes('초기화'); })()",
        timeout=timeout,
    )


def _submit(page, text: str, timeout: float) -> None:
    box = page.locator(QUERY_BOX)
    page.evaluate(MARK_STALE_JS)
    box.fill(text)
    box.press("End")  # fill() alone does not trigger Material's search (it listens to keyup)
    # Material empties the list when a result arrives: the marker is gone.
    page.wait_for_function("!document.querySelector('.md-search-result__list > [data-stale]')", timeout=timeout)


def run_query(page, text: str, base_path: str, timeout: float = 10_000) -> list[ResultItem]:
    """Type `text` into the open search box and return the result items in order; `base_path` is
    the site root's URL path ("/week7/"), which result pages are given relative to.

    The box is emptied first so that every query is a change Material reacts to."""
    if page.locator(QUERY_BOX).input_value():
        _submit(page, "", timeout)
    _submit(page, text, timeout)
    items = page.evaluate(RESULTS_JS, base_path)
    return [ResultItem(i["page"], i["sections"]) for i in items]


def result_rank(items: list[ResultItem], query: Query) -> int | None:
    """1-based rank of the query's page among the result pages, or None."""
    for rank, item in enumerate(items, 1):
        if item.page == query.page:
            return rank
    return None


def lands_on_section(items: list[ResultItem], query: Query) -> bool:
    """The expected page's result is its answering section first (Material lists the
    best-scoring sections right under the page title)."""
    for item in items:
        if item.page == query.page:
            return bool(item.sections) and item.sections[0] == query.section
    return False


def evaluate(page, queries: list[Query], base_path: str) -> list[tuple[Query, int | None, list[ResultItem]]]:
    """(query, rank of its page or None, result items) for every query, typed into one open box."""
    open_search(page)
    return [(q, result_rank(items, q), items) for q in queries for items in [run_query(page, q.q, base_path)]]


def recall(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0
