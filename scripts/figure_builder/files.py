"""Files that several processes share: a write that is never seen half done, and one builder per
checkout at a time."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path


def write_atomic(target: Path, data: bytes, temporary_dir: Path | None = None) -> None:
    """A temporary file of its own, then a rename: concurrent writers never share a temporary
    file and a reader sees the old or the new bytes, never half. The temporary file is in the
    target's folder unless `temporary_dir` (same file system) is given, e.g. to keep a watched
    folder down to one event. A file that existed keeps its permissions."""
    with tempfile.NamedTemporaryFile(
        dir=temporary_dir or target.parent, prefix=f".{target.name}.", delete=False
    ) as tmp:
        tmp.write(data)
        if target.exists():
            os.chmod(tmp.name, target.stat().st_mode)
    try:
        os.replace(tmp.name, target)
    except BaseException:
        Path(tmp.name).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def checkout_lock(lock: Path, log):
    """One builder per checkout at a time (holding the file ``lock``); a second one waits and says so."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            log(f"[figures] waiting for another figure build in this checkout (pid {holder})…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
