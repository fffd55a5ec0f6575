"""What one figure build works on: the project's folders, and how its snippets run.

The builder holds no paths or settings of its own: each entry point (the command line, the
site's plugin, a test) makes a ``BuilderConfig`` and hands it down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scripts import citations
from scripts.figure_builder.runner import RunnerProcess

# One torch thread per kernel: snippets run in parallel instead, and every figure and value
# must come out the same whatever the machine (tests use the same setting).
DEFAULT_THREADS = 1
# A running snippet says so this often (seconds), unless the caller says otherwise.
PROGRESS_SECONDS = 10.0


@dataclass(frozen=True)
class BuilderConfig:
    """The project at ``root`` (its snippets, its ``.cache``), torch threads per kernel, how often a
    running snippet reports, where lines go, and what starts a snippet's run (``runner.py``'s
    process; a test may put a stand-in there)."""

    root: Path
    threads: int = DEFAULT_THREADS
    progress_seconds: float = PROGRESS_SECONDS
    log: Callable[[str], None] = print
    start_runner: Callable[[BuilderConfig, str, Path], RunnerProcess] = RunnerProcess

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())

    @classmethod
    def for_checkout(cls, root: Path | str | None = None, **settings) -> BuilderConfig:
        """The project at ``root``; by default the checkout this package lives in."""
        return cls(Path(__file__).parents[2] if root is None else Path(root), **settings)

    @property
    def snippet_dir(self) -> Path:
        return self.root / "snippets"

    @property
    def generated_dir(self) -> Path:
        """Published on the site as generated/..."""
        return self.root / ".cache" / "generated"

    @property
    def figure_dir(self) -> Path:
        return self.generated_dir / "figures"

    @property
    def notebook_dir(self) -> Path:
        return self.generated_dir / "notebooks"

    @property
    def value_dir(self) -> Path:
        return self.generated_dir / "values"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache" / "figure-builder"

    @property
    def staging_dir(self) -> Path:
        return self.cache_dir / "staging"

    @property
    def stray_dir(self) -> Path:
        """Where a file a snippet wrote into the checkout is moved."""
        return self.cache_dir / "stray"

    @property
    def manifest(self) -> Path:
        return self.cache_dir / "manifest.json"

    @property
    def lock(self) -> Path:
        return self.cache_dir / "lock"

    def relative(self, path: Path | str) -> str:
        """A path as the user would type it from the project's root (others as they are)."""
        return citations.relative(path, self.root)
