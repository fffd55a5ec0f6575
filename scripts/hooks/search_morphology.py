"""MkDocs hook: Korean search on Material's own search plugin and search box.

- ``on_config``: the plugin's ``separator`` (particle-aware, ``scripts/search/tokens.py``)
  and ``fields`` (hidden ``morphs`` and ``keywords``); the query rewriter worker
  (초성, 한/영 keys, spacing, misspellings) is announced to the theme through
  ``extra.korean_search`` (``overrides/main.html``).
- ``on_page_markdown``: notebook pages rank below the topic pages they back
  (``page.meta["search"]["boost"]``); page descriptions are kept for the index.
- ``on_post_build`` (after the search plugin wrote ``search/search_index.json``):
  the hidden fields (``scripts/search/index.py``) and the glossary lexicon for
  the query rewriter (``config.korean``).

``NOTES_STOCK_SEARCH=1`` turns all of this off (stock Material with ``lang: ko``)
so ``scripts/bench_search.py`` can compare both on the same pages. Analyses are
cached in ``.cache/search-morphology/`` so a no-op rebuild need not load kiwi.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

# Hooks are loaded by file path; make `scripts` importable from the repo root.
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from scripts import glossary  # noqa: E402
from scripts.search import index as search_index  # noqa: E402
from scripts.search.morphology import Analyser  # noqa: E402
from scripts.search.tokens import SEPARATOR  # noqa: E402

log = logging.getLogger("mkdocs.hooks.search_morphology")
STOCK_ENV = "NOTES_STOCK_SEARCH"
CACHE = ROOT / ".cache" / "search-morphology" / "morphemes.json"
WORKER = "assets/javascripts/korean-search/worker.js"

_urls: dict[str, str] = {}
_descriptions: dict[str, str] = {}


# ---------------------------------------------------------------- MkDocs events


@event_priority(100)  # before the search plugin reads its options
def on_config(config):
    if _stock():
        log.info(f"search: stock Material configuration ({STOCK_ENV}=1)")
        return config
    plugin = _search_plugin(config)
    plugin.config.separator = SEPARATOR
    plugin.config.fields = {**plugin.config.fields, **search_index.FIELDS}
    config.extra["korean_search"] = WORKER
    return config


def on_files(files, config):
    _urls.clear()
    _descriptions.clear()
    for file in files.documentation_pages():
        _urls[file.src_uri] = _url(file.url)
    return files


def on_page_markdown(markdown, page, config, files):
    if _stock():
        return markdown
    if page.file.src_uri.endswith(".ipynb"):
        page.meta.setdefault("search", {}).setdefault("boost", search_index.SECONDARY_BOOST)
    description = page.meta.get("description")
    if isinstance(description, str):
        _descriptions[_url(page.url)] = description
    return markdown


@event_priority(-100)  # after the search plugin has written search_index.json
def on_post_build(config):
    if _stock():
        return
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not path.exists():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    analyser = Analyser(CACHE)
    terms = glossary.current(Path(config.docs_dir))
    index = search_index.enrich(index, terms, _urls, analyser, _descriptions)
    index["config"]["korean"] = search_index.lexicon(terms)
    analyser.save()
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


# ---------------------------------------------------------------- helpers


def _stock() -> bool:
    return os.environ.get(STOCK_ENV) == "1"


def _search_plugin(config):
    for name in ("material/search", "search"):
        if name in config.plugins:
            return config.plugins[name]
    raise PluginError("scripts/hooks/search_morphology.py: the search plugin is not enabled in mkdocs.yml")


def _url(url: str) -> str:
    return "" if url in ("", "./") else url
