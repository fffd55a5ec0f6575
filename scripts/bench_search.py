"""Search benchmark: this site's Korean search vs stock Material, same pages, one run.

    python -m scripts.bench_search [-f mkdocs.yml]

Builds the site twice into temporary directories (``NOTES_SKIP_FIGURES=1``: the
figures don't matter for search), once as configured and once with
``NOTES_STOCK_SEARCH=1`` (stock Material: ``lang: ko``, no analyser, no glossary
terms in the index), serves each on 127.0.0.1, types every query of
``tests/search_queries.yml`` into Material's search box in Chromium, and prints
recall@1, recall@3 and the size of ``search/search_index.json`` for both.

The browser helpers here (``open_search``, ``run_query``, ``result_rank``) are
also what ``tests/test_search.py`` uses.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import yaml

from scripts.local_site import launch_chromium, serve

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "tests" / "search_queries.yml"


# ---------------------------------------------------------------- the query set


@dataclass(frozen=True)
class Query:
    q: str
    page: str          # URL path relative to the site root, e.g. "qna/complexity/"
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
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Query(str(e["q"]), page_url(e["page"]), e.get("section", ""), e.get("kind", "")) for e in raw]


# ---------------------------------------------------------------- Material's search box


@dataclass
class ResultItem:
    page: str              # URL path of the article, relative to the site root
    sections: list[str]    # heading ids of the sections listed under it, in order
    title: str


RESULTS_JS = """
(base) => [...document.querySelectorAll('.md-search-result__list > .md-search-result__item')].map(item => {
  const links = [...item.querySelectorAll('a.md-search-result__link')].map(a => new URL(a.href));
  const rel = url => decodeURIComponent(url.pathname).slice(base.length);
  return {
    page: links.length ? rel(links[0]) : '',
    sections: links.slice(1).map(url => decodeURIComponent(url.hash.slice(1))),
    title: (item.querySelector('h1') || {}).textContent || '',
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
    page.locator("input[data-md-component=search-query]").click()
    page.wait_for_function(
        "(() => { const meta = document.querySelector('.md-search-result__meta').textContent.trim();"
        " return meta !== '' && !meta.includes('초기화'); })()",
        timeout=timeout,
    )


def _submit(page, text: str, timeout: float) -> None:
    box = page.locator("input[data-md-component=search-query]")
    page.evaluate(MARK_STALE_JS)
    box.fill(text)
    box.press("End")  # fill() alone does not trigger Material's search (it listens to keyup)
    # Material empties the list when a result arrives: the marker is gone.
    page.wait_for_function("!document.querySelector('.md-search-result__list > [data-stale]')", timeout=timeout)


def run_query(page, text: str, base_path: str, timeout: float = 10_000) -> list[ResultItem]:
    """Type `text` into the open search box and return the result items in order.

    The box is emptied first so that every query is a change Material reacts to."""
    if page.locator("input[data-md-component=search-query]").input_value():
        _submit(page, "", timeout)
    _submit(page, text, timeout)
    items = page.evaluate(RESULTS_JS, base_path)
    return [ResultItem(i["page"], i["sections"], i["title"]) for i in items]


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
    open_search(page)
    return [(q, result_rank(items, q), items) for q in queries for items in [run_query(page, q.q, base_path)]]


def recall(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


# ---------------------------------------------------------------- building and serving


def build(site_dir: Path, config_file: Path | None, stock: bool) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NOTES_SKIP_FIGURES": "1"}
    env["NOTES_STOCK_SEARCH"] = "1" if stock else "0"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    if config_file:
        command += ["--config-file", str(config_file)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"mkdocs build failed ({'stock' if stock else 'ours'}):\n{result.stdout}\n{result.stderr}")


def index_size(site_dir: Path) -> tuple[int, int]:
    data = (site_dir / "search" / "search_index.json").read_bytes()
    return len(data), len(gzip.compress(data, 9))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-f", "--config-file", type=Path, help="mkdocs config (default: mkdocs.yml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every query's rank")
    args = parser.parse_args()
    queries = load_queries()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="notes-search-bench-") as scratch, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        rows = {}
        for name, stock in (("ours", False), ("stock", True)):
            site = Path(scratch) / name
            build(site, args.config_file, stock)
            with serve(site) as url:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url + "/", wait_until="load")
                results = evaluate(page, queries, urlparse(url).path + "/")
                page.close()
            ranks = [rank for _, rank, _ in results]
            rows[name] = (recall(ranks, 1), recall(ranks, 3), *index_size(site), results)
        browser.close()

    print(f"queries: {len(queries)} ({QUERIES.relative_to(ROOT)})")
    print(f"{'':6} {'recall@1':>9} {'recall@3':>9} {'index bytes':>12} {'gzip bytes':>11}")
    for name, (r1, r3, size, zipped, _) in rows.items():
        print(f"{name:6} {r1:9.3f} {r3:9.3f} {size:12,d} {zipped:11,d}")
    kinds = list(dict.fromkeys(q.kind for q in queries))
    print("recall@3 by kind (ours / stock):", ", ".join(
        f"{kind} {_recall_of(rows['ours'][4], kind):.2f}/{_recall_of(rows['stock'][4], kind):.2f}" for kind in kinds))
    if args.verbose:
        print()
        for (query, ours, _), (_, stock, _) in zip(rows["ours"][4], rows["stock"][4]):
            print(f"{_rank(ours):>4} {_rank(stock):>6}  {query.kind:11} {query.q}  -> {query.page}")
    else:
        missed = [q.q for q, rank, _ in rows["ours"][4] if rank is None or rank > 3]
        if missed:
            print("not in our top 3:", ", ".join(missed))


def _recall_of(results, kind: str) -> float:
    return recall([rank for query, rank, _ in results if query.kind == kind], 3)


def _rank(rank: int | None) -> str:
    return "-" if rank is None else str(rank)


if __name__ == "__main__":
    main()
