"""The repository and its built site: where it is, copying it, building it, reading a built page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
# The largest HTML page a reader downloads, in bytes (tests/test_phone.py asserts it, `make bench` reports it).
PAGE_BUDGET_BYTES = 100_000


def site_prefix(root: Path = ROOT) -> str:
    """The URL path the site is published under, from `site_url` in mkdocs.yml ("/week7/"; "/" without one).

    Read line by line: mkdocs.yml has tags (!ENV, !relative) a plain YAML loader rejects."""
    for line in (root / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("site_url:"):
            path = urlparse(line.split(":", 1)[1].strip().strip("'\"")).path or "/"
            return path if path.endswith("/") else path + "/"
    return "/"


def copy_repository(target: Path, root: Path = ROOT) -> Path:
    """The repository's files as git sees them (tracked, and new files that are not ignored;
    no venv, caches or generated files) copied into `target`."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, map(os.fsdecode, listed)):
        source = root / name
        if source.is_symlink() or not source.is_file():  # a deleted file, or a link out of the tree
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
    return target


@dataclass
class Build:
    """One `mkdocs build`: its command, exit code, output and wall time."""

    command: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def log(self) -> str:
        return self.stdout + self.stderr

    def check(self, what: str = "mkdocs build") -> Build:
        """This build, or (for a script) stop with its output if it failed."""
        if self.returncode != 0:
            raise SystemExit(f"{what} failed: {' '.join(self.command)}\n{self.log}")
        return self


def build_site(
    site_dir: Path,
    root: Path = ROOT,
    *,
    config_file: Path | None = None,
    strict: bool = True,
    skip_figures: bool = False,
    stock_search: bool | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Build:
    """`mkdocs build --strict` of the repository at `root` into `site_dir`: the one way tests and
    benchmarks build the site.

    The build's switches are environment variables, read by the site's plugin: ``skip_figures``
    sets ``NOTES_SKIP_FIGURES=1`` (no snippet runs; pages cite the cached values), ``stock_search``
    sets ``NOTES_STOCK_SEARCH`` to 1 (stock Material search) or 0 (the site's; None leaves it as the
    caller's environment has it). ``strict=False`` is for configurations the site's checks do not
    hold for (the bare Material build of `make bench`)."""
    config_file = config_file or root / "mkdocs.yml"
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        *(["--strict"] if strict else []),
        "--site-dir",
        str(site_dir),
        "--config-file",
        str(config_file),
    ]
    # PYTHONPATH: the site's plugin comes from the built repository's own `scripts` (a scratch
    # copy's, not the installed checkout's), whatever the working folder.
    switches = {"NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(root)}
    if skip_figures:
        switches["NOTES_SKIP_FIGURES"] = "1"
    if stock_search is not None:
        switches["NOTES_STOCK_SEARCH"] = "1" if stock_search else "0"
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd or root, capture_output=True, text=True, env={**os.environ, **switches, **(env or {})}
    )
    return Build(command, result.returncode, result.stdout, result.stderr, time.perf_counter() - started)


def html_pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def parse_page(path: Path):
    """A built HTML page as a BeautifulSoup document (Python's own parser, as every test reads pages)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# Material's script tag, as its base template writes it (the bundle's name carries its hash).
THEME_SCRIPT = re.compile(r'<script src="[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js"></script>')


def without_theme_script(site: Path, target: Path) -> Path:
    """A copy of the built `site` whose pages do not load Material's bundle (a diagnosis of what the
    theme's start-up costs, `make bench-web --without-theme-script`); every page must have had it."""
    shutil.copytree(site, target)
    for page in target.rglob("*.html"):
        html, found = THEME_SCRIPT.subn("", page.read_text(encoding="utf-8"))
        if found != 1:
            raise ValueError(f"{page.relative_to(target)}: expected Material's bundle script once, found {found}")
        page.write_text(html, encoding="utf-8")
    return target
