"""Build benchmark: prints figures measured in one run, on a scratch copy of the repo.

    python -m scripts.bench            (or: make bench)

- cold build: every snippet + the site, from empty caches
- no-op rebuild vs a plain `mkdocs build` with the figure step off (ratio of medians)
- plain build (every snippet cached) vs a bare Material build of the same Markdown pages
  (no site plugin): what the site's own processing costs (ratio of medians)
- a Markdown edit under `mkdocs serve`: seconds from saving the page to the rebuilt page on disk
- snippets re-run after editing one snippet
- the largest HTML page

Targets on a 2-core machine: cold <= 45 s, no-op ratio <= 1.3, plain/bare <= 2, a few seconds
from a Markdown save to the rebuilt page, exactly one re-run, largest page <= 100,000 bytes (the
budget tests/test_phone.py asserts). Nothing here is asserted: these are measurements.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.harness import PAGE_BUDGET_BYTES, build_site, copy_repository, free_port, html_pages, start_mkdocs_serve

REPEATS = 5


def mkdocs_build(root: Path, **switches) -> tuple[float, str]:
    """Seconds and output of a strict build of the scratch copy at `root` into root/site."""
    build = build_site(root / "site", root, **switches).check()
    return build.seconds, build.log


def write_bare_config(root: Path) -> Path:
    """mkdocs.yml without the site's plugin (notes): stock Material and mkdocs-jupyter on the same pages (the
    Markdown as written, the executed notebooks copied in), for the cost of the site's own processing."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)  # !ENV, !relative, python tags
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    config["plugins"] = [p for p in config["plugins"] if not (isinstance(p, dict) and "notes" in p)]
    docs = root / "bare-docs"
    shutil.copytree(root / "docs", docs, dirs_exist_ok=True)
    shutil.copytree(root / ".cache" / "generated" / "notebooks", docs / "generated" / "notebooks", dirs_exist_ok=True)
    config["docs_dir"] = str(docs)
    config["markdown_extensions"] = [
        e
        for e in config["markdown_extensions"]
        if not (isinstance(e, dict) and ("pymdownx.snippets" in e or "toc" in e))
    ]
    config["validation"] = config["strict"] = None  # pages cite figures and values only the site's plugin resolves
    target = root / "mkdocs-bare.yml"
    target.write_text(
        yaml.safe_dump({k: v for k, v in config.items() if v is not None}, allow_unicode=True), encoding="utf-8"
    )
    return target


def serve_reload_seconds(root: Path) -> float:
    """Start `mkdocs serve`, append a line to a page, and time until the built page has it."""
    server = start_mkdocs_serve(root, free_port())
    try:
        for line in server.stdout:
            if "Serving on" in line:
                break
        page = root / "docs" / "retrospective.md"
        marker = f"bench-marker-{time.time_ns()}"
        started = time.perf_counter()
        page.write_text(page.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
        for line in server.stdout:
            if "Reloading browsers" in line or "Documentation built" in line:
                return time.perf_counter() - started
        return float("nan")
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_figure_builder(root: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.figure_builder"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    if result.returncode != 0:
        sys.exit(f"the figure builder failed:\n{result.stderr}")
    return result.stdout + result.stderr


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="notes-bench-") as scratch:
        root = Path(scratch)
        copy_repository(root)
        print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")

        cold, log = mkdocs_build(root)
        ran = len(re.findall(r"\[figures\] \S+\s+ran", log))
        print(f"cold build (all {ran} snippets + site): {cold:6.1f} s   target <= 45 s")

        noop, plain = [], []
        for _ in range(REPEATS):  # interleaved, so machine noise hits both alike
            noop.append(mkdocs_build(root)[0])
            plain.append(mkdocs_build(root, skip_figures=True)[0])
        ratio = statistics.median(noop) / statistics.median(plain)
        print(
            f"no-op rebuild: median {statistics.median(noop):.2f} s vs plain build "
            f"{statistics.median(plain):.2f} s -> ratio {ratio:.2f}   target <= 1.3"
        )

        bare_config = write_bare_config(root)
        ours, bare = [], []
        for _ in range(REPEATS):
            ours.append(mkdocs_build(root)[0])
            bare.append(build_site(root / "bare-site", root, config_file=bare_config, strict=False).check().seconds)
        ratio = statistics.median(ours) / statistics.median(bare)
        print(
            f"plain build (snippets cached): median {statistics.median(ours):.2f} s vs bare Material build of "
            f"the same pages {statistics.median(bare):.2f} s -> ratio {ratio:.2f}   target <= 2"
        )
        print(
            f"Markdown edit under mkdocs serve -> page rebuilt: {serve_reload_seconds(root):.1f} s   "
            "target: a few seconds"
        )

        snippet = sorted(p for p in (root / "snippets").glob("*.py") if not p.name.startswith("_"))[0]
        snippet.write_text(snippet.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        rerun = re.findall(r"\[figures\] (\S+)\s+ran", run_figure_builder(root))
        print(f"snippets re-run after editing {snippet.name}: {len(rerun)} ({', '.join(rerun)})   target 1")

        mkdocs_build(root)
        largest = max(html_pages(root / "site"), key=lambda p: p.stat().st_size)
        print(
            f"largest HTML page: {largest.stat().st_size:,} bytes "
            f"({largest.relative_to(root / 'site')})   target <= {PAGE_BUDGET_BYTES:,}"
        )


if __name__ == "__main__":
    main()
