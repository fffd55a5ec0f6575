"""Debian's Chromium through Playwright, the viewports the tests and benchmarks use, and where a
page load's main-thread time goes (a Chromium trace)."""

from __future__ import annotations

import json
import os

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags for Debian's chromium on a machine without internet access: without the
# background-networking ones it keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DESKTOP = {"width": 1280, "height": 900}
# The narrow phone the legibility target (text >= 10 px) is set for: tests read pages at this width.
PHONE = {"width": 390, "height": 844}
# Lighthouse's mobile emulation (a Moto G Power): `make bench-web` and its --trace.
LIGHTHOUSE_PHONE = {"width": 412, "height": 823}


def launch_chromium(playwright):
    """Debian's chromium through Playwright (`playwright install` cannot download a browser here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def trace_load(browser, url: str, cpu_slowdown: float = 1) -> dict:
    """main_thread_summary of one load of `url` in Lighthouse's phone viewport, traced until the
    site's start-up is over: the palette script sets theme-color after load and a frame."""
    context = browser.new_context(viewport=LIGHTHOUSE_PHONE, is_mobile=True, has_touch=True)
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


def main_thread_summary(events: list[dict], elements: int) -> dict:
    """Style and layout time (ms), blocking time (ms beyond 50 in each task) and the number of
    whole-page style passes (over 80 % or more of the elements), from the renderer main thread of
    a Chromium trace."""
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
