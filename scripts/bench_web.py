"""Lighthouse (mobile) on one page of each type of the built site: `make bench-web`.

    python -m scripts.bench_web [--site DIR] [--runs N] [--json OUT]

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
so compare rows measured at a similar index.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import json
import os
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
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {
    "first-contentful-paint": ("FCP", "ms"),
    "largest-contentful-paint": ("LCP", "ms"),
    "total-blocking-time": ("TBT", "ms"),
    "cumulative-layout-shift": ("CLS", ""),
    "speed-index": ("SI", "ms"),
    "dom-size": ("DOM", ""),
}
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


@contextlib.contextmanager
def serve_gzip(site_dir: Path, prefix: str = PREFIX):
    handler = functools.partial(GzipHandler, prefix, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
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


def run_lighthouse(binary: Path, url: str, out: Path) -> dict:
    flags = " ".join(CHROMIUM_ARGS)
    subprocess.run(
        [str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-path={CHROMIUM}",
         f"--chrome-flags={flags}"],
        check=True, env={**os.environ, "CHROME_PATH": CHROMIUM},
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


def build_site(target: Path) -> None:
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(target)],
                   cwd=ROOT, check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (median)")
    parser.add_argument("--json", type=Path, help="write the per-page results here")
    args = parser.parse_args(argv)
    binary = ensure_lighthouse()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build_site(site)
        results = {}
        with serve_gzip(site) as base:
            for label, path in PAGES.items():
                rows = [summarize(run_lighthouse(binary, base + path, Path(tmp) / f"report-{i}.json"))
                        for i in range(args.runs)]
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


if __name__ == "__main__":
    raise SystemExit(main())
