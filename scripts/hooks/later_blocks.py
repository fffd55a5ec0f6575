"""MkDocs hook: mark the blocks that a phone reaches only by scrolling (``scripts/later_blocks.py``);
extra.css lets narrow screens skip their style and layout until then."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.later_blocks import mark_later_blocks  # noqa: E402


def on_page_content(html, page, config, files):
    return mark_later_blocks(html)
