"""Run one snippet as a notebook, in a process of its own (started by the builder).

    RunnerProcess(config, NAME, STAGING)               # in the builder: start one, poll it, stop it
    main([ROOT, NAME, STAGING, THREADS, PARENT_PID])   # in the process it starts

The kernel writes figures and values into STAGING (``SNIPPET_OUTPUT_DIR``); this
process adds the executed notebook and writes ``result.json`` (figures and values,
or the one-line failure). It writes the kernel's pid to ``kernel.pid`` so that the
builder can stop the kernel at once, and it stops the kernel and exits by itself
when the builder is gone (killed without a chance to clean up).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from scripts.figure_builder.common import SnippetError, colab_url, discover_snippets, site_url
from scripts.figure_builder.files import write_atomic
from scripts.sources import read_text

if TYPE_CHECKING:
    from scripts.figure_builder.config import BuilderConfig

SNIPPET_TIMEOUT_SECONDS = 600
RESULT = "result.json"
KERNEL_PID = "kernel.pid"
LOG = "runner.log"


# ---------------------------------------------------------------- in the builder


class RunnerProcess:
    """One snippet's runner in a process of its own session (a terminal's Ctrl-C reaches the
    builder alone, which then stops every runner and kernel itself); its output goes to
    ``runner.log`` in the staging folder."""

    def __init__(self, config: BuilderConfig, name: str, staging: Path):
        self.staging = staging
        arguments = [str(config.root), name, str(staging), str(config.threads), str(os.getpid())]
        with open(staging / LOG, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _RUNNER, *arguments],
                cwd=config.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "PYTHONPATH": _python_path(config.root)},
            )

    def poll(self) -> int | None:
        return self.process.poll()

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def stop(self) -> None:
        """Kill the kernel and the runner now (no graceful shutdown: nothing of theirs is kept)."""
        victims = []
        pid_file = self.staging / KERNEL_PID
        if pid_file.exists():
            victims.append(int(pid_file.read_text(encoding="utf-8")))
        try:
            import psutil

            victims += [child.pid for child in psutil.Process(self.process.pid).children(recursive=True)]
        except Exception:  # psutil missing or the runner already gone
            pass
        for pid in victims:
            _kill_group_or_process(pid)
        _kill_group_or_process(self.process.pid)
        self.process.wait()


_RUNNER = "import sys; from scripts.figure_builder.runner import main; sys.exit(main(sys.argv[1:]))"


def _kill_group_or_process(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _python_path(root: Path) -> str:
    # A kernel imports `snippets` from the checkout (the project install exposes only `scripts`).
    rest = os.environ.get("PYTHONPATH")
    return os.pathsep.join([str(root), rest] if rest else [str(root)])


# ---------------------------------------------------------------- in the runner's process


class Kernel:
    """The running kernel's process, once it has started: what to stop when the builder is gone."""

    def __init__(self):
        self.pid: int | None = None

    def record(self, client, staging: Path) -> None:
        self.pid = client.km.provisioner.pid
        (staging / KERNEL_PID).write_text(str(self.pid), encoding="utf-8")

    def kill(self) -> None:
        if self.pid:
            _kill_group_or_process(self.pid)  # the kernel leads a session of its own


def run_snippet(config: BuilderConfig, name: str, staging: Path, kernel: Kernel) -> dict:
    """Execute one snippet into ``staging`` (its kernel's pid recorded in ``kernel``); nothing
    outside it is touched."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    path = discover_snippets(config)[name]
    relative = config.relative
    (staging / "figures").mkdir(parents=True, exist_ok=True)
    os.environ["SNIPPET_OUTPUT_DIR"] = str(staging)
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(config.threads)
    started = time.perf_counter()
    notebook = jupytext.reads(read_text(path, relative(path)), fmt="py:percent")
    # Unix sockets: no open TCP port (and no warning about one). A short path of its own,
    # because a socket path may not exceed ~100 characters.
    sockets = tempfile.mkdtemp(prefix="nb-")
    client = NotebookClient(
        notebook,
        timeout=SNIPPET_TIMEOUT_SECONDS,
        kernel_name="python3",
        record_timing=False,
        # Every output is on disk when the last cell ends: a graceful shutdown only waits
        # (0.3–1.2 s per snippet) for the kernel to tear torch and matplotlib down.
        shutdown_kernel="immediate",
        # The kernel works in the staging folder: a file the snippet writes by a relative path
        # (plt.savefig("x.png")) lands there and is discarded, never in the checkout.
        resources={"metadata": {"path": str(staging)}},
        config=Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/kernel"}}),
    )
    client.on_notebook_start = lambda notebook: kernel.record(client, staging)
    try:
        client.execute()
    except CellExecutionError:
        raise SnippetError(describe_failure(config, name, path, notebook)) from None
    except Exception as error:  # kernel died, timeout, ...
        raise SnippetError(f"snippet '{name}' failed ({relative(path)}): {error}") from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    values_file = staging / "values.json"
    values = json.loads(values_file.read_text(encoding="utf-8")) if values_file.exists() else {}
    _add_launch_cells(config.root, notebook, name)
    _drop_section_markers(notebook)
    number_cells(notebook, name)
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, staging / f"{name}.ipynb")
    shutil.copyfile(path, staging / f"{name}.py")
    figures = sorted(
        p.name[: -len("-light.svg")]
        for p in (staging / "figures").glob("*-light.svg")
        if not p.name.endswith("-narrow-light.svg")
    )  # a phone layout belongs to its figure
    return {"seconds": time.perf_counter() - started, "figures": figures, "values": values}


def _watch_parent(parent: int, kernel: Kernel) -> None:
    """When the builder dies without stopping us (SIGKILL), stop the kernel and exit."""

    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        kernel.kill()
        os._exit(1)

    threading.Thread(target=watch, name="watch-builder", daemon=True).start()


def number_cells(notebook, name: str) -> None:
    """Stable cell ids (nbformat draws random ones): the same run gives the same notebook bytes."""
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"{name[:40]}-{index}"


SETUP_TAG = "notes-standalone-setup"
# What a notebook needs to run outside the repository (module name -> requirements.txt name).
STANDALONE_PACKAGES = {
    "torch": "torch",
    "numpy": "numpy",
    "matplotlib": "matplotlib",
    "koreanize_matplotlib": "koreanize-matplotlib",
    "setuptools": "setuptools",
}

SETUP_CELL = """# 준비 셀: 저장소 밖(Colab, 내려받은 노트북)에서 실행할 때만 일한다.
# 없는 패키지만 고정된 버전으로 설치하고 (Colab에 이미 있는 torch 등은 그대로 쓴다),
# 이 사이트가 배포하는 실험 코드 묶음 snippets.zip을 받아 푼다.
# 저장소 안에서 실행하거나 사이트를 빌드할 때는 아무것도 하지 않는다.
import importlib, importlib.util, os, subprocess, sys, urllib.request, zipfile

SITE = os.environ.get("NOTES_SITE_URL", "{site}")
PACKAGES = {packages}
if importlib.util.find_spec("snippets") is None:
    missing = [pinned for module, pinned in PACKAGES.items() if importlib.util.find_spec(module) is None]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)
    if importlib.util.find_spec("distutils") is None:  # Python 3.12+: koreanize-matplotlib imports distutils,
        import setuptools  # noqa: F401                  # which setuptools provides once imported
    urllib.request.urlretrieve(SITE + "generated/snippets.zip", "snippets.zip")
    zipfile.ZipFile("snippets.zip").extractall(".")  # the notebook's folder is where Python looks first
    importlib.invalidate_caches()
"""


def _pins(root: Path) -> dict[str, str]:
    """The pinned version of each package a standalone notebook needs, from requirements.txt."""
    pinned = dict(
        line.split("==", 1)
        for line in read_text(root / "requirements.txt").splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    )
    return {module: f"{name}=={pinned[name].split()[0]}" for module, name in STANDALONE_PACKAGES.items()}


def _add_launch_cells(root: Path, notebook, name: str) -> None:
    """At the top: links to open the notebook in Colab and to download it, and the setup cell that
    lets it run anywhere (it is not run by the build: the repository has everything)."""
    from nbformat.v4 import new_code_cell, new_markdown_cell

    site = site_url(root)
    colab = colab_url(name, site)
    links = ([f"[Colab에서 열기]({colab})"] if colab else []) + [
        f"[노트북 내려받기 (`{name}.ipynb`)]({name}.ipynb)",
        f"[코드 내려받기 (`{name}.py`)](../{name}.py)",
    ]
    notebook.cells.insert(1, new_markdown_cell(" · ".join(links) + " (설치 없이 위에서부터 실행하면 된다)"))
    first_code = next((i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"), len(notebook.cells))
    packages = "{" + ", ".join(f'"{m}": "{p}"' for m, p in _pins(root).items()) + "}"
    setup = new_code_cell(SETUP_CELL.format(site=site, packages=packages))
    setup.metadata["tags"] = [SETUP_TAG]  # the site's notebook page leaves it out (mkdocs.yml: remove_tag_config)
    notebook.cells.insert(first_code, setup)


# Pages include parts of a snippet with pymdownx.snippets' "# --8<-- [start:name]" lines;
# they mean nothing to a reader of the notebook.
_SECTION_MARKER = re.compile(r"^\s*# --8<-- \[(?:start|end):[\w-]+\]\s*$")


def _drop_section_markers(notebook) -> None:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            lines = cell.source.splitlines()
            cell.source = "\n".join(line for line in lines if not _SECTION_MARKER.match(line))


# ---------------------------------------------------------------- failure report

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")


def describe_failure(config: BuilderConfig, name: str, path: Path, notebook) -> str:
    """'snippet X failed at snippets/X.py:LINE: Error: message' from the executed notebook."""
    relative = config.relative
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                line = _failing_line(path, notebook, output["traceback"])
                where = f"{relative(path)}:{line}" if line else relative(path)
                return f"snippet '{name}' failed at {where}: {output['ename']}: {output['evalue']}"
    return f"snippet '{name}' failed ({relative(path)})"


def _failing_line(path: Path, notebook, traceback: list[str]) -> int | None:
    """Map the innermost 'Cell In[n], line m' frame back to a line of the .py file."""
    frames = _CELL_FRAME.findall(_ANSI.sub("", "\n".join(traceback)))
    if not frames:
        return None
    execution_count, line_in_cell = (int(x) for x in frames[-1])
    for cell, start in code_cell_start_lines(path, notebook):
        if cell.get("execution_count") == execution_count:
            return start + line_in_cell - 1
    return None


def code_cell_start_lines(path: Path, notebook) -> list[tuple[dict, int]]:
    """Each code cell with the 1-based line of the .py file where its source begins."""
    lines = read_text(path).splitlines()
    result, cursor = [], 0
    for cell in notebook.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        first = cell.source.splitlines()[0]
        while cursor < len(lines) and lines[cursor] != first:
            cursor += 1
        result.append((cell, cursor + 1))
        cursor += 1
    return result


def main(argv: list[str]) -> int:
    from scripts.figure_builder.config import BuilderConfig

    root, name, staging, threads, parent = argv
    config, staging, kernel = BuilderConfig(Path(root), threads=int(threads)), Path(staging), Kernel()
    _watch_parent(int(parent), kernel)
    signal.signal(signal.SIGTERM, lambda *_: (kernel.kill(), os._exit(1)))
    try:
        result = {"ok": True, **run_snippet(config, name, staging, kernel)}
    except SnippetError as error:
        result = {"ok": False, "error": str(error)}
    write_atomic(staging / RESULT, json.dumps(result, ensure_ascii=False).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
