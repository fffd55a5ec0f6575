"""Lighthouse (mobile) on one page of each type of the built site: `make bench-web`.

    python -m scripts.bench_web [--site DIR] [--runs N] [--json OUT] [--trace]
                                [--cpu-slowdown X] [--without-theme-script]

Builds the site (strict) unless ``--site`` names a built one, serves it on
127.0.0.1 with gzip (as a static host does), and runs Lighthouse 12 from npm
(pinned in ``scripts/bench_web/package.json``, installed into ``.cache/bench-web/``)
against Debian's chromium with the mobile preset. Prints performance,
accessibility, best practices and SEO scores and the main metrics per page.
A benchmark, not a test: the numbers depend on the machine's load.

The mobile preset slows the CPU down 4x, calibrated for a high-end desktop
(Lighthouse's benchmark index 1500-2000, docs/throttling.md in the Lighthouse
repository). Each row also prints the index Lighthouse measured on this machine
("CPU"): a lower index means a slower emulated phone and a higher blocking time,
so compare rows measured at a similar index. ``--cpu-slowdown`` sets another slowdown, for
example the one Lighthouse's guide gives for the measured index (about 3x at 1,300).

``--without-theme-script`` serves a copy of the site without Material's JavaScript bundle (no
search, no copy buttons, no TOC tracking): a diagnosis, not a way to ship. It separates what a
page costs to render from what the theme's start-up adds to it.

``--trace`` prints, instead of Lighthouse's scores, where the main thread's time goes: each
page is loaded in Chromium at the same CPU slowdown and phone emulation and its trace gives
the style and layout time, the blocking time (each task's part beyond 50 ms) and the
number of style passes over the whole page (80 % or more of its elements). Steadier than the
scores, and the first place to look when a page gets slower.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from scripts.local_site import CHROMIUM, CHROMIUM_ARGS, PrefixedHandler

ROOT = Path(__file__).resolve().parent.parent
TOOL_DIR = ROOT / ".cache" / "bench-web"
PACKAGE_JSON = ROOT / "scripts" / "bench_web" / "package.json"
PREFIX = "/week7/"
PAGES = {
    "home": "",
    "topic": "qna/layer-norm-warmup/",
    "topic (pe)": "qna/positional-encoding/",
    "notebook": "generated/notebooks/positional_encoding/",
    "glossary": "glossary/",
    "original log": "original/",
}
PRESET_CPU_SLOWDOWN = 4  # the mobile preset's
# Lighthouse's mobile emulation (a Moto G Power), also used by --trace. The tests read pages at
# 390 px instead (tests/test_phone.py), the narrow phone the legibility target is set for.
PHONE_VIEWPORT = {"width": 412, "height": 823}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {
    "first-contentful-paint": ("FCP", "ms"),
    "largest-contentful-paint": ("LCP", "ms"),
    "total-blocking-time": ("TBT", "ms"),
    "cumulative-layout-shift": ("CLS", ""),
    "speed-index": ("SI", "ms"),
    "dom-size": ("DOM", ""),
}
# Material's script tag, as its base template writes it (the bundle's name carries its hash).
THEME_SCRIPT = re.compile(r'<script src="[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js"></script>')
COMPRESSIBLE = (".html", ".css", ".js", ".svg", ".json", ".xml", ".txt", ".md", ".ipynb", ".py")


class GzipHandler(PrefixedHandler):
    """Static files, gzip-compressed when the client accepts it (text types only)."""

    def send_head(self):
        path = Path(self.translate_path(self.path.split("?", 1)[0].split("#", 1)[0]))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not accepts or path.suffix not in COMPRESSIBLE or not path.is_file():
            return super().send_head()
        body = _compressed(str(path), path.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return _Body(body)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


@functools.lru_cache(maxsize=512)
def _compressed(path: str, _mtime: int) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that closes a page mid-download is not an error of the site.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_gzip(site_dir: Path, prefix: str = PREFIX):
    handler = functools.partial(GzipHandler, prefix, directory=str(site_dir))
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()


def ensure_lighthouse() -> Path:
    """npm ci of the pinned Lighthouse into .cache/bench-web (once)."""
    binary = TOOL_DIR / "node_modules" / ".bin" / "lighthouse"
    TOOL_DIR.mkdir(parents=True, exist_ok=True)
    if (TOOL_DIR / "package.json").exists() and (TOOL_DIR / "package.json").read_bytes() != PACKAGE_JSON.read_bytes():
        binary.unlink(missing_ok=True)
    if not binary.exists():
        if not shutil.which("npm"):
            raise SystemExit("npm not found: install Node.js 20 (apt-get install nodejs npm)")
        shutil.copyfile(PACKAGE_JSON, TOOL_DIR / "package.json")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=TOOL_DIR, check=True)
    return binary


def lighthouse_command(binary: Path, url: str, out: Path, cpu_slowdown: float) -> list[str]:
    command = [
        str(binary),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-path={CHROMIUM}",
        f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
    ]
    if cpu_slowdown != PRESET_CPU_SLOWDOWN:
        command.append(f"--throttling.cpuSlowdownMultiplier={cpu_slowdown:g}")
    return command


def run_lighthouse(binary: Path, url: str, out: Path, cpu_slowdown: float = PRESET_CPU_SLOWDOWN) -> dict:
    subprocess.run(
        lighthouse_command(binary, url, out, cpu_slowdown), check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    for warning in report.get("runWarnings", []):
        print(f"  lighthouse: {warning}", file=sys.stderr)
    return report


def summarize(report: dict) -> dict:
    row = {cat: round(report["categories"][cat]["score"] * 100) for cat in CATEGORIES}
    for audit, (label, _) in METRICS.items():
        row[label] = report["audits"][audit].get("numericValue")
    row["CPU"] = report["environment"]["benchmarkIndex"]
    return row


def main_thread_summary(events: list[dict], elements: int) -> dict:
    """Style and layout time (ms), blocking time (ms beyond 50 in each task) and the number of
    whole-page style passes, from the renderer main thread of a Chromium trace."""
    main = _renderer_main_thread(events)
    spans = [e for e in events if (e.get("pid"), e.get("tid")) == main and e.get("ph") == "X"]

    def total(*names):
        return sum(e.get("dur", 0) for e in spans if e["name"] in names) / 1000

    tasks = [e.get("dur", 0) / 1000 for e in spans if e["name"] == "RunTask"]
    passes = [
        e["args"]["elementCount"]
        for e in spans
        if e["name"] == "UpdateLayoutTree" and "elementCount" in e.get("args", {})
    ]
    return {
        "style": total("UpdateLayoutTree"),
        "layout": total("Layout"),
        "blocking": sum(max(0.0, t - 50) for t in tasks),
        "whole-page passes": sum(count >= 0.8 * elements for count in passes),
    }


def _renderer_main_thread(events: list[dict]) -> tuple:
    names = {
        (e.get("pid"), e.get("tid")): e["args"].get("name")
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name"
    }
    styled = [(e.get("pid"), e.get("tid")) for e in events if e.get("name") == "UpdateLayoutTree"]
    candidates = [key for key in styled if names.get(key) == "CrRendererMain"] or styled
    if not candidates:
        raise ValueError("the trace has no style pass: no page was rendered")
    return max(set(candidates), key=candidates.count)


def trace_pages(base: str, runs: int, cpu_slowdown: float = PRESET_CPU_SLOWDOWN) -> dict[str, dict]:
    """Median main-thread summary per page type, loads at the CPU slowdown in a phone viewport."""
    from playwright.sync_api import sync_playwright

    from scripts.local_site import launch_chromium

    results = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for label, path in PAGES.items():
            rows = [trace_load(browser, base + path, cpu_slowdown) for _ in range(runs)]
            results[label] = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
        browser.close()
    return results


def trace_load(browser, url: str, cpu_slowdown: float = 1) -> dict:
    """main_thread_summary of one load of `url` in a phone viewport, traced until the site's
    start-up is over: the palette script sets theme-color after load and a frame."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    page = context.new_page()
    if cpu_slowdown != 1:
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
    browser.start_tracing(page=page, categories=["devtools.timeline", "disabled-by-default-devtools.timeline"])
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function("(document.querySelector('meta[name=theme-color]') || {}).content")
        elements = page.evaluate("document.querySelectorAll('*').length")
    finally:  # a failed wait must not leave a shared browser tracing
        events = json.loads(browser.stop_tracing())["traceEvents"]
        context.close()
    return main_thread_summary(events, elements)


def without_theme_script(site: Path, target: Path) -> Path:
    """A copy of `site` whose pages do not load Material's bundle; every page must have had it."""
    shutil.copytree(site, target)
    for page in target.rglob("*.html"):
        html, found = THEME_SCRIPT.subn("", page.read_text(encoding="utf-8"))
        if found != 1:
            raise ValueError(f"{page.relative_to(target)}: expected Material's bundle script once, found {found}")
        page.write_text(html, encoding="utf-8")
    return target


def build_site(target: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(target)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (median)")
    parser.add_argument("--json", type=Path, help="write the per-page results here")
    parser.add_argument(
        "--trace", action="store_true", help="where the main thread's time goes (Chromium trace), not Lighthouse"
    )
    parser.add_argument(
        "--cpu-slowdown",
        type=float,
        default=PRESET_CPU_SLOWDOWN,
        help="CPU slowdown for Lighthouse and --trace (default: the mobile preset's 4x)",
    )
    parser.add_argument(
        "--without-theme-script",
        action="store_true",
        help="serve the pages without Material's JavaScript (diagnosis: the theme's share)",
    )
    args = parser.parse_args(argv)
    binary = None if args.trace else ensure_lighthouse()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build_site(site)
        if args.without_theme_script:
            site = without_theme_script(site, Path(tmp) / "without-theme-script")
            print("pages without Material's JavaScript bundle (a diagnosis, not the site as served)", flush=True)
        if args.cpu_slowdown != PRESET_CPU_SLOWDOWN:
            print(f"CPU slowdown {args.cpu_slowdown:g}x (the mobile preset's is {PRESET_CPU_SLOWDOWN}x)", flush=True)
        results = {}
        with serve_gzip(site) as base:
            if args.trace:
                results = trace_pages(base, args.runs, args.cpu_slowdown)
                for label, path in PAGES.items():
                    print(_format_trace(label, path, results[label], args.cpu_slowdown), flush=True)
            else:
                for label, path in PAGES.items():
                    rows = [
                        summarize(
                            run_lighthouse(binary, base + path, Path(tmp) / f"report-{i}.json", args.cpu_slowdown)
                        )
                        for i in range(args.runs)
                    ]
                    results[label] = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
                    print(_format(label, path, results[label]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


def _format(label: str, path: str, row: dict) -> str:
    scores = " ".join(f"{cat[:4]} {row[cat]:3.0f}" for cat in CATEGORIES)
    metrics = "  ".join(
        f"{name} {row[name]:.3f}" if name == "CLS" else f"{name} {row[name]:,.0f}{unit}"
        for name, unit in METRICS.values()
    )
    return f"{label:<13} /{path:<42} {scores}  |  {metrics}  CPU {row['CPU']:,.0f}"


def _format_trace(label: str, path: str, row: dict, cpu_slowdown: float) -> str:
    times = "  ".join(f"{key} {row[key]:6,.0f} ms" for key in ("style", "layout", "blocking"))
    return f"{label:<13} /{path:<42} {times}  whole-page style passes {row['whole-page passes']:.0f}  ({cpu_slowdown:g}x CPU)"


if __name__ == "__main__":
    raise SystemExit(main())
