"""The original week-7 log, byte for byte, next to the 원문 page.

The 원문 page shows the log in a code block (``pymdownx.snippets``), but Markdown normalises
whitespace-only lines, so the page cannot be byte-exact. The log joins the site unchanged as
``original/week7-log.txt`` (a ``.txt`` name, so MkDocs copies it instead of rendering it), and the
page links to it.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

PUBLISHED_AS = "original/week7-log.txt"


class OriginalLog:
    def __init__(self, log: Path):
        self.log = log

    def on_files(self, files, config):
        if not self.log.is_file():
            raise PluginError(f"original log {self.log} is missing: the 원문 page and its download need it")
        files.append(File.generated(config, PUBLISHED_AS, abs_src_path=str(self.log)))
        return files
