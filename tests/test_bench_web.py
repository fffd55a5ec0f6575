"""`make bench-web`'s helpers: the main-thread summary behind `--trace`, on hand-made trace
events, and the copy of a site without Material's bundle behind `--without-theme-script`."""

from __future__ import annotations

import pytest

from scripts.bench_web import PRESET_CPU_SLOWDOWN, lighthouse_command, main_thread_summary, without_theme_script

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
