"""The figure builder on a scratch copy of the repository with the real snippets: cache,
failures, determinism, the MkDocs build and `mkdocs serve`. (Faults: test_builder_faults.py.)

One module-scoped copy is built cold (twice: with one and with two torch threads); each
test gets it through `repo`, which puts the built state back afterwards, so the tests
pass in any order.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from pathlib import Path

import pytest

from scripts.harness import ROOT, build_site, copy_repository, free_port, site_prefix, start_mkdocs_serve
from tests.helpers import PROGRESS, OutputReader, edited, file_hashes, generated, progress, run_builder


def figure_hashes(root: Path) -> dict[str, str]:
    """Every figure, alt text and published value file by name, with its hash."""
    return {
        name: digest
        for name, digest in file_hashes(generated(root)).items()
        if name.startswith(("figures/", "values/"))
    }


def volatile_figures(root: Path) -> set[str]:
    folder = generated(root) / "figures"
    return {p.stem for p in folder.glob("*.json") if json.loads(p.read_text(encoding="utf-8"))["volatile"]}


def figure_of(name: str) -> str:
    """'figures/cx-time-light.svg' and 'figures/cx-time.json' -> 'cx-time'; other files keep their name."""
    folder, file = name.split("/", 1)
    if folder != "figures":
        return name
    stem = file.rsplit(".", 1)[0]
    return stem.rsplit("-", 1)[0] if file.endswith(".svg") else stem


def snippet_names() -> list[str]:
    return sorted(p.stem for p in (ROOT / "snippets").glob("*.py") if not p.name.startswith("_"))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A copy of the repo after two cold builds, with one and with two torch threads per kernel;
    (root, first run, first_hashes, second_hashes, pristine .cache). Tests use it through `repo`."""
    root = copy_repository(tmp_path_factory.mktemp("repo"))
    first = run_builder(root, "--threads", "1")
    assert first.returncode == 0, first.stderr
    first_hashes = figure_hashes(root)
    shutil.rmtree(root / ".cache")
    second = run_builder(root, "--threads", "2")
    assert second.returncode == 0, second.stderr
    pristine = tmp_path_factory.mktemp("pristine") / ".cache"
    shutil.copytree(root / ".cache", pristine, symlinks=True)
    return root, first, first_hashes, figure_hashes(root), pristine


@pytest.fixture
def repo(scratch):
    """The built scratch copy; afterwards its caches and outputs are as the cold build left them
    (sources are restored by `edited`)."""
    root, pristine = scratch[0], scratch[4]
    yield root
    shutil.rmtree(root / ".cache", ignore_errors=True)
    shutil.copytree(pristine, root / ".cache", symlinks=True)
    shutil.rmtree(root / "site", ignore_errors=True)


def test_cold_run_runs_every_snippet_and_reports_each(scratch):
    first = scratch[1]
    assert progress(first) == {name: "ran" for name in snippet_names()}


def test_cold_runs_with_one_and_two_threads_give_identical_bytes(scratch):
    root, _, first_hashes, second_hashes, _ = scratch
    assert any(name.startswith("values/") for name in first_hashes), "no value was published"
    assert any(name.endswith(".svg") for name in first_hashes), "no figure was written"
    assert first_hashes.keys() == second_hashes.keys()
    volatile = volatile_figures(root)
    differing = {name for name in first_hashes if first_hashes[name] != second_hashes[name]}
    # Only figures of measured wall time (their SVGs and alt texts) may differ, and they say so.
    assert {figure_of(name) for name in differing} <= volatile, differing
    assert len(volatile) <= 1, f"more volatile figures than the one timing plot: {volatile}"


def test_second_run_reruns_nothing_and_lists_every_snippet_fresh(repo):
    result = run_builder(repo)
    assert result.returncode == 0
    assert progress(result) == {name: "cached" for name in snippet_names()}
    listing = run_builder(repo, "--list")
    assert dict(re.findall(r"^(\S+)\s+(fresh|stale)", listing.stdout, re.MULTILINE)) == {
        name: "fresh" for name in snippet_names()
    }


def test_editing_one_snippet_reruns_exactly_that_one(repo):
    name = snippet_names()[0]
    with edited(repo / "snippets" / f"{name}.py", lambda text: text + "\n# 주석 한 줄을 더했다\n"):
        result = run_builder(repo)
    assert result.returncode == 0, result.stderr
    assert progress(result) == {n: "ran" if n == name else "cached" for n in snippet_names()}


def test_editing_the_shared_helper_makes_every_snippet_that_imports_it_stale(repo):
    with edited(repo / "snippets" / "_figures.py", lambda text: text + "\n# changed\n"):
        listing = run_builder(repo, "--list")
    states = dict(re.findall(r"^(\S+)\s+(fresh|stale)", listing.stdout, re.MULTILINE))
    assert states == {name: "stale" for name in snippet_names()}


def test_failing_snippet_names_itself_and_its_line_and_keeps_old_figures(repo):
    name = snippet_names()[-1]
    failure = '\n# %%\nif __name__ == "__main__":\n    raise RuntimeError("의도한 실패")\n'
    before = figure_hashes(repo)
    with edited(repo / "snippets" / f"{name}.py", lambda text: text + failure) as broken:
        result = run_builder(repo)
    failing_line = broken.splitlines().index('    raise RuntimeError("의도한 실패")') + 1
    assert result.returncode != 0
    assert f"snippet '{name}' failed at snippets/{name}.py:{failing_line}" in result.stderr
    assert "RuntimeError: 의도한 실패" in result.stderr
    assert figure_hashes(repo) == before
    assert not list((repo / ".cache" / "figure-builder" / "staging").iterdir())


def test_mkdocs_build_fails_on_a_snippet_error(repo):
    name = snippet_names()[0]
    failure = '\n# %%\nif __name__ == "__main__":\n    1 / 0\n'
    with edited(repo / "snippets" / f"{name}.py", lambda text: text + failure):
        result = build_site(repo / "site", repo)
    assert result.returncode != 0
    assert f"snippet '{name}' failed at snippets/{name}.py:" in result.stderr
    assert "ZeroDivisionError" in result.stderr


def test_mkdocs_build_from_another_folder_keeps_every_cache_in_the_project(repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = build_site(tmp_path / "site", repo, cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert list(elsewhere.iterdir()) == []
    assert any((repo / ".cache" / "mkdocs-jupyter").rglob("*.json"))


def test_page_embedding_an_unknown_figure_fails_the_build(repo):
    unknown = "\n![없는 그림](../generated/figures/no-such-figure-light.svg#only-light)\n"
    with edited(repo / "docs" / "qna" / "complexity.md", lambda text: text + unknown):
        result = build_site(repo / "site", repo)
    assert result.returncode != 0
    assert "qna/complexity.md" in result.stderr and "no-such-figure" in result.stderr


@pytest.mark.parametrize(
    "line, message",
    [
        ("값은 {{ no_such_value:.2f }}이다.", "unknown value 'no_such_value'"),
        ('![](figure:no-such-figure "캡션")', "figure 'no-such-figure' is made by no snippet"),
        ('![대체 텍스트](figure:pe-heatmap "캡션")', "its alt text comes from the snippet"),
    ],
)
def test_page_citing_what_no_run_made_fails_the_build_naming_page_and_line(repo, line, message):
    page = repo / "docs" / "qna" / "complexity.md"
    with edited(page, lambda text: text + "\n" + line + "\n") as text:
        result = build_site(repo / "site", repo)
    line_number = text.splitlines().index(line) + 1
    assert result.returncode != 0
    assert f"docs/qna/complexity.md:{line_number}:" in result.stderr and message in result.stderr, result.stderr


def test_builder_runs_one_snippet_by_name_or_prefix(repo):
    name = snippet_names()[0]
    result = run_builder(repo, "--only", name[:4])
    assert result.returncode == 0
    assert progress(result) == {name: "ran"}
    unknown = run_builder(repo, "--only", "no_such_snippet")
    assert unknown.returncode != 0 and "unknown snippet" in unknown.stderr


# ---------------------------------------------------------------- mkdocs serve


@pytest.fixture
def served_repo(repo):
    """`mkdocs serve` on the scratch copy (figures already built); yields (root, url, its output)."""
    port = free_port()
    server = start_mkdocs_serve(repo, port)
    try:
        output = OutputReader(server)
        output.wait_for("Serving on")
        yield repo, f"http://127.0.0.1:{port}{site_prefix(repo).rstrip('/')}", output
    finally:
        server.terminate()
        server.wait(timeout=30)


def importers_and(name: str) -> list[str]:
    """``name`` and the snippets that import it (directly or through another snippet), sorted."""
    from scripts.figure_builder import BuilderConfig, local_dependencies

    checkout = BuilderConfig.for_checkout()
    edited_file = checkout.snippet_dir / f"{name}.py"
    importers = [
        path for path in checkout.snippet_dir.glob("[!_]*.py") if edited_file in local_dependencies(checkout, path)
    ]
    return sorted({name} | {path.stem for path in importers})


def test_serve_reruns_an_edited_snippet_alone_and_reloads_the_page(served_repo, browser):
    root, url, output = served_repo
    name = "positional_encoding"
    before = figure_hashes(root)
    page = browser.new_page()
    try:
        page.goto(f"{url}/qna/positional-encoding/", wait_until="load")
        already_seen = len(output.drain())
        # A visible change: every figure title of this snippet gets a prefix.
        retitle = lambda text: text.replace('ax.set_title("', 'ax.set_title("(수정) ')  # noqa: E731
        with contextlib.ExitStack() as restore:  # the edit stays until the reload has been seen
            with page.expect_navigation(timeout=180_000):  # livereload reloads the open page
                restore.enter_context(edited(root / "snippets" / f"{name}.py", retitle))
            rebuild = "".join(output.drain()[already_seen:])
            after = figure_hashes(root)
    finally:
        page.close()
    # The edited snippet reruns, and with it only the snippets that import it.
    assert sorted(n for n, state in PROGRESS.findall(rebuild) if state == "ran") == importers_and(name), rebuild
    changed = {figure for figure in before if before[figure] != after.get(figure)}
    assert changed and all(figure.startswith("figures/pe-") for figure in changed), changed
    # Outputs live outside the watched docs folder: one edit, one build.
    assert rebuild.count("Building documentation") == 1, rebuild
