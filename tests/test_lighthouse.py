"""The harness behind `make bench-web`: the main-thread summary of `--trace` (on hand-made trace
events), the copy of a site without Material's bundle of `--without-theme-script`, Lighthouse's
command line, its install from the lockfile, and the CPU slowdown per device class."""

from __future__ import annotations

import json
import subprocess

import pytest

from scripts.harness import lighthouse
from scripts.harness.browser import main_thread_summary
from scripts.harness.lighthouse import (
    LOW_TIER,
    MID_TIER,
    PRESET,
    PRESET_CPU_SLOWDOWN,
    cpu_slowdown,
    device_classes,
    lighthouse_command,
    slowdowns,
)
from scripts.harness.site import without_theme_script

MAIN, OTHER = (1, 10), (1, 20)


def span(thread, name, ms, **args):
    return {"pid": thread[0], "tid": thread[1], "ph": "X", "name": name, "dur": ms * 1000, "args": args}


def thread_name(thread, name):
    return {"pid": thread[0], "tid": thread[1], "ph": "M", "name": "thread_name", "args": {"name": name}}


EVENTS = [
    thread_name(MAIN, "CrRendererMain"),
    thread_name(OTHER, "DedicatedWorker thread"),
    span(MAIN, "RunTask", 120),
    span(MAIN, "UpdateLayoutTree", 40, elementCount=95),  # the first pass: whole page
    span(MAIN, "Layout", 30),
    span(MAIN, "RunTask", 50),  # exactly 50 ms: not blocking
    span(MAIN, "RunTask", 75.5),
    span(MAIN, "UpdateLayoutTree", 12, elementCount=80),  # a second whole-page pass (80 of 100)
    span(MAIN, "UpdateLayoutTree", 3, elementCount=79),  # just below 80 %
    span(OTHER, "RunTask", 400),  # another thread's work does not block the page
    span(OTHER, "UpdateLayoutTree", 99, elementCount=100),
]


def test_summary_counts_only_the_renderer_main_thread():
    summary = main_thread_summary(EVENTS, elements=100)
    assert summary["style"] == pytest.approx(55)
    assert summary["layout"] == pytest.approx(30)
    assert summary["blocking"] == pytest.approx(70 + 25.5)
    assert summary["whole-page passes"] == 2


def test_main_thread_is_found_without_thread_names():
    unnamed = [e for e in EVENTS if e["ph"] == "X" and e["pid"] == MAIN[0] and e["tid"] == MAIN[1]]
    assert main_thread_summary(unnamed, elements=100)["style"] == pytest.approx(55)


def test_a_trace_without_style_pass_is_an_error():
    with pytest.raises(ValueError, match="no style pass"):
        main_thread_summary([span(MAIN, "RunTask", 10)], elements=10)


PAGE = """<html><body><article>…</article>
<script src="{root}assets/javascripts/bundle.a5f9d56c.min.js"></script>
<script src="{root}assets/javascripts/zoom.js"></script></body></html>"""


def test_without_theme_script_drops_only_materials_bundle(tmp_path):
    site = tmp_path / "site"
    (site / "qna").mkdir(parents=True)
    (site / "index.html").write_text(PAGE.format(root=""), encoding="utf-8")
    (site / "qna" / "index.html").write_text(PAGE.format(root="../"), encoding="utf-8")
    copy = without_theme_script(site, tmp_path / "copy")
    for page in ("index.html", "qna/index.html"):
        html = (copy / page).read_text(encoding="utf-8")
        assert "bundle." not in html and "javascripts/zoom.js" in html and "<article>" in html
        assert "bundle.a5f9d56c" in (site / page).read_text(encoding="utf-8")  # the built site is untouched


def test_without_theme_script_names_a_page_without_the_bundle(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body>no theme</body></html>", encoding="utf-8")
    with pytest.raises(ValueError, match="index.html: expected Material's bundle script once, found 0"):
        without_theme_script(site, tmp_path / "copy")


def test_lighthouse_gets_a_cpu_slowdown_only_when_it_is_not_the_presets(tmp_path):
    binary, out = tmp_path / "lighthouse", tmp_path / "report.json"
    preset = lighthouse_command(binary, "http://127.0.0.1/week7/", out, PRESET_CPU_SLOWDOWN)
    calibrated = lighthouse_command(binary, "http://127.0.0.1/week7/", out, 2.5)
    assert not [arg for arg in preset if "cpuSlowdownMultiplier" in arg]
    assert calibrated == preset + ["--throttling.cpuSlowdownMultiplier=2.5"]


# ---------------------------------------------------------------- device classes


def test_the_device_targets_are_devtools_calibration_scores():
    assert (MID_TIER.benchmark_index, LOW_TIER.benchmark_index) == (1000, 264)
    assert PRESET.benchmark_index is None


@pytest.mark.parametrize(
    "host, mid, low",
    [
        (2000, 2.0, 7.58),  # a fast desktop: 2000 / 1000, 2000 / 264
        (1320, 1.32, 5.0),
        (1000, 1.0, 3.79),  # exactly a mid-tier phone: no slowdown for it
        (800, None, 3.03),  # slower than a mid-tier phone: that class cannot be emulated
        (264, None, 1.0),
        (200, None, None),
    ],
)
def test_slowdown_is_host_index_over_device_index(host, mid, low):
    assert cpu_slowdown(host, MID_TIER) == mid
    assert cpu_slowdown(host, LOW_TIER) == low
    assert cpu_slowdown(host, PRESET) == PRESET_CPU_SLOWDOWN  # the preset's is fixed, whatever the host


def test_a_slower_device_gets_a_larger_slowdown_and_a_faster_host_too():
    assert cpu_slowdown(1500, LOW_TIER) > cpu_slowdown(1500, MID_TIER)
    assert cpu_slowdown(3000, MID_TIER) > cpu_slowdown(1500, MID_TIER)


def test_slowdowns_per_class_and_the_preset_replaced():
    assert slowdowns(1500, [PRESET, MID_TIER, LOW_TIER]) == {"preset": 4, "mid-tier": 1.5, "low-tier": 5.68}
    assert slowdowns(1500, [PRESET], preset=3) == {"preset": 3}


def test_device_classes_by_name_in_the_order_given():
    assert device_classes("low-tier,preset") == [LOW_TIER, PRESET]
    with pytest.raises(ValueError, match="unknown device class high-tier"):
        device_classes("mid-tier,high-tier")


def test_a_calibrated_device_reaches_lighthouses_command_line(tmp_path):
    binary, out = tmp_path / "lighthouse", tmp_path / "report.json"
    command = lighthouse_command(binary, "http://127.0.0.1/week7/", out, cpu_slowdown(2000, LOW_TIER))
    assert command[-1] == "--throttling.cpuSlowdownMultiplier=7.58"


# ---------------------------------------------------------------- install from the lockfile


@pytest.fixture
def npm_calls(monkeypatch):
    """Every command ensure_lighthouse runs; `npm ci` 'installs' by writing the binary."""
    calls = []

    def fake_run(command, cwd, check):
        calls.append((command, {p.name for p in cwd.iterdir()}))
        binary = cwd / "node_modules" / ".bin" / "lighthouse"
        binary.parent.mkdir(parents=True, exist_ok=True)
        binary.write_text("#!/bin/sh\n")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(lighthouse.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(lighthouse.subprocess, "run", fake_run)
    return calls


def test_lighthouse_is_installed_with_npm_ci_from_the_lockfile_once(tmp_path, npm_calls):
    lock = json.loads((lighthouse.PACKAGE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    pinned = json.loads((lighthouse.PACKAGE_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    assert lock["packages"]["node_modules/lighthouse"]["version"] == pinned["lighthouse"]

    binary = lighthouse.ensure_lighthouse(tmp_path)
    assert binary == tmp_path / "node_modules" / ".bin" / "lighthouse" and binary.exists()
    ((command, present),) = npm_calls
    assert command[:2] == ["npm", "ci"] and {"package.json", "package-lock.json"} <= present
    lighthouse.ensure_lighthouse(tmp_path)
    assert len(npm_calls) == 1  # installed: nothing to do


def test_a_changed_lockfile_installs_again(tmp_path, npm_calls):
    lighthouse.ensure_lighthouse(tmp_path)
    (tmp_path / "package-lock.json").write_text("{}", encoding="utf-8")  # an older install's lockfile
    lighthouse.ensure_lighthouse(tmp_path)
    assert len(npm_calls) == 2
    assert (tmp_path / "package-lock.json").read_bytes() == (lighthouse.PACKAGE_DIR / "package-lock.json").read_bytes()
