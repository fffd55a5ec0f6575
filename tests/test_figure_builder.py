"""The figure builder on a scratch copy of the repository: cache, failures, determinism."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripts import figure_builder
from scripts.bench import copy_repository
from tests.conftest import ROOT, run_mkdocs_build, site_path_prefix

pytestmark = pytest.mark.slow

PROGRESS = re.compile(r"\[figures\] (\S+)\s+(ran|cached)")


@contextlib.contextmanager
def edited(path: Path, change):
    """Within the block, `path` holds change(its text); afterwards the original again.
    Yields the edited text."""
    original = path.read_text(encoding="utf-8")
    text = change(original)
    path.write_text(text, encoding="utf-8")
    try:
        yield text
    finally:
        path.write_text(original, encoding="utf-8")


def run_builder(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts.figure_builder", *args],
        cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(root)},
    )


def progress(result: subprocess.CompletedProcess) -> dict[str, str]:
    return dict(PROGRESS.findall(result.stdout + result.stderr))


def generated(root: Path) -> Path:
    return root / figure_builder.GENERATED_DIR.relative_to(figure_builder.ROOT)


def figure_hashes(root: Path) -> dict[str, str]:
    """Every figure, alt text and published value file by name, with its hash."""
    folders = [generated(root) / "figures", generated(root) / "values"]
    return {f"{p.parent.name}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(folder.glob("*")) if p.suffix in (".svg", ".json")}


def figure_of(file: str) -> str:
    """'figures/cx-time-light.svg' or 'figures/cx-time.json' -> 'cx-time'."""
    return re.sub(r"(-light|-dark)?\.(svg|json)$", "", file.split("/", 1)[1])


def volatile_figures(root: Path) -> set[str]:
    folder = generated(root) / "figures"
    return {p.stem for p in folder.glob("*.json") if json.loads(p.read_text(encoding="utf-8"))["volatile"]}


def snippet_names() -> list[str]:
    return sorted(p.stem for p in (ROOT / "snippets").glob("*.py") if not p.name.startswith("_"))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A copy of the repo after two cold builds, with one and with two torch threads per kernel;
    yields (root, first run, first_hashes, second_hashes)."""
    root = copy_repository(tmp_path_factory.mktemp("repo"))
    first = run_builder(root, "--threads", "1")
    assert first.returncode == 0, first.stderr
    first_hashes = figure_hashes(root)
    shutil.rmtree(root / ".cache")
    second = run_builder(root, "--threads", "2")
    assert second.returncode == 0, second.stderr
    return root, first, first_hashes, figure_hashes(root)


def test_cold_run_runs_every_snippet_and_reports_each(scratch):
    root, first, _, _ = scratch
    assert progress(first) == {name: "ran" for name in snippet_names()}


def test_cold_runs_with_one_and_two_threads_give_identical_bytes(scratch):
    root, _, first_hashes, second_hashes = scratch
    assert any(name.startswith("values/") for name in first_hashes), "no value was published"
    assert any(name.endswith(".svg") for name in first_hashes), "no figure was written"
    assert first_hashes.keys() == second_hashes.keys()
    volatile = volatile_figures(root)
    differing = {name for name in first_hashes if first_hashes[name] != second_hashes[name]}
    # Only figures of measured wall time may differ, and they say so.
    assert {figure_of(n) for n in differing} <= volatile
    assert len(volatile) <= 1, f"more volatile figures than the one timing plot: {volatile}"


def test_second_run_reruns_nothing(scratch):
    root = scratch[0]
    result = run_builder(root)
    assert result.returncode == 0
    assert set(progress(result).values()) == {"cached"}


def test_editing_one_snippet_reruns_exactly_that_one(scratch):
    root = scratch[0]
    name = snippet_names()[0]
    with edited(root / "snippets" / f"{name}.py", lambda text: text + "\n# 주석 한 줄을 더했다\n"):
        result = run_builder(root)
    assert result.returncode == 0, result.stderr
    ran = [n for n, state in progress(result).items() if state == "ran"]
    assert ran == [name]


def test_editing_the_shared_helper_reruns_every_snippet_that_imports_it(scratch):
    root = scratch[0]
    with edited(root / "snippets" / "_figures.py", lambda text: text + "\n# changed\n"):
        listing = run_builder(root, "--list")
    states = dict(re.findall(r"^(\S+)\s+(fresh|stale)", listing.stdout, re.MULTILINE))
    assert states == {name: "stale" for name in snippet_names()}


def test_failing_snippet_names_itself_and_its_line_and_keeps_old_figures(scratch):
    root = scratch[0]
    name = snippet_names()[-1]
    failure = '\n# %%\nif __name__ == "__main__":\n    raise RuntimeError("의도한 실패")\n'
    before = figure_hashes(root)
    with edited(root / "snippets" / f"{name}.py", lambda text: text + failure) as broken:
        result = run_builder(root)
    failing_line = broken.splitlines().index('    raise RuntimeError("의도한 실패")') + 1
    assert result.returncode != 0
    assert f"snippet '{name}' failed at snippets/{name}.py:{failing_line}" in result.stderr
    assert "RuntimeError: 의도한 실패" in result.stderr
    assert figure_hashes(root) == before
    assert not list((root / ".cache" / "figure-builder" / "staging").iterdir())


def test_mkdocs_build_fails_on_a_snippet_error(scratch):
    root = scratch[0]
    name = snippet_names()[0]
    failure = '\n# %%\nif __name__ == "__main__":\n    1 / 0\n'
    with edited(root / "snippets" / f"{name}.py", lambda text: text + failure):
        result = run_mkdocs_build(root, root / "site")
    assert result.returncode != 0
    assert f"snippet '{name}' failed at snippets/{name}.py:" in result.stderr
    assert "ZeroDivisionError" in result.stderr


def test_page_embedding_an_unknown_figure_fails_the_build(scratch):
    root = scratch[0]
    unknown = "\n![없는 그림](../generated/figures/no-such-figure-light.svg#only-light)\n"
    with edited(root / "docs" / "qna" / "complexity.md", lambda text: text + unknown):
        result = run_mkdocs_build(root, root / "site")
    assert result.returncode != 0
    assert "qna/complexity.md" in result.stderr and "no-such-figure" in result.stderr


@pytest.mark.parametrize("line, message", [
    ("값은 {{ no_such_value:.2f }}이다.", "unknown value 'no_such_value'"),
    ('![](figure:no-such-figure "캡션")', "figure 'no-such-figure' is made by no snippet"),
    ('![대체 텍스트](figure:pe-heatmap "캡션")', "its alt text comes from the snippet"),
])
def test_page_citing_what_no_run_made_fails_the_build_naming_page_and_line(scratch, line, message):
    root = scratch[0]
    page = root / "docs" / "qna" / "complexity.md"
    with edited(page, lambda text: text + "\n" + line + "\n") as text:
        result = run_mkdocs_build(root, root / "site")
    line_number = text.splitlines().index(line) + 1
    assert result.returncode != 0
    assert f"docs/qna/complexity.md:{line_number}:" in result.stderr and message in result.stderr, result.stderr


def test_builder_lists_and_runs_one_snippet_by_name(scratch):
    root = scratch[0]
    name = snippet_names()[0]
    result = run_builder(root, "--only", name)
    assert result.returncode == 0
    assert progress(result) == {name: "ran"}
    unknown = run_builder(root, "--only", "no_such_snippet")
    assert unknown.returncode != 0 and "unknown snippet" in unknown.stderr


# ---------------------------------------------------------------- mkdocs serve


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served_scratch(scratch):
    """`mkdocs serve` on the scratch copy (figures already built); yields (root, url, log file)."""
    root = scratch[0]
    port = free_port()
    log_path = root / "serve.log"
    with open(log_path, "w", encoding="utf-8") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=root, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(root)},
        )
        try:
            deadline = time.monotonic() + 180
            while "Serving on" not in log_path.read_text(encoding="utf-8"):
                assert server.poll() is None, log_path.read_text(encoding="utf-8")
                assert time.monotonic() < deadline, "mkdocs serve did not start"
                time.sleep(0.5)
            yield root, f"http://127.0.0.1:{port}{site_path_prefix().rstrip('/')}", log_path
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.mark.browser
def test_serve_reruns_an_edited_snippet_alone_and_reloads_the_page(served_scratch, browser):
    root, url, log_path = served_scratch
    name = "positional_encoding"
    before = figure_hashes(root)
    page = browser.new_page()
    try:
        page.goto(f"{url}/qna/positional-encoding/", wait_until="load")
        already_logged = len(log_path.read_text(encoding="utf-8"))
        # A visible change: every figure title of this snippet gets a prefix.
        retitle = lambda text: text.replace('ax.set_title("', 'ax.set_title("(수정) ')  # noqa: E731
        with contextlib.ExitStack() as restore:  # the edit stays until the reload has been seen
            with page.expect_navigation(timeout=180_000):  # livereload reloads the open page
                restore.enter_context(edited(root / "snippets" / f"{name}.py", retitle))
            rebuild = log_path.read_text(encoding="utf-8")[already_logged:]
            after = figure_hashes(root)
    finally:
        page.close()
    assert [n for n, state in PROGRESS.findall(rebuild) if state == "ran"] == [name], rebuild
    changed = {figure for figure in before if before[figure] != after.get(figure)}
    assert changed and all(figure.startswith("figures/pe-") for figure in changed), changed
    # Outputs live outside the watched docs folder: one edit, one build.
    assert rebuild.count("Building documentation") == 1, rebuild
