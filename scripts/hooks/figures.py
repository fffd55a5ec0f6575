"""MkDocs hook: rebuild stale figures before every build, and refuse unknown figures.

`mkdocs build` and every `mkdocs serve` rebuild call ``on_config``: the figure
builder re-runs only snippets whose cache key changed (``watch: [snippets]`` in
mkdocs.yml makes serve rebuild when one is edited). A page that embeds
``generated/figures/<name>-light|dark.svg`` for a name no snippet makes fails
the build, naming the page and the figure.

Set ``NOTES_SKIP_FIGURES=1`` to leave the figures as they are (the benchmark's
baseline); the embedded-figure check still runs.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

# Hooks are loaded by file path; make `scripts` importable from the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts import figure_builder  # noqa: E402

log = logging.getLogger("mkdocs.hooks.figures")
FIGURE_REFERENCE = re.compile(r"generated/figures/([A-Za-z0-9-]+?)-(light|dark)\.svg")


def on_config(config):
    if os.environ.get("NOTES_SKIP_FIGURES") == "1":
        log.info("figure step skipped (NOTES_SKIP_FIGURES=1)")
        return config
    try:
        figure_builder.build(log=log.info)
    except figure_builder.SnippetError as error:
        raise PluginError(str(error)) from None
    return config


# Figure name -> snippet, read once per build after the figure step.
_known: dict[str, str] = {}


def on_files(files, config):
    _known.clear()
    _known.update(figure_builder.known_figures())
    return files


def on_page_markdown(markdown, page, config, files):
    for name, variant in FIGURE_REFERENCE.findall(markdown):
        if name not in _known:
            raise PluginError(
                f"page '{page.file.src_uri}' embeds figure '{name}' ({variant}), "
                f"which no snippet makes; known figures: {', '.join(sorted(_known)) or 'none'}"
            )
    return markdown
