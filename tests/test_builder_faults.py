"""The figure builder end to end under faults, on a scratch copy of the repository with small
stand-in snippets that run in real kernels (seconds each), through its command line.

These are the faults only real processes show: a failure inside a kernel, signals and a killed
builder, a second builder on the same checkout, a snippet writing into the checkout, a direct run,
the runner's own reading and writing of the notebook. The builder's bookkeeping (freshness,
the manifest, citations, ownership, failures it finds without running anything) is tested in
this process, with a stand-in runner: test_builder_units.py.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

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


# ---------------------------------------------------------------- a failure in the kernel


def test_a_failure_in_the_kernel_is_one_line_naming_the_snippets_line_and_keeps_its_last_outputs(repo):
    put(repo, "good", PLAIN)
    put(repo, "drawn", drawing("drawn-line", "drawn_slope"))
    assert run_builder(repo).returncode == 0
    published = file_hashes(generated(repo))
    failing = put(
        repo,
        "drawn",
        drawing("drawn-line", "drawn_slope", slope=2.0) + '\n# %%\nhalf = 1 / 2\nraise RuntimeError("의도한 실패")\n',
    )
    line = failing.read_text(encoding="utf-8").splitlines().index('raise RuntimeError("의도한 실패")') + 1
    result = run_builder(repo)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: snippet 'drawn' failed at snippets/drawn.py:{line}: RuntimeError: 의도한 실패"], (
        result.stderr
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert progress(result) == {"good": "cached"}
    assert file_hashes(generated(repo)) == published
    assert staging_leftovers(repo) == []


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


# ---------------------------------------------------------------- the lock


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


# ---------------------------------------------------------------- what the runner and the snippets' helper write


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


def test_a_snippet_with_a_byte_order_mark_runs(repo):
    (repo / "snippets" / "marked.py").write_bytes(b"\xef\xbb\xbf" + PLAIN.encode("utf-8"))
    result = run_builder(repo)
    assert result.returncode == 0, result.stderr
    assert "total = sum(range(10))" in (generated(repo) / "notebooks" / "marked.ipynb").read_text(encoding="utf-8")


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
