"""Mark the blocks of a page that start well below a phone's first screen.

On a phone, Chromium styles and lays out a whole long page before the reader can
interact with it (most of a topic page's blocking time). A block marked here gets
``content-visibility: auto`` on narrow screens (extra.css), so the browser skips its
style and layout until the reader scrolls near it.

A skipped block is drawn at a placeholder height until it is rendered; a block inside
the first screen would then grow on screen, a layout shift. So only blocks whose top is
surely below the first screen are marked: the page's height above them is estimated
from below (every guess here errs towards a shorter page), and must reach ``FOLD_PX``,
more than the tallest phone screen. `tests/test_later_blocks.py` checks the estimate
against Chromium at phone widths.

Headings are never marked, nor blocks that contain one: Material's table of contents
reads the headings' positions, which would force the skipped layout.

Blocks are the top-level elements of a page's content, and the cells of a notebook
page. The HTML is kept byte for byte; only a class is added to each marked block.
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser

CLASS = "notes-later"
FOLD_PX = 1000  # tallest phone screens are about 930 CSS px
COLUMN_PX = 320  # narrowest phone column, so text wraps least and images shrink most
CHARS_PER_LINE = 40  # more than fit a phone line (Hangul: about 22)
TEXT_LINE_PX = 24  # body text is 16 px with a line height of 1.75 (28 px)
CODE_LINE_PX = 16
DISPLAY_MATH_PX = 24
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
NOT_RENDERED = {"script", "style", "template", "noscript", "link", "meta"}
# Elements whose text starts on a line of its own (table cells are counted per row instead).
TEXT_BLOCKS = {"p", "li", "dt", "dd", "div", "figcaption", "summary", "blockquote"} | HEADINGS


def mark_later_blocks(html: str, fold_px: float = FOLD_PX) -> str:
    """`html` with CLASS added to every block that starts at least `fold_px` down."""
    scanner = _BlockScanner()
    scanner.feed(html)
    scanner.close()
    later = [block for block in scanner.blocks if block.top_px >= fold_px and not block.has_heading]
    return _add_class(html, scanner.line_offsets, later)


class _Block:
    def __init__(self, tag: str, position: tuple[int, int], start_tag: str, top_px: float):
        self.tag = tag
        self.position = position
        self.start_tag = start_tag
        self.top_px = top_px
        self.has_heading = tag in HEADINGS


class _BlockScanner(HTMLParser):
    """Walks the HTML once: finds the blocks and a lower bound of the height above each."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.line_offsets = [0]
        self._stack: list[str] = []  # open elements
        self._height = 0.0
        self._chars = 0  # text characters of the current paragraph-like run
        self._hidden = 0  # depth inside a closed <details> (its content is not on screen)
        self._pre = 0
        self._table = 0
        self._display_math = 0
        self._unrendered = 0

    def feed(self, data: str) -> None:
        self.line_offsets = [0] + [m.end() for m in re.finditer("\n", data)]
        super().feed(data)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        is_block = self._starts_block(classes) and tag not in NOT_RENDERED
        if is_block:
            self._flush_text()
            self.blocks.append(_Block(tag, self.getpos(), self.get_starttag_text(), self._height))
        if tag in HEADINGS:
            self._mark_heading()
        if tag == "img" and not self._hidden:
            self._height += _image_height(attributes)
        if tag == "tr" and not self._hidden:
            self._height += TEXT_LINE_PX
        if tag in VOID:
            return
        if tag == "details" and "open" not in attributes or self._hidden:
            self._hidden += 1
        if tag == "math" and attributes.get("display") == "block":
            self._display_math += 1
            if not self._hidden:
                self._height += DISPLAY_MATH_PX
        self._pre += tag == "pre"
        self._table += tag == "table"
        self._unrendered += tag in NOT_RENDERED
        self._stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in self._stack:  # a stray end tag
            return
        while True:  # closes any unclosed element inside too
            open_tag = self._stack.pop()
            if self._hidden:
                self._hidden -= 1
            self._pre -= open_tag == "pre"
            self._table -= open_tag == "table"
            self._unrendered -= open_tag in NOT_RENDERED
            self._display_math -= open_tag == "math" and self._display_math > 0
            if open_tag in TEXT_BLOCKS:
                self._flush_text()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._hidden or self._table or self._display_math or self._unrendered:
            return
        if self._pre:
            self._height += data.count("\n") * CODE_LINE_PX
            return
        self._chars += len(" ".join(data.split()))

    def _starts_block(self, classes: list[str]) -> bool:
        depth = len(self._stack)
        if "jp-Cell" in classes:
            return True
        return depth == 0 and "jupyter-wrapper" not in classes

    def _mark_heading(self) -> None:
        for block in reversed(self.blocks):
            if block.position <= self.getpos():
                block.has_heading = True
                return

    def _flush_text(self) -> None:
        self._height += math.ceil(self._chars / CHARS_PER_LINE) * TEXT_LINE_PX
        self._chars = 0


def _image_height(attributes: dict) -> float:
    """Rendered height of an image at the narrowest column; 0 for the dark-palette twin."""
    src = attributes.get("src") or ""
    if src.endswith("#only-dark"):
        return 0.0
    try:
        width, height = float(attributes["width"]), float(attributes["height"])
    except (KeyError, TypeError, ValueError):
        return 0.0
    return height * min(1.0, COLUMN_PX / width) if width > 0 else 0.0


def _add_class(html: str, line_offsets: list[int], blocks: list[_Block]) -> str:
    pieces, cursor = [], 0
    for block in blocks:
        line, column = block.position
        start = line_offsets[line - 1] + column
        end = start + len(block.start_tag)
        pieces.append(html[cursor:start])
        pieces.append(_with_class(block.start_tag))
        cursor = end
    pieces.append(html[cursor:])
    return "".join(pieces)


def _with_class(start_tag: str) -> str:
    match = re.search(r"""\sclass=(["'])(.*?)\1""", start_tag)
    if match:
        quote, value = match.group(1), match.group(2)
        return start_tag[:match.start()] + f" class={quote}{value} {CLASS}{quote}" + start_tag[match.end():]
    name_end = re.match(r"<[^\s/>]+", start_tag).end()
    return start_tag[:name_end] + f' class="{CLASS}"' + start_tag[name_end:]
