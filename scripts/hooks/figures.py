"""MkDocs hook: run stale snippets before each build, publish their outputs, resolve what pages cite.

- ``on_config``: mkdocs-jupyter keeps its render cache in this project's ``.cache``,
  whatever folder ``mkdocs`` was started from.
- ``on_pre_build``: the figure builder (``scripts/figure_builder``) re-runs only stale
  snippets (``watch: [snippets]`` makes ``mkdocs serve`` rebuild when one is edited).
  Its outputs live in ``.cache/generated/``, outside the watched docs folder, so a
  rebuild does not trigger another one.
- ``on_files``: the figures and executed notebooks join the site as ``generated/...``.
- ``on_page_markdown``: ``{{ name:.2f }}`` becomes the value a snippet published
  (``scripts/citations.py``), and a line ``![](figure:NAME "caption")`` becomes the
  light/dark pair (``scripts/figure_markup.py``). An unknown value or figure fails the
  build with the page and line.

``NOTES_SKIP_FIGURES=1`` runs only snippets that have never run (a fresh clone) and
leaves stale outputs as they are: the benchmarks' baseline.
"""

from __future__ import annotations

import io
import json
import logging
import os
import posixpath
import re
import sys
import zipfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

# Hooks are loaded by file path; make `scripts` importable from the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts import citations, figure_builder, figure_markup  # noqa: E402
from scripts.figure_builder.manifest import read_json_output  # noqa: E402
from scripts.sources import SourceError, read_text  # noqa: E402

log = logging.getLogger("mkdocs.hooks.figures")
PUBLISHED_AS = "generated"
assert figure_builder.GENERATED_DIR.name == PUBLISHED_AS


def on_config(config):
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is None:
        raise PluginError("the experiment notebooks (generated/notebooks/*.ipynb in nav) are pages only through the "
                          "mkdocs-jupyter plugin: keep it in mkdocs.yml's plugins")
    cache = figure_builder.ROOT / ".cache" / "mkdocs-jupyter"
    jupyter.config["cache_dir"] = str(cache)
    _drop_damaged_notebook_renders(cache)
    return config


def _drop_damaged_notebook_renders(cache: Path) -> None:
    """mkdocs-jupyter reads its cached render of a notebook without a check: a damaged file would
    fail every build. Such a file is dropped (the notebook is rendered again), with a warning."""
    for path in sorted(cache.glob("*.json")) if cache.is_dir() else ():
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            whole = isinstance(entry, dict) and isinstance(entry.get("content"), str) and "toc_tokens" in entry
        except (OSError, ValueError):
            whole = False
        if not whole:
            log.info(f"warning: {figure_builder.common.relative(path)} is damaged; the notebook is rendered again")
            path.unlink(missing_ok=True)


def on_pre_build(config):
    skip = os.environ.get("NOTES_SKIP_FIGURES") == "1"
    if skip:
        log.info("figure step: only snippets that never ran (NOTES_SKIP_FIGURES=1)")
    try:
        figure_builder.build(log=log.info, missing_only=skip)
    except figure_builder.SnippetError as error:
        raise PluginError(str(error)) from None
    _state.load()


# Before mkdocs-jupyter's on_files, which turns the notebooks into pages.
@event_priority(100)
def on_files(files, config):
    for folder in ("figures", "notebooks"):
        for path in sorted((figure_builder.GENERATED_DIR / folder).glob("*")):
            if path.suffix in (".svg", ".ipynb", ".py"):
                # A real source folder rather than File.generated: mkdocs-jupyter's
                # notebook pages read the source path through it.
                uri = f"{PUBLISHED_AS}/{folder}/{path.name}"
                files.append(File(uri, str(figure_builder.GENERATED_DIR.parent), config.site_dir,
                                  config.use_directory_urls))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri.endswith(".ipynb"):
        return markdown  # the builder resolved the notebook's citations already
    where = f"docs/{page.file.src_uri}"
    first_line = _body_first_line(page)
    try:
        markdown = citations.resolve(markdown, _state.values, where, first_line)
        markdown = figure_markup.expand(markdown, _state.figures, page.url, where, first_line)
    except (citations.CitationError, figure_markup.FigureError) as error:
        raise PluginError(str(error)) from None
    return NOTEBOOK_LINK.sub(lambda match: _with_launch_links(match, page.url, config.site_url), markdown)


# A link to an experiment notebook ("실험 노트북 전체 보기", "스케줄 노트북") gets, beside it, a link that
# opens the notebook in Colab and one that downloads it: plain links, nothing loads from Colab.
NOTEBOOK_LINK = re.compile(r"\[(?P<text>[^\]]*노트북[^\]]*)\]\((?P<target>[^)\s]*generated/notebooks/(?P<name>\w+)\.ipynb)\)")


def _with_launch_links(match: re.Match, page_url: str, site: str | None) -> str:
    name = match["name"]
    download = posixpath.relpath(f"generated/notebooks/{name}/{name}.ipynb", posixpath.dirname(page_url) or ".")
    links = [match[0]]
    colab = figure_builder.common.colab_url(name, site or None)
    if colab:
        links.append(f'<a class="notes-launch" href="{colab}">Colab에서 열기</a>')
    links.append(f'<a class="notes-launch" href="{download}" download>내려받기</a>')
    return " · ".join(links)


@event_priority(-50)
def on_post_build(config):
    """The experiment code as one zip beside the notebooks: a notebook run outside the repository
    (Colab, a download) fetches it from the site it came from (its first cell)."""
    target = Path(config.site_dir) / PUBLISHED_AS / "snippets.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(snippets_zip())


def snippets_zip() -> bytes:
    """snippets/*.py in a zip, the same bytes for the same files (fixed dates, sorted)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(figure_builder.SNIPPET_DIR.glob("*.py")):
            info = zipfile.ZipInfo(f"snippets/{path.name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# ---------------------------------------------------------------- helpers


class _BuildState:
    """What the last good runs published, read once per build."""

    def __init__(self):
        self.values: dict = {}
        self.figures: dict = {}

    def load(self) -> None:
        manifest = figure_builder.load_manifest(warn=log.info)
        self.values = figure_builder.published_values(manifest, warn=log.info)
        self.figures = {}
        for name, snippet in figure_builder.known_figures(manifest).items():
            meta = read_json_output(figure_builder.FIGURE_DIR / f"{name}.json", warn=log.info)
            if meta is None:
                raise PluginError(f"figure '{name}' (snippets/{snippet}.py) has no readable meta file; "
                                  f"run python -m scripts.figure_builder --only {snippet}")
            self.figures[name] = {"snippet": snippet, **meta}
        for name, meta in self.figures.items():
            _check_was_passed(name, meta)


_state = _BuildState()


def _check_was_passed(name: str, meta: dict) -> None:
    """Every layout of every figure on the site passed the figure check in both palettes
    (``snippets/_figure_check.py``, run by ``save_figure``); a figure written any other way fails."""
    layouts = ("wide", "narrow") if meta.get("narrow") else ("wide",)
    expected = [f"{layout}-{variant}" for layout in layouts for variant in ("light", "dark")]
    if meta.get("checked") != expected:
        raise PluginError(
            f"figure '{name}' (snippets/{meta['snippet']}.py) has no record of passing the figure check "
            f"for {', '.join(expected)}; it must be written by save_figure "
            f"(python -m scripts.figure_builder --only {meta['snippet']})"
        )


def _body_first_line(page) -> int:
    """Line of the source file where the Markdown that hooks see starts: MkDocs drops the
    front matter and the empty lines after it."""
    try:
        lines = read_text(Path(page.file.abs_src_path)).splitlines()
    except (SourceError, TypeError):
        return 1
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i, line in enumerate(lines[1:], start=1) if line.strip() in ("---", "...")), 0)
    while start < len(lines) and lines[start] == "":
        start += 1
    return start + 1
