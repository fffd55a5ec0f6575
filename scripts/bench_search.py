"""Search benchmark: this site's Korean search vs stock Material (and Pagefind), same pages, one run.

    python -m scripts.bench_search [-f mkdocs.yml] [-v]

Builds the site twice into temporary directories (``NOTES_SKIP_FIGURES=1``: the
figures don't matter for search), once as configured and once with
``NOTES_STOCK_SEARCH=1`` (stock Material: ``lang: ko``, its default separator and
fields, no boost, no query rewriting), serves each on 127.0.0.1, types every query
of ``tests/search_queries.yml`` into Material's search box in Chromium, and prints
recall@1 and recall@3 per kind, the size of ``search/search_index.json``, and the
time from the last key to the updated results list with a 4x CPU slowdown (a phone).
If Pagefind is installed (``pagefind[extended]``, PyPI), it indexes the stock build's
articles and answers the same queries through its JavaScript API.

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
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Query(str(e["q"]), page_url(e["page"]), e.get("section", ""), e.get("kind", "")) for e in raw]


# ---------------------------------------------------------------- Material's search box


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
    open_search(page)
    return [(q, result_rank(items, q), items) for q in queries for items in [run_query(page, q.q, base_path)]]


def recall(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


# ---------------------------------------------------------------- typing latency

# Time from the key that ends a query (keyup, as Material listens) to the results list
# changing, measured in the page.
LATENCY_JS = """
async (text) => {
  const box = document.querySelector('input[data-md-component=search-query]');
  // Material rewrites the list and the count above it for every result, an empty one too.
  const result = document.querySelector('.md-search-result');
  const change = () => new Promise(done => new MutationObserver((_, observer) => {
    observer.disconnect(); done(performance.now());
  }).observe(result, {childList: true, subtree: true, characterData: true}));
  if (box.value) {  // empty the box first, and wait until Material has emptied the list
    const emptied = change();
    box.value = '';
    box.dispatchEvent(new KeyboardEvent('keyup', {key: 'Backspace', bubbles: true}));
    await emptied;
  }
  box.value = text;
  const changed = change();
  const start = performance.now();
  box.dispatchEvent(new KeyboardEvent('keyup', {key: text.slice(-1), bubbles: true}));
  return (await changed) - start;
}
"""


def typing_latency(page, texts: list[str], slowdown: float = 4.0) -> list[float]:
    """Milliseconds from the last key to the updated results list, per query, with the
    CPU slowed down `slowdown` times (Chromium's CPU throttling, as DevTools' phone presets)."""
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    try:
        open_search(page, timeout=60_000)
        return [page.evaluate(LATENCY_JS, text) for text in texts]
    finally:
        session.send("Emulation.setCPUThrottlingRate", {"rate": 1})


# ---------------------------------------------------------------- Pagefind


def pagefind_available() -> bool:
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return False
    return True


def pagefind_index(site_dir: Path) -> None:
    """Pagefind's index of the built site's articles (not the navigation) in site_dir/pagefind."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--root-selector", "article", "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"pagefind failed:\n{result.stdout}\n{result.stderr}")


PAGEFIND_JS = """
async ([base, text]) => {
  window.__pagefind = window.__pagefind || await import(base + 'pagefind/pagefind.js');
  const search = await window.__pagefind.search(text);
  if (!search) return [];
  const data = await Promise.all(search.results.slice(0, 10).map(result => result.data()));
  return data.map(d => decodeURIComponent(new URL(d.url, location.href).pathname).slice(base.length));
}
"""


def pagefind_evaluate(page, queries: list[Query], base_path: str):
    results = []
    for query in queries:
        pages = page.evaluate(PAGEFIND_JS, [base_path, query.q])
        items = [ResultItem(p, []) for p in pages]
        results.append((query, result_rank(items, query), items))
    return results


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
    latency_queries = [q.q for q in queries[::6]]

    from playwright.sync_api import sync_playwright

    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="notes-search-bench-") as scratch, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for name, stock in (("ours", False), ("stock", True)):
            site = Path(scratch) / name
            build(site, args.config_file, stock)
            with serve(site) as url:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url + "/", wait_until="load")
                results = evaluate(page, queries, urlparse(url).path + "/")
                page.close()
                page = browser.new_page(viewport={"width": 390, "height": 844})
                page.goto(url + "/", wait_until="load")
                latency = typing_latency(page, latency_queries)
                page.close()
                rows[name] = {"results": results, "size": index_size(site), "latency": latency}
                if stock and pagefind_available():
                    pagefind_index(site)
                    page = browser.new_page()
                    page.goto(url + "/", wait_until="load")
                    rows["pagefind"] = {
                        "results": pagefind_evaluate(page, queries, urlparse(url).path + "/"),
                        "size": None,
                        "latency": [],
                    }
                    page.close()
        browser.close()

    print(f"queries: {len(queries)} ({QUERIES.relative_to(ROOT)})")
    names = list(rows)
    kinds = list(dict.fromkeys(q.kind for q in queries))
    print(f"{'kind':12} {'n':>3}  " + "  ".join(f"{name + ' @1/@3':>17}" for name in names))
    for kind in kinds + ["all"]:
        cells = []
        for name in names:
            ranks = [rank for query, rank, _ in rows[name]["results"] if kind == "all" or query.kind == kind]
            cells.append(f"{recall(ranks, 1):8.2f}/{recall(ranks, 3):4.2f}")
        n = len(queries) if kind == "all" else sum(q.kind == kind for q in queries)
        print(f"{kind:12} {n:3d}  " + "  ".join(f"{cell:>17}" for cell in cells))
    print()
    for name in names:
        size = rows[name]["size"]
        latency = sorted(rows[name]["latency"])
        line = f"{name:8}"
        if name == "pagefind":
            line += " articles of the stock build, page-level results (its API, no search box)"
        if size:
            line += f" index {size[0]:,d} bytes (gzip {size[1]:,d})"
        if latency:
            line += (
                f"; last key -> results, 4x CPU slowdown: median {latency[len(latency) // 2]:.0f} ms,"
                f" max {latency[-1]:.0f} ms ({len(latency)} queries)"
            )
        print(line)
    if args.verbose:
        print()
        for (query, ours, _), (_, stock, _) in zip(rows["ours"]["results"], rows["stock"]["results"]):
            print(f"{_rank(ours):>4} {_rank(stock):>6}  {query.kind:11} {query.q}  -> {query.page}")
    else:
        missed = [q.q for q, rank, _ in rows["ours"]["results"] if rank is None or rank > 1]
        if missed:
            print("not first in ours:", ", ".join(missed))


def _rank(rank: int | None) -> str:
    return "-" if rank is None else str(rank)


if __name__ == "__main__":
    main()
