"""Lighthouse (mobile) on one page of each type of the built site, per device class: `make bench-web`.

    python -m scripts.bench_web [--site DIR] [--runs N] [--json OUT] [--devices preset,mid-tier,low-tier]
                                [--trace] [--cpu-slowdown X] [--without-theme-script]

Builds the site (strict) unless ``--site`` names a built one, serves it on 127.0.0.1 with gzip (as
a static host does), and runs Lighthouse 12 from npm (pinned with its lockfile in
``scripts/lighthouse/``, installed with ``npm ci`` into ``.cache/lighthouse/``) against Debian's
chromium with the mobile preset, once per page and device class:

- ``preset``: the preset's fixed 4x CPU slowdown, calibrated for a fast desktop (Lighthouse's
  benchmark index 1500-2000): on a slower or busier machine it emulates a slower phone;
- ``mid-tier`` and ``low-tier``: the slowdown that makes this machine score like the device on
  Lighthouse's benchmark index (1000 and 264, the targets of Chrome DevTools' CPU calibration):
  host index / device index, with the host's index from a first Lighthouse run. Where the formula
  and the targets come from: ``scripts/harness/lighthouse.py``. A device faster than this machine
  (a ratio below 1) cannot be emulated; its row says so.

Prints performance, accessibility, best practices and SEO scores and the main metrics per page and
device class, with the slowdown used and the index Lighthouse measured in that run ("CPU"). A
benchmark, not a test: the numbers depend on the machine's load.

``--without-theme-script`` serves a copy of the site without Material's JavaScript bundle (no
search, no copy buttons, no TOC tracking): a diagnosis, not a way to ship. It separates what a
page costs to render from what the theme's start-up adds to it.

``--trace`` prints, instead of Lighthouse's scores, where the main thread's time goes: each
page is loaded in Chromium at the CPU slowdown (``--cpu-slowdown``, default the preset's 4x) in
Lighthouse's phone emulation and its trace gives the style and layout time, the blocking time
(each task's part beyond 50 ms) and the number of style passes over the whole page (80 % or more
of its elements). Steadier than the scores, and the first place to look when a page gets slower.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import tempfile
from pathlib import Path

from scripts.harness import build_site, launch_chromium, serve
from scripts.harness.browser import trace_load
from scripts.harness.lighthouse import (
    CATEGORIES,
    DEVICE_CLASSES,
    METRICS,
    PRESET,
    PRESET_CPU_SLOWDOWN,
    DeviceClass,
    device_classes,
    ensure_lighthouse,
    run_lighthouse,
    slowdowns,
    summarize,
)
from scripts.harness.site import without_theme_script

PAGES = {
    "home": "",
    "topic": "qna/layer-norm-warmup/",
    "topic (pe)": "qna/positional-encoding/",
    "added topic": "qna/position-representations/",
    "notebook": "generated/notebooks/positional_encoding/",
    "glossary": "glossary/",
    "original log": "original/",
}


def lighthouse_pages(
    binary: Path, base: str, devices: list[DeviceClass], runs: int, preset: float, tmp: Path
) -> dict[str, dict[str, dict]]:
    """Median Lighthouse row per page and device class; prints each row as it comes."""
    reports = (tmp / f"report-{i}.json" for i in itertools.count())
    first_url = f"{base}/{next(iter(PAGES.values()))}"
    first = summarize(run_lighthouse(binary, first_url, next(reports), preset))
    per_device = slowdowns(first["CPU"], devices, preset)
    print(
        f"host benchmark index {first['CPU']:,.0f} (Lighthouse, first run) -> CPU slowdown "
        + ", ".join(f"{name} {_slowdown(value)}" for name, value in per_device.items()),
        flush=True,
    )
    results: dict[str, dict[str, dict]] = {}
    for label, path in PAGES.items():
        for device in devices:
            slowdown = per_device[device.name]
            if slowdown is None:
                print(_format_too_slow(label, path, device, first["CPU"]), flush=True)
                continue
            reused = [first] if (label, device) == (next(iter(PAGES)), PRESET) else []
            rows = reused + [
                summarize(run_lighthouse(binary, f"{base}/{path}", next(reports), slowdown))
                for _ in range(runs - len(reused))
            ]
            row = {key: statistics.median(r[key] for r in rows) for key in rows[0]} | {"slowdown": slowdown}
            results.setdefault(label, {})[device.name] = row
            print(_format(label, path, device, row), flush=True)
    return results


def trace_pages(base: str, runs: int, cpu_slowdown: float = PRESET_CPU_SLOWDOWN) -> dict[str, dict]:
    """Median main-thread summary per page type, loads at the CPU slowdown in a phone viewport."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for label, path in PAGES.items():
            rows = [trace_load(browser, f"{base}/{path}", cpu_slowdown) for _ in range(runs)]
            results[label] = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
            print(_format_trace(label, path, results[label], cpu_slowdown), flush=True)
        browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page and device class (median)")
    parser.add_argument("--json", type=Path, help="write the per-page results here")
    parser.add_argument(
        "--devices",
        type=device_classes,
        default=list(DEVICE_CLASSES),
        help="device classes, comma-separated (default: preset,mid-tier,low-tier)",
    )
    parser.add_argument(
        "--trace", action="store_true", help="where the main thread's time goes (Chromium trace), not Lighthouse"
    )
    parser.add_argument(
        "--cpu-slowdown",
        type=float,
        default=PRESET_CPU_SLOWDOWN,
        help="CPU slowdown of the preset row and of --trace (default: the mobile preset's 4x)",
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
            build_site(site).check()
        if args.without_theme_script:
            site = without_theme_script(site, Path(tmp) / "without-theme-script")
            print("pages without Material's JavaScript bundle (a diagnosis, not the site as served)", flush=True)
        if args.cpu_slowdown != PRESET_CPU_SLOWDOWN:
            print(f"CPU slowdown {args.cpu_slowdown:g}x (the mobile preset's is {PRESET_CPU_SLOWDOWN}x)", flush=True)
        with serve(site, compress=True) as base:
            if args.trace:
                results = trace_pages(base, args.runs, args.cpu_slowdown)
            else:
                results = lighthouse_pages(binary, base, args.devices, args.runs, args.cpu_slowdown, Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


def _slowdown(value: float | None) -> str:
    return "not emulated (the host is slower)" if value is None else f"{value:g}x"


def _format(label: str, path: str, device: DeviceClass, row: dict) -> str:
    scores = " ".join(f"{cat[:4]} {row[cat]:3.0f}" for cat in CATEGORIES)
    metrics = "  ".join(
        f"{name} {row[name]:.3f}" if name == "CLS" else f"{name} {row[name]:,.0f}{unit}"
        for name, unit in METRICS.values()
    )
    return (
        f"{label:<13} /{path:<42} {device.name:<9} {row['slowdown']:5.2f}x  {scores}  |  {metrics}"
        f"  CPU {row['CPU']:,.0f}"
    )


def _format_too_slow(label: str, path: str, device: DeviceClass, host_index: float) -> str:
    return (
        f"{label:<13} /{path:<42} {device.name:<9} not emulated: host index {host_index:,.0f} is below "
        f"the device's {device.benchmark_index:,.0f}"
    )


def _format_trace(label: str, path: str, row: dict, cpu_slowdown: float) -> str:
    times = "  ".join(f"{key} {row[key]:6,.0f} ms" for key in ("style", "layout", "blocking"))
    return (
        f"{label:<13} /{path:<42} {times}  whole-page style passes {row['whole-page passes']:.0f}"
        f"  ({cpu_slowdown:g}x CPU)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
