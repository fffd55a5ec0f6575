"""The figure builder under faults, on a scratch copy of the repository with small stand-in snippets.

Each test injects one fault (a broken snippet, a signal, a damaged or edited file, a second
builder) and checks the message and the files. The stand-ins run in a real kernel in
seconds, so these tests belong to the fast loop.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest

from scripts.figure_builder import BuilderConfig
from scripts.figure_builder import manifest as manifest_module
from scripts.harness import copy_repository
from tests.helpers import (
    OutputReader,
    builder_env,
    file_hashes,
    generated,
    progress,
    run_builder,
    start_builder,
    wait_until,
)

# A stand-in that makes one figure and publishes one value. It writes the files the builder
# expects itself (no matplotlib to import: a quick kernel run); the real helper is used by
# the direct-run test.
DRAWING = """# %% [markdown]
# # 시험용 실험

# %%
import json
import os
from pathlib import Path

out = Path(os.environ["SNIPPET_OUTPUT_DIR"])
for variant in ("light", "dark"):
    svg = f"<svg><title>{figure} {{variant}} {slope}</title></svg>"
    (out / "figures" / f"{figure}-{{variant}}.svg").write_text(svg)
meta = {{"alt": "시험용 그림: {{{{ {value} }}}}", "volatile": False}}
(out / "figures" / "{figure}.json").write_text(json.dumps(meta))
(out / "values.json").write_text(json.dumps({{"{value}": {slope}}}))
"""

# A snippet that uses the real helper to draw one figure.
DRAWN_WITH_THE_HELPER = """# %% [markdown]
# # 시험용 실험

# %%
import matplotlib.pyplot as plt

from snippets._figures import publish, save_figure


def draw():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    return fig


# %%
if __name__ == "__main__":
    publish("drawn_slope", 1)
    save_figure("drawn-line", draw, alt="시험용 그림")
"""

# A snippet with no figure (no matplotlib to import: the quickest kernel run).
PLAIN = """# %% [markdown]
# # 시험용 실험

# %%
total = sum(range(10))
"""

# A snippet that writes its kernel's pid to $FAKE_MARKER and runs until $FAKE_RELEASE exists.
BLOCKING = """# %% [markdown]
# # 오래 걸리는 시험용 실험

# %%
import os
import time
from pathlib import Path

Path(os.environ["FAKE_MARKER"] + "-" + "{name}").write_text(str(os.getpid()))
while not Path(os.environ["FAKE_RELEASE"]).exists():
    time.sleep(0.05)
"""


@pytest.fixture
def repo(tmp_path, kernels):
    """A scratch copy of the repository whose snippets are only the helpers (add stand-ins with `put`)."""
    root = copy_repository(tmp_path / "repo")
    for snippet in (root / "snippets").glob("*.py"):
        if not snippet.name.startswith("_"):
            snippet.unlink()
    return root


def put(root: Path, name: str, source: str) -> Path:
    path = root / "snippets" / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return path


def drawing(figure: str, value: str, slope: float = 1.0) -> str:
    return DRAWING.format(figure=figure, value=value, slope=slope)


def staging_leftovers(root: Path) -> list[Path]:
    staging = root / ".cache" / "figure-builder" / "staging"
    return list(staging.iterdir()) if staging.exists() else []


def manifest_of(root: Path) -> dict:
    return json.loads((root / ".cache" / "figure-builder" / "manifest.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- broken snippets


def test_a_syntax_error_is_one_snippets_failure_named_with_its_line(repo):
    put(repo, "good", PLAIN)
    broken = put(repo, "broken", PLAIN + "\n# %%\ndef half(x:\n    return x / 2\n")
    line = broken.read_text(encoding="utf-8").splitlines().index("def half(x:") + 1
    result = run_builder(repo)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: snippet 'broken' failed at snippets/broken.py:{line}: SyntaxError: "
        f"{errors[0].split('SyntaxError: ', 1)[-1]}"
    ], result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert progress(result) == {"good": "ran"}  # the others still build
    listing = run_builder(repo, "--list")
    assert listing.returncode == 0
    assert re.search(rf"^broken\s+error .*snippets/broken.py:{line}", listing.stdout, re.MULTILINE), listing.stdout


def test_a_syntax_error_in_a_shared_helper_names_the_helper(repo):
    put(repo, "user", "# %%\nfrom snippets import _shared\n")
    helper = put(repo, "_shared", "x = (\n")
    result = run_builder(repo)
    assert result.returncode == 1
    assert "snippet 'user' failed at snippets/_shared.py:1: SyntaxError:" in result.stderr, result.stderr
    assert helper.exists()


@pytest.mark.parametrize("kind", ["figure", "value"])
def test_two_snippets_making_the_same_name_fail_naming_both_and_the_first_keeps_its_output(repo, kind):
    put(repo, "first", drawing("shared-figure", "shared_value", slope=1.0))
    assert run_builder(repo).returncode == 0
    first_files = file_hashes(generated(repo) / "figures")
    figure, value = ("shared-figure", "other_value") if kind == "figure" else ("other-figure", "shared_value")
    copy = put(repo, "second", drawing(figure, value, slope=-1.0))
    result = run_builder(repo)
    assert result.returncode == 1
    clash = "shared-figure" if kind == "figure" else "shared_value"
    assert (
        f"snippet 'second' makes {kind} '{clash}', which snippet 'first' already makes (snippets/first.py)"
    ) in result.stderr, result.stderr
    assert {k: v for k, v in file_hashes(generated(repo) / "figures").items() if k in first_files} == first_files
    assert "second" not in manifest_of(repo)
    # Deleting the copy keeps the original's outputs.
    copy.unlink()
    assert run_builder(repo).returncode == 0
    assert file_hashes(generated(repo) / "figures") == first_files


# ---------------------------------------------------------------- signals


def descendants(process: subprocess.Popen) -> list[psutil.Process]:
    return psutil.Process(process.pid).children(recursive=True)


def still_running(processes: list[psutil.Process]) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(processes, timeout=5)
    return [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_build_stops_every_kernel_and_leaves_no_staging(repo, tmp_path, signum):
    for name in ("one", "two"):
        put(repo, name, BLOCKING.format(name=name))
    marker, release = tmp_path / "started", tmp_path / "release"
    builder = start_builder(repo, FAKE_MARKER=str(marker), FAKE_RELEASE=str(release))
    output = OutputReader(builder)
    wait_until(lambda: all(Path(f"{marker}-{n}").exists() for n in ("one", "two")), "both kernels to start")
    kernels = [int(Path(f"{marker}-{n}").read_text()) for n in ("one", "two")]
    children = descendants(builder)
    assert set(kernels) <= {p.pid for p in children}
    os.kill(builder.pid, signum)
    assert builder.wait(timeout=60) == 130
    text = output.rest()
    assert "stopped: one, two" in text or "stopped: two, one" in text, text
    assert "interrupted" in text and "Traceback" not in text, text
    assert still_running(children) == []
    assert staging_leftovers(repo) == []
    assert not (generated(repo) / "notebooks").exists()


def test_a_killed_builder_leaves_no_process_and_the_next_build_sweeps_its_staging(repo, tmp_path):
    put(repo, "one", BLOCKING.format(name="one"))
    marker, release = tmp_path / "started", tmp_path / "release"
    env = {"FAKE_MARKER": str(marker), "FAKE_RELEASE": str(release)}
    builder = start_builder(repo, **env)
    wait_until(lambda: Path(f"{marker}-one").exists(), "the kernel to start")
    children = descendants(builder)
    builder.kill()
    builder.wait()
    assert still_running(children) == []  # the runner sees its builder gone and stops its kernel
    assert staging_leftovers(repo)  # nothing could clean up after SIGKILL...
    release.touch()
    result = run_builder(repo, **env)
    assert result.returncode == 0, result.stderr
    assert staging_leftovers(repo) == []  # ...the next build does


def test_a_running_snippet_says_so_and_for_how_long(repo, tmp_path):
    put(repo, "slow", BLOCKING.format(name="slow"))
    release = tmp_path / "release"
    builder = start_builder(
        repo, "--progress-seconds", "0.5", FAKE_MARKER=str(tmp_path / "started"), FAKE_RELEASE=str(release)
    )
    output = OutputReader(builder)
    line = output.wait_for(r"\[figures\] slow\s+running\s+\d+ s")
    release.touch()
    assert builder.wait(timeout=120) == 0
    assert re.search(r"\[figures\] slow\s+ran", output.rest())
    assert line.strip().startswith("[figures] slow")


# ---------------------------------------------------------------- the manifest and the lock


@pytest.mark.parametrize(
    "damage",
    [b"", b'{"plain": {"key": "ab', b"[1, 2]", b'{"plain": 3}', b"\xff\xfe"],
    ids=["empty", "truncated", "list", "entry", "binary"],
)
def test_load_manifest_turns_damage_into_a_warning_and_an_empty_table(tmp_path, damage):
    config = BuilderConfig(tmp_path)
    config.manifest.parent.mkdir(parents=True)
    config.manifest.write_bytes(damage)
    warnings = []
    assert manifest_module.load_manifest(config, warn=warnings.append) == {}
    assert len(warnings) == 1 and "manifest.json is damaged" in warnings[0] and "runs again" in warnings[0]


def test_a_damaged_manifest_is_a_warning_and_a_rerun(repo):
    put(repo, "plain", PLAIN)
    assert run_builder(repo).returncode == 0
    path = repo / ".cache" / "figure-builder" / "manifest.json"
    path.write_bytes(path.read_bytes()[:-10])  # a crash or a full disk in mid-write
    listing = run_builder(repo, "--list")
    assert listing.returncode == 0
    assert "warning: .cache/figure-builder/manifest.json is damaged" in listing.stderr, listing.stderr
    result = run_builder(repo)
    assert result.returncode == 0, result.stderr
    assert "warning: .cache/figure-builder/manifest.json is damaged" in result.stdout
    assert progress(result) == {"plain": "ran"}
    assert set(manifest_of(repo)) == {"plain"}


def test_concurrent_manifest_writes_never_fail_or_show_half_a_file(tmp_path):
    config = BuilderConfig(tmp_path)
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


def test_a_second_builder_waits_for_the_first_and_says_so(repo):
    put(repo, "plain", PLAIN)
    lock = repo / ".cache" / "figure-builder" / "lock"
    lock.parent.mkdir(parents=True)
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write(str(os.getpid()))
        held.flush()
        builder = start_builder(repo)
        output = OutputReader(builder)
        output.wait_for(rf"waiting for another figure build in this checkout \(pid {os.getpid()}\)")
        assert builder.poll() is None  # still waiting while the lock is held
        assert not (repo / ".cache" / "figure-builder" / "manifest.json").exists()
    assert builder.wait(timeout=120) == 0
    assert re.search(r"\[figures\] plain\s+ran", output.rest())


# ---------------------------------------------------------------- freshness


def test_an_output_changed_outside_the_builder_is_stale_and_rebuilt(repo):
    put(repo, "drawn", drawing("drawn-line", "drawn_slope"))
    assert run_builder(repo).returncode == 0
    good = file_hashes(generated(repo))
    svg = generated(repo) / "figures" / "drawn-line-light.svg"
    svg.write_bytes(svg.read_bytes()[: svg.stat().st_size // 2])  # a truncated file
    listing = run_builder(repo, "--list")
    assert re.search(
        r"^drawn\s+stale .*changed .cache/generated/figures/drawn-line-light.svg", listing.stdout, re.MULTILINE
    ), listing.stdout
    result = run_builder(repo)
    assert progress(result) == {"drawn": "ran"}
    assert file_hashes(generated(repo)) == good


def test_a_direct_run_writes_to_a_scratch_folder_and_leaves_the_published_outputs(repo):
    put(repo, "drawn", DRAWN_WITH_THE_HELPER)
    assert run_builder(repo).returncode == 0
    published = file_hashes(generated(repo))
    with open(repo / "snippets" / "drawn.py", "a", encoding="utf-8") as snippet:
        snippet.write("    save_figure('drawn-extra', draw, alt='직접 실행에서 더한 그림')\n")
    direct = subprocess.run(
        [sys.executable, "-m", "snippets.drawn"], cwd=repo, capture_output=True, text=True, env=builder_env(repo)
    )
    assert direct.returncode == 0, direct.stderr
    assert (repo / ".cache" / "direct-run" / "figures" / "drawn-extra-light.svg").exists()
    assert file_hashes(generated(repo)) == published


def test_the_same_run_gives_the_same_notebook_bytes(repo):
    put(repo, "plain", PLAIN)
    notebook = generated(repo) / "notebooks" / "plain.ipynb"
    assert run_builder(repo).returncode == 0
    first = notebook.read_bytes()
    assert run_builder(repo, "--force").returncode == 0
    assert notebook.read_bytes() == first
    ids = [cell["id"] for cell in json.loads(first)["cells"]]
    assert len(set(ids)) == len(ids) and all(i.startswith("plain-") for i in ids)


# ---------------------------------------------------------------- faults, round two

CITING = """# %% [markdown]
# # 인용하는 시험용 실험
#
# 다른 실험이 낸 값: {{{{ {cited} }}}}

# %%
import json
import os
from pathlib import Path

Path(os.environ["SNIPPET_OUTPUT_DIR"], "values.json").write_text(json.dumps({{"{own}": 2.0}}))
"""


def citing(cited: str, own: str) -> str:
    return CITING.format(cited=cited, own=own)


def notebook_text(root: Path, name: str) -> str:
    cells = json.loads((generated(root) / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def test_a_damaged_values_file_is_rebuilt_without_a_traceback(repo):
    put(repo, "drawn", drawing("drawn-line", "drawn_slope", slope=1.5))
    put(repo, "plain", PLAIN)
    assert run_builder(repo).returncode == 0
    values = generated(repo) / "values" / "drawn.json"
    good = values.read_bytes()
    values.write_bytes(good[:5])
    result = run_builder(repo)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert progress(result) == {"drawn": "ran", "plain": "cached"}
    assert values.read_bytes() == good and not staging_leftovers(repo)


def test_a_value_cited_from_another_snippet_waits_for_it_and_follows_its_changes(repo):
    # "alpha" is quicker and sorted first: on a cold build it finishes before the snippet it cites.
    put(repo, "alpha", citing("zeta_slope", "alpha_value"))
    producer = put(repo, "zeta", drawing("zeta-line", "zeta_slope", slope=1.5))
    result = run_builder(repo)
    assert result.returncode == 0, result.stderr
    assert "다른 실험이 낸 값: 1.5" in notebook_text(repo, "alpha")
    assert manifest_of(repo)["alpha"]["cited"] == {"zeta_slope": 1.5}
    producer.write_text(drawing("zeta-line", "zeta_slope", slope=2.5), encoding="utf-8")
    listing = run_builder(repo, "--list")
    assert re.search(r"^zeta\s+stale", listing.stdout, re.MULTILINE), listing.stdout
    result = run_builder(repo)
    assert result.returncode == 0, result.stderr
    assert progress(result) == {"alpha": "ran", "zeta": "ran"}
    assert "alpha                  cites a value that changed: runs again" in result.stdout
    assert "다른 실험이 낸 값: 2.5" in notebook_text(repo, "alpha")
    assert re.search(r"^alpha\s+fresh", run_builder(repo, "--list").stdout, re.MULTILINE)


def test_a_cited_value_changed_behind_the_builders_back_makes_the_citing_snippet_stale(repo):
    put(repo, "alpha", citing("zeta_slope", "alpha_value"))
    put(repo, "zeta", drawing("zeta-line", "zeta_slope", slope=1.5))
    assert run_builder(repo).returncode == 0
    entry = manifest_of(repo)
    entry["alpha"]["cited"] = {"zeta_slope": 9.0}  # as if alpha had run before zeta's last change
    (repo / ".cache" / "figure-builder" / "manifest.json").write_text(json.dumps(entry), encoding="utf-8")
    listing = run_builder(repo, "--list")
    assert re.search(r"^alpha\s+stale .*cites 'zeta_slope', which changed", listing.stdout, re.MULTILINE)


def test_snippets_citing_each_other_fail_naming_the_cycle(repo):
    put(repo, "alpha", citing("zeta_value", "alpha_value"))
    put(repo, "zeta", citing("alpha_value", "zeta_value"))
    result = run_builder(repo)
    assert result.returncode == 1
    assert re.search(r"cycle: snippets/(alpha|zeta)\.py → snippets/(zeta|alpha)\.py → snippets/\1\.py", result.stderr)
    assert "Traceback" not in result.stderr and not staging_leftovers(repo)


def test_a_snippet_that_is_not_utf8_is_named_with_its_line(repo):
    put(repo, "plain", PLAIN)
    (repo / "snippets" / "latin.py").write_bytes(b"# %%\nx = 1\ny = '\xe9'\n")
    result = run_builder(repo)
    assert result.returncode == 1
    assert "snippet 'latin' failed: snippets/latin.py:3: not UTF-8 text (byte 0xe9)" in result.stderr, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert progress(result) == {"plain": "ran"}
    listing = run_builder(repo, "--list")
    assert listing.returncode == 0 and re.search(r"^latin\s+error .*latin\.py:3", listing.stdout, re.MULTILINE)


def test_a_snippet_with_a_byte_order_mark_runs(repo):
    (repo / "snippets" / "marked.py").write_bytes(b"\xef\xbb\xbf" + PLAIN.encode("utf-8"))
    result = run_builder(repo)
    assert result.returncode == 0, result.stderr
    assert "total = sum(range(10))" in (generated(repo) / "notebooks" / "marked.ipynb").read_text(encoding="utf-8")


def test_a_renamed_snippet_keeps_its_outputs_under_its_new_name(repo):
    old = put(repo, "before", drawing("kept-line", "kept_slope"))
    assert run_builder(repo).returncode == 0
    old.rename(repo / "snippets" / "after.py")
    result = run_builder(repo)
    assert result.returncode == 0, result.stderr
    assert progress(result) == {"after": "ran"}
    assert (generated(repo) / "figures" / "kept-line-light.svg").exists()
    assert set(manifest_of(repo)) == {"after"}
    assert json.loads((generated(repo) / "values" / "after.json").read_text(encoding="utf-8")) == {"kept_slope": 1.0}


def test_a_snippet_writing_outside_its_output_folder_is_named_and_its_file_moved_aside(repo):
    # A relative path lands in the snippet's staging folder (its working directory) and is discarded;
    # a path into the checkout is a stray file.
    put(
        repo,
        "littering",
        PLAIN + "\n# %%\nimport os\nfrom pathlib import Path\n"
        "Path('scratch.png').write_bytes(b'png')\n"
        "Path(os.environ['PYTHONPATH'].split(os.pathsep)[0], 'docs', 'stray.png').write_bytes(b'png')\n",
    )
    result = run_builder(repo)
    assert result.returncode == 1
    assert "snippet 'littering' wrote docs/stray.png outside its output folder" in result.stderr, result.stderr
    assert not (repo / "docs" / "stray.png").exists()
    assert (repo / ".cache" / "figure-builder" / "stray" / "docs" / "stray.png").read_bytes() == b"png"
    assert not (repo / "scratch.png").exists() and not staging_leftovers(repo)


def test_an_output_folder_that_cannot_be_written_is_one_line(repo):
    put(repo, "plain", PLAIN)
    (repo / ".cache" / "generated").mkdir(parents=True)
    (repo / ".cache" / "generated" / "notebooks").write_text("a file where a folder belongs", encoding="utf-8")
    result = run_builder(repo)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(r"^error: cannot write \.cache/generated/notebooks", result.stderr, re.MULTILINE), result.stderr


def test_more_threads_than_cores_is_refused(repo):
    result = run_builder(repo, "--threads", "1000")
    assert result.returncode == 2 and "--threads must be between 1 and the" in result.stderr


def test_a_damaged_notebook_render_in_mkdocs_jupyters_cache_is_dropped(tmp_path, caplog):
    from scripts.site_plugin.figures import drop_damaged_notebook_renders

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"content": "<p>ok</p>", "toc_tokens": [], "title": None}), encoding="utf-8")
    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"content": "<p>cut', encoding="utf-8")
    with caplog.at_level("INFO"):
        drop_damaged_notebook_renders(tmp_path, tmp_path)
    assert good.exists() and not damaged.exists()
    assert any("damaged.json is damaged; the notebook is rendered again" in r.getMessage() for r in caplog.records)


def test_the_site_refuses_to_build_without_mkdocs_jupyter():
    from mkdocs.exceptions import PluginError

    from scripts.site_plugin.config import FiguresConfig
    from scripts.site_plugin.figures import Figures

    class Config(dict):
        plugins = {}

    with pytest.raises(PluginError, match="mkdocs-jupyter plugin"):
        Figures(FiguresConfig(), BuilderConfig(Path.cwd())).on_config(Config())


def test_a_mistyped_citation_in_a_snippet_fails_with_its_line(repo):
    source = citing("zeta_slope", "alpha_value").replace("{{ zeta_slope }}", "{{ Zeta_Slope }}")
    path = put(repo, "alpha", source)
    result = run_builder(repo)
    assert result.returncode == 1
    line = path.read_text(encoding="utf-8").splitlines().index("# 다른 실험이 낸 값: {{ Zeta_Slope }}") + 1
    assert f"snippets/alpha.py:{line}: '{{{{ Zeta_Slope }}}}' is not a citation" in result.stderr, result.stderr
