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

The search-box driver (``open_search``, ``run_query``, ``result_rank``) is the harness's
(``scripts/harness/search_box.py``), shared with ``tests/test_search.py``.
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from scripts.harness import DESKTOP, PHONE, ROOT, build_site, launch_chromium, serve
from scripts.harness.search_box import (
    QUERIES,
    Query,
    ResultItem,
    evaluate,
    load_queries,
    open_search,
    recall,
    result_rank,
)

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


# ---------------------------------------------------------------- the index


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
            build_site(site, config_file=args.config_file, skip_figures=True, stock_search=stock).check(
                f"mkdocs build ({name})"
            )
            with serve(site) as url:
                page = browser.new_page(viewport=DESKTOP)
                page.goto(url + "/", wait_until="load")
                results = evaluate(page, queries, urlparse(url).path + "/")
                page.close()
                page = browser.new_page(viewport=PHONE)
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
