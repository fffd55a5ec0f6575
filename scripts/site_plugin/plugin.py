"""The ``notes`` plugin: each MkDocs event handed to the concerns that need it, in the order they need.

Ordering against other plugins (``event_priority``, higher runs first):

- ``on_config`` at 100: before the search plugin reads its options (separator, fields).
- ``on_files``: the generated figures and notebooks join at 100, before mkdocs-jupyter turns the
  notebooks into pages; the glossary's tag check and the search URLs at -100, once every page is known.
- ``on_post_build``: the experiment zip and the saved morpheme analyses at -100, after the search
  plugin wrote its index (enriched while it was built).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from scripts.site_plugin.config import NotesConfig
from scripts.site_plugin.figures import Figures, builder_config
from scripts.site_plugin.glossary import Glossary
from scripts.site_plugin.math import Math
from scripts.site_plugin.notebook_pages import NotebookPages
from scripts.site_plugin.original_log import OriginalLog
from scripts.site_plugin.search import Search


class NotesPlugin(BasePlugin[NotesConfig]):
    def __init__(self):
        super().__init__()
        self.figures: Figures | None = None
        self.glossary: Glossary | None = None
        self.search: Search | None = None
        self.math = Math()
        self.notebook_pages: NotebookPages | None = None
        self.original_log: OriginalLog | None = None

    @event_priority(100)
    def on_config(self, config):
        # The project is the folder of mkdocs.yml, whatever folder `mkdocs` was started from.
        root = Path(config.config_file_path).resolve().parent
        builder = builder_config(self.config.figures, root)
        self.figures = Figures(self.config.figures, builder)
        self.notebook_pages = NotebookPages(builder)
        self.glossary = Glossary(root / self.config.glossary)
        self.search = Search(self.config.search, root / ".cache" / "search-morphology" / "morphemes.json")
        self.original_log = OriginalLog(root / self.config.original_log)
        self.figures.on_config(config)
        self.glossary.on_config(config)
        self.search.on_config(config)
        return config

    def on_pre_build(self, *, config):
        self.figures.on_pre_build()

    @event_priority(100)
    def _generated_files(self, files, *, config):
        files = self.figures.on_files(files, config)
        return self.original_log.on_files(files, config)

    @event_priority(-100)
    def _every_page_known(self, files, *, config):
        self.glossary.on_files(files)
        self.search.on_files(files, config, self.glossary.terms)
        return files

    on_files = CombinedEvent(_generated_files, _every_page_known)

    def on_page_markdown(self, markdown, *, page, config, files):
        markdown = self.figures.on_page_markdown(markdown, page, config)
        markdown = self.glossary.on_page_markdown(markdown, page, files)
        self.search.on_page_markdown(page)
        return markdown

    def on_page_content(self, html, *, page, config, files):
        self.search.on_page_content(html, page)  # the TeX, before it becomes MathML
        return self.notebook_pages.on_page_content(self.math.on_page_content(html, page), page)

    def on_post_page(self, output, *, page, config):
        return self.notebook_pages.on_post_page(output, page, config)

    @event_priority(-100)
    def on_post_build(self, *, config):
        self.figures.on_post_build(config)
        self.search.on_post_build()


__all__ = ["NotesPlugin"]
