"""MkDocs hook: serve Material's palette stylesheet without its page-wide transition reset.

While the palette changes, Material sets ``data-md-color-switching`` on ``<body>``,
and palette.css then turns off every transition with a rule that matches every
element (``TRANSITION_RESET``). Material also sets and removes that attribute once
on every page load, and because the rule matches everything, each change restyles
the whole page. On a phone (4x CPU slowdown) that was about a third of the style
work at load on the long pages: the positional-encoding page and its notebook.

The site serves palette.css without that rule. What it suppressed is small: on a
palette switch, links, code and the header fade to their new colours (Material's
125-250 ms colour transitions) instead of snapping.
"""

from __future__ import annotations

import fnmatch

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

PALETTE_CSS = "assets/stylesheets/palette.*.min.css"
TRANSITION_RESET = ("[data-md-color-switching] *,[data-md-color-switching] :after,"
                    "[data-md-color-switching] :before{transition-duration:0s!important}")


def on_files(files, config):
    palette = [f for f in files if fnmatch.fnmatch(f.src_uri, PALETTE_CSS)]
    if len(palette) != 1:
        raise PluginError(f"expected one Material stylesheet {PALETTE_CSS}, found {[f.src_uri for f in palette]}")
    files.remove(palette[0])
    css = without_transition_reset(palette[0].content_string, palette[0].abs_src_path)
    files.append(File.generated(config, palette[0].src_uri, content=css))
    return files


def without_transition_reset(css: str, path: str) -> str:
    if css.count(TRANSITION_RESET) != 1:
        raise PluginError(f"{path}: Material's transition reset rule is not there once; "
                          f"update TRANSITION_RESET in {__file__} for this Material version")
    return css.replace(TRANSITION_RESET, "")
