"""MkDocs hook: render TeX to MathML at build time (``scripts/tex_to_mathml.py``).

No script and no network: browsers render MathML natively. A TeX expression that cannot
be rendered fails the build naming the page.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

# Hooks are loaded by file path; make `scripts` importable from the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts import tex_to_mathml  # noqa: E402


def on_page_content(html_text, page, config, files):
    try:
        return tex_to_mathml.render(html_text, page.file.src_uri)
    except tex_to_mathml.MathError as error:
        raise PluginError(str(error)) from None
