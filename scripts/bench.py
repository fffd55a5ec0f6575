"""Build benchmark: prints figures measured in one run, on a scratch copy of the repo.

    python -m scripts.bench            (or: make bench)

- cold build: every snippet + the site, from empty caches
- no-op rebuild vs a plain `mkdocs build` with the figure step off (ratio of medians)
- snippets re-run after editing one snippet
- the largest HTML page

Targets on a 2-core machine: cold <= 45 s, no-op ratio <= 1.3, exactly one re-run,
largest page <= 150 KB. Nothing here is asserted: these are measurements.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 5


def copy_repository(target: Path) -> Path:
    """The repository's files as git sees them (tracked, and new files that are not ignored;
    no venv, caches or generated files) copied into `target`."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.split(b"\0")
    for name in filter(None, map(os.fsdecode, listed)):
        source = ROOT / name
        if source.is_symlink() or not source.is_file():  # a deleted file, or a link out of the tree
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
    return target


def timed(command: list[str], cwd: Path, **env: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"benchmark command failed: {' '.join(command)}\n{result.stderr}")
    return elapsed, result.stdout + result.stderr


def mkdocs_build(root: Path, **env: str) -> tuple[float, str]:
    return timed([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")], root, **env)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="notes-bench-") as scratch:
        root = Path(scratch)
        copy_repository(root)
        print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")

        cold, log = mkdocs_build(root)
        ran = len(re.findall(r"\[figures\] \S+\s+ran", log))
        print(f"cold build (all {ran} snippets + site): {cold:6.1f} s   target <= 45 s")

        noop, plain = [], []
        for _ in range(REPEATS):  # interleaved, so machine noise hits both alike
            noop.append(mkdocs_build(root)[0])
            plain.append(mkdocs_build(root, NOTES_SKIP_FIGURES="1")[0])
        ratio = statistics.median(noop) / statistics.median(plain)
        print(f"no-op rebuild: median {statistics.median(noop):.2f} s vs plain build "
              f"{statistics.median(plain):.2f} s -> ratio {ratio:.2f}   target <= 1.3")

        snippet = sorted(p for p in (root / "snippets").glob("*.py") if not p.name.startswith("_"))[0]
        snippet.write_text(snippet.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        _, log = timed([sys.executable, "-m", "scripts.figure_builder"], root, PYTHONPATH=str(root))
        rerun = re.findall(r"\[figures\] (\S+)\s+ran", log)
        print(f"snippets re-run after editing {snippet.name}: {len(rerun)} ({', '.join(rerun)})   target 1")

        mkdocs_build(root)
        pages = sorted((root / "site").rglob("*.html"), key=lambda p: p.stat().st_size)
        largest = pages[-1]
        print(f"largest HTML page: {largest.stat().st_size / 1024:.1f} KB "
              f"({largest.relative_to(root / 'site')})   target <= 150 KB")


if __name__ == "__main__":
    main()
