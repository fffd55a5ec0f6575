"""MkDocs hook: publish the original week-7 log byte for byte, next to the 원문 page.

The 원문 page shows the log in a code block (``pymdownx.snippets``), but Markdown
normalises whitespace-only lines, so the page cannot be byte-exact. This hook adds
``source/week7-log.md`` to the site unchanged as ``original/week7-log.txt`` (a
``.txt`` name, so MkDocs copies it instead of rendering it), and the page links to it.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "source" / "week7-log.md"
PUBLISHED_AS = "original/week7-log.txt"


def on_files(files, config):
    if not LOG.is_file():
        raise PluginError(f"original log {LOG} is missing: the 원문 page and its download need it")
    files.append(File.generated(config, PUBLISHED_AS, abs_src_path=str(LOG)))
    return files
