"""Snippets, what they publish, and what pages cite of it.

- ``on_config``: mkdocs-jupyter keeps its render cache in this project's ``.cache``, whatever folder
  ``mkdocs`` was started from; a damaged cached render is dropped (rendered again).
- ``on_pre_build``: the figure builder (``scripts/figure_builder``) re-runs only stale snippets
  (``watch: [snippets]`` makes ``mkdocs serve`` rebuild when one is edited). Its outputs live in
  ``.cache/generated/``, outside the watched docs folder, so a rebuild does not trigger another one.
- ``on_files``: the figures and executed notebooks join the site as ``generated/...``.
- ``on_page_markdown``: ``{{ name:.2f }}`` becomes the value a snippet published
  (``scripts/citations.py``), a line ``![](figure:NAME "caption")`` becomes the light/dark pair
  (``scripts/figure_markup.py``), and a link to an experiment notebook gets "Colab에서 열기" and
  "내려받기" beside it. An unknown value or figure fails the build with the page and line.
- ``on_post_build``: the experiment code as ``generated/snippets.zip``, which a notebook run
  outside the repository fetches (its first cell).
"""

from __future__ import annotations

import io
import json
import logging
import posixpath
import re
import zipfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from scripts import citations, figure_builder, figure_markup
from scripts.figure_builder import BuilderConfig
from scripts.figure_builder.common import colab_url, site_url
from scripts.figure_builder.manifest import read_json_output
from scripts.site_plugin.config import FiguresConfig
from scripts.sources import SourceError, read_text

log = logging.getLogger("mkdocs.plugins.notes.figures")
PUBLISHED_AS = "generated"
# A link to an experiment notebook ("실험 노트북 전체 보기", "스케줄 노트북") gets, beside it, a link that
# opens the notebook in Colab and one that downloads it: plain links, nothing loads from Colab.
NOTEBOOK_LINK = re.compile(
    r"\[(?P<text>[^\]]*노트북[^\]]*)\]\((?P<target>[^)\s]*generated/notebooks/(?P<name>\w+)\.ipynb)\)"
)


def builder_config(config: FiguresConfig, root: Path) -> BuilderConfig:
    """The figure builder's configuration for the project at ``root``, with the plugin's settings."""
    return BuilderConfig(root, threads=config.threads, progress_seconds=config.progress_seconds, log=log.info)


class Figures:
    """What the last good runs published (values, figures), read once per build."""

    def __init__(self, config: FiguresConfig, builder: BuilderConfig):
        assert builder.generated_dir.name == PUBLISHED_AS
        self.config = config
        self.builder = builder
        self.values: dict[str, float | int] = {}
        self.figures: dict[str, dict] = {}

    def on_config(self, config) -> None:
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is None:
            raise PluginError(
                "the experiment notebooks (generated/notebooks/*.ipynb in nav) are pages only "
                "through the mkdocs-jupyter plugin: keep it in mkdocs.yml's plugins"
            )
        cache = self.builder.root / ".cache" / "mkdocs-jupyter"
        jupyter.config["cache_dir"] = str(cache)
        drop_damaged_notebook_renders(cache, self.builder.root)

    def on_pre_build(self) -> None:
        if self.config.only_missing:
            log.info("figure step: only snippets that never ran (NOTES_SKIP_FIGURES=1)")
        try:
            figure_builder.build(self.builder, missing_only=self.config.only_missing)
        except figure_builder.SnippetError as error:
            raise PluginError(str(error)) from None
        self._load()

    def on_files(self, files, config):
        for folder in ("figures", "notebooks"):
            for path in sorted((self.builder.generated_dir / folder).glob("*")):
                if path.suffix in (".svg", ".ipynb", ".py"):
                    # A real source folder rather than File.generated: mkdocs-jupyter's
                    # notebook pages read the source path through it.
                    uri = f"{PUBLISHED_AS}/{folder}/{path.name}"
                    files.append(
                        File(uri, str(self.builder.generated_dir.parent), config.site_dir, config.use_directory_urls)
                    )
        return files

    def on_page_markdown(self, markdown: str, page, config) -> str:
        if page.file.src_uri.endswith(".ipynb"):
            return markdown  # the builder resolved the notebook's citations already
        where = f"docs/{page.file.src_uri}"
        first_line = body_first_line(page)
        try:
            markdown = citations.resolve(markdown, self.values, where, first_line)
            markdown = figure_markup.expand(markdown, self.figures, page.url, where, first_line)
        except (citations.CitationError, figure_markup.FigureError) as error:
            raise PluginError(str(error)) from None
        site = config.site_url or site_url(self.builder.root)
        return NOTEBOOK_LINK.sub(lambda match: with_launch_links(match, page.url, site), markdown)

    def on_post_build(self, config) -> None:
        target = Path(config.site_dir) / PUBLISHED_AS / "snippets.zip"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(snippets_zip(self.builder.snippet_dir))

    def _load(self) -> None:
        builder = self.builder
        manifest = figure_builder.load_manifest(builder, warn=log.info)
        self.values = figure_builder.published_values(builder, manifest, warn=log.info)
        self.figures = {}
        for name, snippet in figure_builder.known_figures(builder, manifest).items():
            meta = read_json_output(builder, builder.figure_dir / f"{name}.json", warn=log.info)
            if meta is None:
                raise PluginError(
                    f"figure '{name}' (snippets/{snippet}.py) has no readable meta file; "
                    f"run python -m scripts.figure_builder --only {snippet}"
                )
            self.figures[name] = {"snippet": snippet, **meta}
            check_was_passed(name, self.figures[name])


def drop_damaged_notebook_renders(cache: Path, root: Path) -> None:
    """mkdocs-jupyter reads its cached render of a notebook without a check: a damaged file would
    fail every build. Such a file is dropped (the notebook is rendered again), with a warning
    naming it from the project's ``root``."""
    for path in sorted(cache.glob("*.json")) if cache.is_dir() else ():
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            whole = isinstance(entry, dict) and isinstance(entry.get("content"), str) and "toc_tokens" in entry
        except (OSError, ValueError):
            whole = False
        if not whole:
            log.info(f"warning: {citations.relative(path, root)} is damaged; the notebook is rendered again")
            path.unlink(missing_ok=True)


def check_was_passed(name: str, meta: dict) -> None:
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


def with_launch_links(match: re.Match, page_url: str, site: str) -> str:
    name = match["name"]
    download = posixpath.relpath(f"generated/notebooks/{name}/{name}.ipynb", posixpath.dirname(page_url) or ".")
    links = [match[0]]
    colab = colab_url(name, site)
    if colab:
        links.append(f'<a class="notes-launch" href="{colab}">Colab에서 열기</a>')
    links.append(f'<a class="notes-launch" href="{download}" download>내려받기</a>')
    return " · ".join(links)


def snippets_zip(snippet_dir: Path) -> bytes:
    """snippets/*.py in a zip, the same bytes for the same files (fixed dates, sorted)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(snippet_dir.glob("*.py")):
            info = zipfile.ZipInfo(f"snippets/{path.name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def body_first_line(page) -> int:
    """Line of the source file where the Markdown that plugins see starts: MkDocs drops the
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
