"""Helpers shared by the tests: editing files, running the figure builder, reading its output.

Building, serving and copying the repository are the harness's (scripts/harness/)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from scripts.figure_builder import BuilderConfig
from scripts.figure_builder.files import write_atomic

PROGRESS = re.compile(r"\[figures\] (\S+)\s+(ran|cached)")


@contextlib.contextmanager
def edited(path: Path, change):
    """Within the block, `path` holds change(its text); afterwards the original again.
    Yields the edited text."""
    original = path.read_text(encoding="utf-8")
    text = change(original)
    _replace_text(path, text)
    try:
        yield text
    finally:
        _replace_text(path, original)


def _replace_text(path: Path, text: str) -> None:
    """Write `path` in one filesystem event: `mkdocs serve` rebuilds on every event in its
    watched folders, and a plain write is three (truncate, write, close). On a busy machine the
    writer can be paused between them for longer than the server waits for changes to stop, and
    a late event then starts a second build. So the text is written in the temporary folder
    (scratch copies live under it too, on the same file system) and moved in."""
    write_atomic(path, text.encode("utf-8"), temporary_dir=Path(tempfile.gettempdir()))


def builder_env(root: Path, **extra: str) -> dict:
    return {**os.environ, "PYTHONPATH": str(root), "PYTHONUNBUFFERED": "1", **extra}


def run_builder(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts.figure_builder", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=builder_env(root, **env),
    )


def start_builder(root: Path, *args: str, **env: str) -> subprocess.Popen:
    """The builder in a session of its own (a signal sent to it reaches it alone), output merged."""
    return subprocess.Popen(
        [sys.executable, "-m", "scripts.figure_builder", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=builder_env(root, **env),
        start_new_session=True,
    )


class OutputReader:
    """Reads a process's output on a thread, so a test can wait for a line without hanging."""

    def __init__(self, process: subprocess.Popen):
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(process.stdout,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern: str, limit: float = 180) -> str:
        """The first line matching `pattern`; fails if the output ends (or `limit` passes) first."""
        deadline = time.monotonic() + limit
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(self.seen)}") from None
            if line is None:
                raise AssertionError(f"output ended without {pattern!r}:\n{''.join(self.seen)}")
            self.seen.append(line)
            if re.search(pattern, line):
                return line

    def drain(self) -> list[str]:
        """Every line read so far, without waiting for more."""
        with contextlib.suppress(queue.Empty):
            while (line := self.lines.get_nowait()) is not None:
                self.seen.append(line)
        return self.seen

    def rest(self) -> str:
        while (line := self.lines.get(timeout=60)) is not None:
            self.seen.append(line)
        return "".join(self.seen)


def wait_until(condition, what: str, limit: float = 180) -> None:
    """Poll `condition` until it holds; fail naming `what` if it never does."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def progress(result: subprocess.CompletedProcess) -> dict[str, str]:
    return dict(PROGRESS.findall(result.stdout + result.stderr))


def generated(root: Path) -> Path:
    return BuilderConfig(root).generated_dir


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
