"""Korean search on Material's own search plugin and search box.

- ``on_config``: the search plugin's ``separator`` (particle-aware, ``scripts/search/tokens.py``)
  and ``fields`` (hidden ``morphs`` and ``keywords``); the query rewriter worker (초성, 한/영 keys,
  spacing, misspellings) is announced to the theme through ``extra.korean_search``
  (``overrides/main.html``); a query that finds nothing shows the closest glossary terms and topics
  (``empty.js``, added to ``extra_javascript``).
- ``on_files`` (every plugin configured): page URLs, and the search plugin's index becomes a
  ``KoreanSearchIndex``, which adds the hidden fields (``scripts/search/index.py``) to each entry as
  the search plugin creates it, and the glossary lexicon for the query rewriter (``config.korean``).
- ``on_page_markdown``: notebook pages rank below the topic pages they back
  (``page.meta["search"]["boost"]``); page descriptions are kept for the index.
- ``on_page_content`` (before the TeX becomes MathML): each section's formulas as search tokens
  (``scripts/search/formula.py``), for the hidden field ``formula``; the words and dates of its
  dated log entries and a page's opening quotation from the log (``scripts/search/dated.py``), for
  its keywords.
- ``on_post_build``: the morpheme analyses are saved for the next build.

With ``search: {stock: true}`` (``NOTES_STOCK_SEARCH=1``) all of this is off (stock Material with
``lang: ko``), so ``scripts/bench_search.py`` can compare both on the same pages. Analyses are
cached in ``.cache/search-morphology/`` so a no-op rebuild need not load kiwi.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from material.plugins.search.plugin import SearchIndex
from mkdocs.exceptions import PluginError

from scripts.glossary import Term
from scripts.search import dated, formula
from scripts.search import index as search_index
from scripts.search.morphology import Analyser
from scripts.search.tokens import SEPARATOR
from scripts.site_plugin.config import SearchConfig

log = logging.getLogger("mkdocs.plugins.notes.search")
WORKER = "assets/javascripts/korean-search/worker.js"
EMPTY_STATE = "assets/javascripts/korean-search/empty.js"


class Search:
    def __init__(self, config: SearchConfig, cache: Path):
        self.config = config
        self.cache = cache
        self.urls: dict[str, str] = {}
        self.descriptions: dict[str, str] = {}
        self.formulas: dict[str, list[str]] = {}
        self.dated: dict[str, list[str]] = {}
        self.analyser: Analyser | None = None

    def on_config(self, config) -> None:
        if self.config.stock:
            log.info("search: stock Material configuration (NOTES_STOCK_SEARCH=1)")
            return
        plugin = search_plugin(config)
        plugin.config.separator = SEPARATOR
        plugin.config.fields = {**plugin.config.fields, **search_index.FIELDS}
        config.extra["korean_search"] = WORKER
        config.extra_javascript.append(EMPTY_STATE)

    def on_files(self, files, config, terms: list[Term]) -> None:
        self.urls = {file.src_uri: _url(file.url) for file in files.documentation_pages()}
        self.descriptions = {}
        self.formulas = {}
        self.dated = {}
        if self.config.stock:
            return
        self.analyser = Analyser(self.cache)
        sections = {"formula": self.formulas, "dated": self.dated}
        enrich = search_index.Enricher(terms, self.urls, self.analyser, self.descriptions, sections)
        plugin = search_plugin(config)
        plugin.search_index = KoreanSearchIndex(enrich, search_index.lexicon(terms), **plugin.config)

    def on_page_markdown(self, page) -> None:
        if self.config.stock:
            return
        if page.file.src_uri.endswith(".ipynb"):
            page.meta.setdefault("search", {}).setdefault("boost", search_index.SECONDARY_BOOST)
        description = page.meta.get("description")
        if isinstance(description, str):
            self.descriptions[_url(page.url)] = description

    def on_page_content(self, html: str, page) -> None:
        """Each section's formula tokens, read from the TeX before it becomes MathML, and the
        tokens of its dated log entries."""
        # A notebook repeats its topic page's formulas: the topic page should answer a formula.
        if self.config.stock or page.file.src_uri.endswith(".ipynb"):
            return
        url = _url(page.url)
        for anchor, formulas in formula.by_section(html).items():
            location = _location(url, anchor)
            found = [t for tex in formulas for t in formula.normalise(tex)]
            self.formulas[location] = list(dict.fromkeys(self.formulas.get(location, []) + found))
        for anchor, tokens in dated.by_section(html).items():
            self.dated[_location(url, anchor)] = tokens
        quoted = dated.opening_quote(html)
        if quoted:
            self.dated.setdefault(url, []).extend(quoted)

    def on_post_build(self) -> None:
        if self.analyser is not None:
            self.analyser.save()


class KoreanSearchIndex(SearchIndex):
    """Material's search index, each entry enriched as it is created (as Material segments Chinese
    there), written with its Hangul as it is: Material's own JSON escapes every Hangul syllable
    (``ensure_ascii``), which would make the file half again as large."""

    def __init__(self, enrich: Callable[[dict], None], lexicon: dict, **config):
        super().__init__(**config)
        self.enrich = enrich
        self.lexicon = lexicon

    def create_entry_for_section(self, section, toc, url, page):
        super().create_entry_for_section(section, toc, url, page)
        self.enrich(self.entries[-1])

    def generate_search_index(self, prev):
        data = json.loads(super().generate_search_index(prev))  # merges a dirty reload's entries
        data["config"]["korean"] = self.lexicon
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def search_plugin(config):
    for name in ("material/search", "search"):
        if name in config.plugins:
            return config.plugins[name]
    raise PluginError("plugin notes: the search plugin is not enabled in mkdocs.yml")


def _location(url: str, anchor: str) -> str:
    return url + (f"#{anchor}" if anchor else "")


def _url(url: str) -> str:
    return "" if url in ("", "./") else url
