"""The figure builder's bookkeeping, in this process, on a temporary project (no kernel).

Each test makes a project in a temporary folder (``snippets/`` with small stand-in snippets,
an empty ``.cache``, a ``mkdocs.yml`` naming the site) and builds it with a ``BuilderConfig``
whose ``start_runner`` is ``StandInRunner``: it executes the stand-in as plain Python here and
leaves in the staging folder what the real runner leaves (figures with their meta JSON,
``values.json``, the notebook and the source, ``result.json``, ``runner.log``). Everything else,
freshness, installing, citations, ownership, the lock, is the builder's own code.

What needs real kernels, processes or signals stays end to end in test_builder_faults.py.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import re
import threading
import traceback
from pathlib import Path

import pytest

from scripts.figure_builder import BuilderConfig, SnippetError, build, cli, list_snippets, runner
from scripts.figure_builder import manifest as manifest_module
from scripts.sources import read_text
from tests.helpers import PROGRESS, file_hashes

SITE = "https://example.github.io/notes/"


class StandInRunner:
    """Runs a stand-in snippet at once, in this process. A stand-in calls ``save_figure(name,
    alt, label="")``, ``publish(name, value)``, and, to act out a runner's troubles, ``die()``
    (the runner exits without a result) or ``keep_running(polls)`` (still running for that many
    polls)."""

    def __init__(self, config: BuilderConfig, name: str, staging: Path):
        self.staging, self.returncode, self.polls_left, self.stopped = staging, None, 0, False
        path = config.snippet_dir / f"{name}.py"
        (staging / "figures").mkdir()
        figures, values = [], {}

        def save_figure(figure: str, alt: str, label: str = "") -> None:
            for variant in ("light", "dark"):
                svg = f"<svg><title>{figure} {variant} {label}</title></svg>"
                (staging / "figures" / f"{figure}-{variant}.svg").write_text(svg, encoding="utf-8")
            meta = {"alt": alt, "volatile": False, "wide": {"width": 440, "height": 300}}
            meta["checked"] = ["wide-light", "wide-dark"]
            (staging / "figures" / f"{figure}.json").write_text(json.dumps(meta), encoding="utf-8")
            figures.append(figure)

        def keep_running(polls: int) -> None:
            self.polls_left = polls

        source = read_text(path)
        scope = {"__name__": "__main__", "save_figure": save_figure, "publish": values.__setitem__}
        scope["die"], scope["keep_running"] = self._die, keep_running
        try:
            exec(compile(source, str(path), "exec"), scope)
        except _RunnerDied:
            (staging / runner.LOG).write_text("Traceback (most recent call last):\nMemoryError\n", encoding="utf-8")
            self.returncode = 1
            return
        except Exception as error:  # the runner's one-line report, as describe_failure writes it
            line = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == str(path)]
            failure = f"snippet '{name}' failed at snippets/{name}.py:{line[-1]}: {type(error).__name__}: {error}"
            result = {"ok": False, "error": failure}
        else:
            import jupytext
            import nbformat

            notebook = jupytext.reads(source, fmt="py:percent")
            runner.number_cells(notebook, name)  # as the runner does: the same run, the same bytes
            nbformat.write(notebook, staging / f"{name}.ipynb")
            (staging / f"{name}.py").write_text(source, encoding="utf-8")
            (staging / "values.json").write_text(json.dumps(values), encoding="utf-8")
            result = {"ok": True, "seconds": 0.5, "figures": sorted(figures), "values": values}
        (staging / runner.LOG).write_text("", encoding="utf-8")
        (staging / runner.RESULT).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        self.returncode = 0

    @staticmethod
    def _die():
        raise _RunnerDied

    def poll(self) -> int | None:
        if self.polls_left:
            self.polls_left -= 1
            return None
        return self.returncode

    def stop(self) -> None:
        self.stopped = True


class _RunnerDied(BaseException):
    """A stand-in's way to act out a runner that exits without writing its result."""


class Project:
    """A temporary project and its builder configuration; ``lines`` holds what the builder logged."""

    def __init__(self, root: Path, **settings):
        self.root = root
        self.lines: list[str] = []
        self.runners: list[StandInRunner] = []
        self.config = BuilderConfig(root, log=self.lines.append, start_runner=self.start, **settings)

    def start(self, config: BuilderConfig, name: str, staging: Path) -> StandInRunner:
        started = StandInRunner(config, name, staging)
        self.runners.append(started)
        return started

    def put(self, name: str, source: str) -> Path:
        path = self.root / "snippets" / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        return path

    def build(self, **options) -> dict[str, str]:
        """Build; each snippet named with 'ran' or 'cached'."""
        self.lines.clear()
        build(self.config, **options)
        return self.progress()

    def progress(self) -> dict[str, str]:
        return dict(PROGRESS.findall("\n".join(self.lines)))

    def listing(self) -> dict[str, str]:
        """``--list``: each snippet's state and the rest of its line."""
        self.lines.clear()
        list_snippets(self.config)
        return {line.split()[0]: line.split(None, 1)[1] for line in self.lines}

    def manifest(self) -> dict:
        return json.loads(self.config.manifest.read_text(encoding="utf-8"))

    def outputs(self) -> dict[str, str]:
        return file_hashes(self.config.generated_dir)

    def staging_leftovers(self) -> list[Path]:
        staging = self.config.staging_dir
        return list(staging.iterdir()) if staging.exists() else []

    def notebook_text(self, name: str) -> str:
        cells = json.loads((self.config.notebook_dir / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


@pytest.fixture
def project(tmp_path) -> Project:
    root = tmp_path / "project"
    (root / "snippets").mkdir(parents=True)
    (root / ".cache").mkdir()
    (root / "mkdocs.yml").write_text(f"site_url: {SITE}\n", encoding="utf-8")  # read for the cache key
    return Project(root)


HEADING = "# %% [markdown]\n# # 시험용 실험\n\n# %%\n"


def drawing(figure: str, value: str, slope: float = 1.0) -> str:
    """A stand-in that makes one figure (its alt text cites its own value) and publishes one value."""
    alt = f"시험용 그림: {{{{ {value} }}}}"
    return HEADING + f'save_figure("{figure}", alt="{alt}", label="{slope}")\npublish("{value}", {slope})\n'


PLAIN = HEADING + "total = sum(range(10))\n"


def citing(cited: str, own: str) -> str:
    """A stand-in whose Markdown cites another's value and that publishes one of its own."""
    markdown = f"# %% [markdown]\n# # 인용하는 시험용 실험\n#\n# 다른 실험이 낸 값: {{{{ {cited} }}}}\n\n"
    return markdown + f'# %%\npublish("{own}", 2.0)\n'


def put_citing_pair(project: Project) -> None:
    """'alpha' cites the value 'zeta_slope', which 'zeta' publishes (1.5)."""
    project.put("alpha", citing("zeta_slope", "alpha_value"))
    project.put("zeta", drawing("zeta-line", "zeta_slope", slope=1.5))


# ---------------------------------------------------------------- freshness


def test_a_cold_build_installs_every_output_and_the_next_build_skips_the_fresh_snippet(project):
    project.put("drawn", drawing("drawn-line", "drawn_slope", slope=1.5))
    assert project.build() == {"drawn": "ran"}
    generated = project.config.generated_dir
    assert json.loads((generated / "values" / "drawn.json").read_text(encoding="utf-8")) == {"drawn_slope": 1.5}
    meta = json.loads((generated / "figures" / "drawn-line.json").read_text(encoding="utf-8"))
    assert meta["alt"] == "시험용 그림: 1.5"  # its citation resolved
    assert sorted(project.outputs()) == [
        "figures/drawn-line-dark.svg",
        "figures/drawn-line-light.svg",
        "figures/drawn-line.json",
        "notebooks/drawn.ipynb",
        "notebooks/drawn.py",
        "values/drawn.json",
    ]
    entry = project.manifest()["drawn"]
    assert entry["figures"] == ["drawn-line"] and entry["values"] == ["drawn_slope"]
    assert set(entry["outputs"]) == {f".cache/generated/{file}" for file in project.outputs()}
    assert project.staging_leftovers() == []
    before = project.outputs()
    assert project.build() == {"drawn": "cached"}
    assert len(project.runners) == 1 and project.outputs() == before
    assert project.listing()["drawn"].startswith("fresh  drawn-line  (1 values)")


def test_an_edited_snippet_reruns_alone(project):
    project.put("one", drawing("one-line", "one_slope"))
    project.put("two", PLAIN)
    project.build()
    project.put("one", drawing("one-line", "one_slope", slope=2.0))
    assert re.match(r"stale .*\[source changed\]", project.listing()["one"])
    assert project.build() == {"one": "ran", "two": "cached"}
    assert "one-line dark 2.0" in (project.config.figure_dir / "one-line-dark.svg").read_text(encoding="utf-8")


def test_editing_a_helper_makes_the_snippets_that_import_it_stale(project):
    project.put("_shared", "SCALE = 1\n")
    # The cache key follows the import wherever it stands; the stand-in runner, here, need not import it.
    project.put("user", HEADING + "if __name__ == 'a kernel':\n    from snippets import _shared\n")
    project.put("other", PLAIN)
    project.build()
    project.put("_shared", "SCALE = 2\n")
    assert project.build() == {"user": "ran", "other": "cached"}


def test_an_output_changed_outside_the_builder_is_stale_and_rebuilt(project):
    project.put("drawn", drawing("drawn-line", "drawn_slope"))
    project.build()
    good = project.outputs()
    svg = project.config.figure_dir / "drawn-line-light.svg"
    svg.write_bytes(svg.read_bytes()[: svg.stat().st_size // 2])  # a truncated file
    assert "[changed .cache/generated/figures/drawn-line-light.svg]" in project.listing()["drawn"]
    assert project.build() == {"drawn": "ran"}
    assert project.outputs() == good


def test_a_missing_output_is_stale_and_rebuilt(project):
    project.put("drawn", drawing("drawn-line", "drawn_slope"))
    project.build()
    good = project.outputs()
    (project.config.notebook_dir / "drawn.ipynb").unlink()
    assert "[missing .cache/generated/notebooks/drawn.ipynb]" in project.listing()["drawn"]
    assert project.build() == {"drawn": "ran"}
    assert project.outputs() == good


def test_a_damaged_values_file_is_rebuilt_with_a_warning(project):
    project.put("drawn", drawing("drawn-line", "drawn_slope", slope=1.5))
    project.put("plain", PLAIN)
    project.build()
    values = project.config.value_dir / "drawn.json"
    good = values.read_bytes()
    values.write_bytes(good[:5])
    assert project.build() == {"drawn": "ran", "plain": "cached"}
    assert any("warning: .cache/generated/values/drawn.json is damaged" in line for line in project.lines)
    assert values.read_bytes() == good and project.staging_leftovers() == []


# ---------------------------------------------------------------- what runs: only, force, missing_only


def test_only_runs_one_snippet_by_name_or_prefix_even_if_fresh(project):
    project.put("alpha", PLAIN)
    project.put("beta", PLAIN)
    project.build()
    assert project.build(only="alp") == {"alpha": "ran"}
    assert project.build(only="beta") == {"beta": "ran"}
    with pytest.raises(SystemExit, match="unknown snippet 'gamma' \\(known: alpha, beta\\)"):
        project.build(only="gamma")


def test_force_runs_every_snippet(project):
    project.put("alpha", PLAIN)
    project.put("beta", drawing("beta-line", "beta_slope"))
    project.build()
    assert project.build(force=True) == {"alpha": "ran", "beta": "ran"}


def test_missing_only_runs_what_never_ran_and_keeps_stale_outputs(project):
    project.put("old", drawing("old-line", "old_slope", slope=1.0))
    project.build()
    kept = project.outputs()
    project.put("old", drawing("old-line", "old_slope", slope=3.0))  # stale now
    project.put("new", PLAIN)
    assert project.build(missing_only=True) == {"new": "ran", "old": "cached"}
    assert {k: v for k, v in project.outputs().items() if k in kept} == kept
    assert project.listing()["old"].startswith("stale")
    assert project.build() == {"new": "cached", "old": "ran"}


def test_missing_only_does_not_rerun_what_cites_a_value_it_changed(project):
    put_citing_pair(project)
    project.build()
    project.put("zeta", drawing("zeta-line", "zeta_slope", slope=2.5))
    (project.config.value_dir / "zeta.json").unlink()
    assert project.build(missing_only=True) == {"alpha": "cached", "zeta": "ran"}
    assert "다른 실험이 낸 값: 1.5" in project.notebook_text("alpha")
    assert project.build() == {"alpha": "ran", "zeta": "cached"}


# ---------------------------------------------------------------- failures


def test_a_failing_snippet_keeps_its_last_good_outputs_and_is_named_with_its_line(project):
    project.put("drawn", drawing("drawn-line", "drawn_slope"))
    project.build()
    good, entry = project.outputs(), project.manifest()["drawn"]
    broken = project.put("drawn", drawing("drawn-line", "drawn_slope", 2.0) + 'raise RuntimeError("의도한 실패")\n')
    project.put("other", PLAIN)
    line = broken.read_text(encoding="utf-8").splitlines().index('raise RuntimeError("의도한 실패")') + 1
    with pytest.raises(SnippetError) as failure:
        project.build()
    assert str(failure.value) == f"snippet 'drawn' failed at snippets/drawn.py:{line}: RuntimeError: 의도한 실패"
    assert project.progress() == {"other": "ran"}  # the others still build
    assert {k: v for k, v in project.outputs().items() if k in good} == good
    assert project.manifest()["drawn"] == entry
    assert project.staging_leftovers() == []


def test_a_runner_that_exits_without_a_result_is_one_line_with_its_last_output(project):
    project.put("dying", PLAIN + "die()\n")
    with pytest.raises(SnippetError, match=r"^snippet 'dying' failed: its runner exited with code 1 \(MemoryError\)$"):
        project.build()
    assert project.staging_leftovers() == [] and not project.config.manifest.exists()


def test_a_syntax_error_is_one_snippets_failure_named_with_its_line(project):
    project.put("good", PLAIN)
    broken = project.put("broken", PLAIN + "\n# %%\ndef half(x:\n    return x / 2\n")
    line = broken.read_text(encoding="utf-8").splitlines().index("def half(x:") + 1
    with pytest.raises(SnippetError, match=rf"^snippet 'broken' failed at snippets/broken.py:{line}: SyntaxError: "):
        project.build()
    assert project.progress() == {"good": "ran"}
    assert [started.staging.name.split("-")[0] for started in project.runners] == ["good"]  # never "broken"
    assert re.match(
        rf"error  -  \(0 values\)  \[snippet 'broken' failed at snippets/broken.py:{line}", project.listing()["broken"]
    )


def test_a_syntax_error_in_a_shared_helper_names_the_helper(project):
    project.put("user", "# %%\nfrom snippets import _shared\n")
    project.put("_shared", "x = (\n")
    with pytest.raises(SnippetError, match=r"^snippet 'user' failed at snippets/_shared.py:1: SyntaxError:"):
        project.build()


def test_a_snippet_that_is_not_utf8_is_named_with_its_line(project):
    project.put("plain", PLAIN)
    (project.root / "snippets" / "latin.py").write_bytes(b"# %%\nx = 1\ny = '\xe9'\n")
    with pytest.raises(SnippetError) as failure:
        project.build()
    assert str(failure.value) == (
        "snippet 'latin' failed: snippets/latin.py:3: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    )
    assert project.progress() == {"plain": "ran"}
    assert re.match(r"error .*latin\.py:3", project.listing()["latin"])


@pytest.mark.parametrize("kind", ["figure", "value"])
def test_two_snippets_making_the_same_name_fail_naming_both_and_the_first_keeps_its_output(project, kind):
    project.put("first", drawing("shared-figure", "shared_value", slope=1.0))
    project.build()
    first_files = project.outputs()
    figure, value = ("shared-figure", "other_value") if kind == "figure" else ("other-figure", "shared_value")
    copy = project.put("second", drawing(figure, value, slope=-1.0))
    clash = "shared-figure" if kind == "figure" else "shared_value"
    with pytest.raises(SnippetError) as failure:
        project.build()
    assert str(failure.value) == (
        f"snippet 'second' makes {kind} '{clash}', which snippet 'first' already makes (snippets/first.py); "
        "give one of them another name"
    )
    assert {k: v for k, v in project.outputs().items() if k in first_files} == first_files
    assert "second" not in project.manifest() and project.staging_leftovers() == []
    copy.unlink()  # deleting the copy keeps the original's outputs
    project.build()
    assert project.outputs() == first_files


def test_an_output_folder_that_cannot_be_written_is_one_line(project):
    project.put("plain", PLAIN)
    project.config.generated_dir.mkdir(parents=True)
    (project.config.generated_dir / "notebooks").write_text("a file where a folder belongs", encoding="utf-8")
    with pytest.raises(SnippetError, match=r"^cannot write \.cache/generated/notebooks: .*; the last good outputs"):
        project.build()


def test_more_threads_than_cores_is_refused(capsys, monkeypatch):
    def build_the_checkout(*args, **kwargs):  # the command line works on this checkout: never here
        raise AssertionError("the command line built with --threads 1000")

    monkeypatch.setattr(cli, "build", build_the_checkout)
    with pytest.raises(SystemExit) as exit:
        cli.main(["--threads", "1000"])
    assert exit.value.code == 2 and "--threads must be between 1 and the" in capsys.readouterr().err


# ---------------------------------------------------------------- the manifest


@pytest.mark.parametrize(
    "damage",
    [b"", b'{"plain": {"key": "ab', b"[1, 2]", b'{"plain": 3}', b"\xff\xfe"],
    ids=["empty", "truncated", "list", "entry", "binary"],
)
def test_a_damaged_manifest_is_a_warning_and_every_snippet_runs_again(project, capsys, damage):
    project.put("plain", PLAIN)
    project.build()
    project.config.manifest.write_bytes(damage)
    warnings = []
    assert manifest_module.load_manifest(project.config, warn=warnings.append) == {}
    assert len(warnings) == 1 and warnings[0].startswith("warning: .cache/figure-builder/manifest.json is damaged")
    assert warnings[0].endswith("every snippet runs again")
    assert project.listing()["plain"].startswith("stale")
    assert "warning: .cache/figure-builder/manifest.json is damaged" in capsys.readouterr().err  # --list's
    assert project.build() == {"plain": "ran"}
    assert "warning: .cache/figure-builder/manifest.json is damaged" in project.lines[0]
    assert set(project.manifest()) == {"plain"}


def test_concurrent_manifest_writes_never_fail_or_show_half_a_file(project):
    config = project.config
    big = {f"snippet_{i}": {"figures": [f"figure-{i}-{j}" for j in range(50)]} for i in range(40)}
    manifest_module.save_manifest(config, big)
    errors, reads, done = [], [], threading.Event()

    def write():
        try:
            for _ in range(150):
                manifest_module.save_manifest(config, big)
        except Exception as error:  # noqa: BLE001  any failure is the finding
            errors.append(error)

    def read():
        while not done.is_set():
            reads.append(manifest_module.load_manifest(config, warn=errors.append) == big)

    writers = [threading.Thread(target=write) for _ in range(3)]
    reader = threading.Thread(target=read)
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()
    assert errors == []
    assert reads and all(reads)
    assert [p.name for p in config.cache_dir.iterdir()] == ["manifest.json"]  # no temporary file left


def test_a_renamed_snippet_keeps_its_outputs_under_its_new_name(project):
    old = project.put("before", drawing("kept-line", "kept_slope"))
    project.build()
    old.rename(project.root / "snippets" / "after.py")
    assert project.build() == {"after": "ran"}
    assert (project.config.figure_dir / "kept-line-light.svg").exists()
    assert set(project.manifest()) == {"after"}
    assert json.loads((project.config.value_dir / "after.json").read_text(encoding="utf-8")) == {"kept_slope": 1.0}
    assert not (project.config.value_dir / "before.json").exists()
    assert not (project.config.notebook_dir / "before.ipynb").exists()


def test_a_figure_a_snippet_no_longer_makes_is_removed(project):
    project.put("drawn", drawing("old-line", "drawn_slope"))
    project.build()
    project.put("drawn", drawing("new-line", "drawn_slope"))
    assert project.build() == {"drawn": "ran"}
    assert sorted(path.name for path in project.config.figure_dir.iterdir()) == [
        "new-line-dark.svg",
        "new-line-light.svg",
        "new-line.json",
    ]
    assert project.manifest()["drawn"]["figures"] == ["new-line"]


def test_a_deleted_snippet_takes_its_outputs_with_it(project):
    gone = project.put("gone", drawing("gone-line", "gone_slope"))
    project.put("plain", PLAIN)
    project.build()
    gone.unlink()
    assert project.build() == {"plain": "cached"}
    assert set(project.manifest()) == {"plain"}
    assert sorted(project.outputs()) == ["notebooks/plain.ipynb", "notebooks/plain.py", "values/plain.json"]


# ---------------------------------------------------------------- citations


def test_a_value_cited_from_another_snippet_waits_for_it_and_follows_its_changes(project):
    # "alpha" is polled first: on a cold build it finishes before the snippet it cites.
    put_citing_pair(project)
    assert project.build() == {"zeta": "ran", "alpha": "ran"}
    assert list(project.progress()) == ["zeta", "alpha"]  # installed in that order
    assert "다른 실험이 낸 값: 1.5" in project.notebook_text("alpha")
    assert project.manifest()["alpha"]["cited"] == {"zeta_slope": 1.5}
    project.put("zeta", drawing("zeta-line", "zeta_slope", slope=2.5))
    assert project.listing()["alpha"].startswith("fresh") and project.listing()["zeta"].startswith("stale")
    assert project.build() == {"alpha": "ran", "zeta": "ran"}
    assert "[figures] alpha                  cites a value that changed: runs again" in project.lines
    assert "다른 실험이 낸 값: 2.5" in project.notebook_text("alpha")
    assert project.listing()["alpha"].startswith("fresh")
    assert project.build() == {"alpha": "cached", "zeta": "cached"}


def test_a_citing_snippet_does_not_rerun_when_the_cited_value_stays(project):
    put_citing_pair(project)
    project.build()
    project.put("zeta", drawing("zeta-line", "zeta_slope", slope=1.5) + "# 주석 한 줄\n")
    assert project.build() == {"alpha": "cached", "zeta": "ran"}


def test_a_cited_value_changed_behind_the_builders_back_makes_the_citing_snippet_stale(project):
    put_citing_pair(project)
    project.build()
    entry = project.manifest()
    entry["alpha"]["cited"] = {"zeta_slope": 9.0}  # as if alpha had run before zeta's last change
    project.config.manifest.write_text(json.dumps(entry), encoding="utf-8")
    assert re.match(r"stale .*\[cites 'zeta_slope', which changed\]", project.listing()["alpha"])
    assert project.build() == {"alpha": "ran", "zeta": "cached"}


def test_snippets_citing_each_other_fail_naming_the_cycle(project):
    project.put("alpha", citing("zeta_value", "alpha_value"))
    project.put("zeta", citing("alpha_value", "zeta_value"))
    with pytest.raises(SnippetError) as failure:
        project.build()
    assert re.search(
        r"cycle: snippets/(alpha|zeta)\.py → snippets/(zeta|alpha)\.py → snippets/\1\.py", str(failure.value)
    )
    assert project.staging_leftovers() == [] and not project.config.manifest.exists()


def test_a_mistyped_citation_in_a_snippet_fails_with_its_line(project):
    source = citing("zeta_slope", "alpha_value").replace("{{ zeta_slope }}", "{{ Zeta_Slope }}")
    path = project.put("alpha", source)
    line = path.read_text(encoding="utf-8").splitlines().index("# 다른 실험이 낸 값: {{ Zeta_Slope }}") + 1
    with pytest.raises(SnippetError, match=re.escape(f"snippets/alpha.py:{line}: '{{{{ Zeta_Slope }}}}' is not a")):
        project.build()
    assert project.staging_leftovers() == []


# ---------------------------------------------------------------- running: progress, interruption, the lock


def test_a_running_snippet_says_so_as_often_as_the_config_asks(project):
    quick = Project(project.root, progress_seconds=0.0)
    quick.put("slow", PLAIN + "keep_running(3)\n")
    assert quick.build() == {"slow": "ran"}
    assert sum(bool(re.fullmatch(r"\[figures\] slow\s+running\s+\d+ s", line)) for line in quick.lines) == 3
    project.put("slow", PLAIN + "keep_running(3)\n")  # the default: every 10 seconds
    assert project.build(force=True) == {"slow": "ran"}
    assert not any("running" in line for line in project.lines)


def test_an_interrupted_build_stops_every_runner_and_leaves_no_staging(project):
    def interrupt(line: str) -> None:
        if "running" in line:
            raise KeyboardInterrupt

    interrupted = Project(project.root, progress_seconds=0.0)
    for name in ("one", "two"):
        interrupted.put(name, PLAIN + "keep_running(1000)\n")
    with pytest.raises(KeyboardInterrupt):
        build(dataclasses.replace(interrupted.config, log=interrupt))
    assert [started.stopped for started in interrupted.runners] == [True, True]
    assert interrupted.staging_leftovers() == []
    assert not interrupted.config.generated_dir.exists() and not interrupted.config.manifest.exists()


def test_the_lock_is_the_projects_own_and_held_while_snippets_run(project):
    held = []

    def start(config: BuilderConfig, name: str, staging: Path) -> StandInRunner:
        with open(config.lock, encoding="utf-8") as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held.append(other.read())
        return StandInRunner(config, name, staging)

    checkout_lock = BuilderConfig.for_checkout().lock
    before = checkout_lock.stat().st_mtime_ns if checkout_lock.exists() else None
    project.put("plain", PLAIN)
    build(BuilderConfig(project.root, log=project.lines.append, start_runner=start))
    assert project.config.lock == project.root / ".cache" / "figure-builder" / "lock"
    assert held == [str(os.getpid())]  # held by this builder, under the temporary project
    with open(project.config.lock, encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released afterwards
    assert (checkout_lock.stat().st_mtime_ns if checkout_lock.exists() else None) == before


def test_two_projects_in_one_process_keep_their_outputs_apart(tmp_path, project):
    other_root = tmp_path / "other"
    (other_root / "snippets").mkdir(parents=True)
    (other_root / "mkdocs.yml").write_text(f"site_url: {SITE}\n", encoding="utf-8")
    other = Project(other_root)
    project.put("mine", drawing("mine-line", "mine_slope"))
    other.put("theirs", drawing("theirs-line", "theirs_slope"))
    assert project.build() == {"mine": "ran"}
    assert other.build() == {"theirs": "ran"}
    assert set(project.manifest()) == {"mine"} and set(other.manifest()) == {"theirs"}
    assert all("theirs" not in file for file in project.outputs())


# ---------------------------------------------------------------- the site's plugin


def test_a_damaged_notebook_render_in_mkdocs_jupyters_cache_is_dropped(tmp_path, caplog):
    from scripts.site_plugin.figures import drop_damaged_notebook_renders

    cache = tmp_path / ".cache" / "mkdocs-jupyter"
    cache.mkdir(parents=True)
    good = cache / "good.json"
    good.write_text(json.dumps({"content": "<p>ok</p>", "toc_tokens": [], "title": None}), encoding="utf-8")
    damaged = cache / "damaged.json"
    damaged.write_text('{"content": "<p>cut', encoding="utf-8")
    with caplog.at_level("INFO"):
        drop_damaged_notebook_renders(cache, tmp_path)
    assert good.exists() and not damaged.exists()
    messages = [record.getMessage() for record in caplog.records]
    assert "warning: .cache/mkdocs-jupyter/damaged.json is damaged; the notebook is rendered again" in messages


def test_the_site_refuses_to_build_without_mkdocs_jupyter(project):
    from mkdocs.exceptions import PluginError

    from scripts.site_plugin.config import FiguresConfig
    from scripts.site_plugin.figures import Figures

    class Config(dict):
        plugins = {}

    with pytest.raises(PluginError, match="mkdocs-jupyter plugin"):
        Figures(FiguresConfig(), project.config).on_config(Config())


def test_the_plugins_builder_and_caches_are_the_projects(tmp_path):
    from types import SimpleNamespace

    from scripts.site_plugin.config import FiguresConfig
    from scripts.site_plugin.figures import Figures, builder_config
    from scripts.site_plugin.notebook_pages import NotebookPages

    figures = FiguresConfig()
    figures.load_dict({"threads": 2, "progress_seconds": 0.5})
    assert figures.validate() == ([], [])
    builder = builder_config(figures, tmp_path)
    assert (builder.root, builder.threads, builder.progress_seconds) == (tmp_path.resolve(), 2, 0.5)
    assert builder.generated_dir == tmp_path.resolve() / ".cache" / "generated"

    class Config(dict):
        plugins = {"mkdocs-jupyter": SimpleNamespace(config={})}

    Figures(figures, builder).on_config(Config())
    assert Config.plugins["mkdocs-jupyter"].config["cache_dir"] == str(tmp_path.resolve() / ".cache" / "mkdocs-jupyter")
    assert NotebookPages(builder).css_cache == tmp_path.resolve() / ".cache" / "notebook-css"
