"""Which section of Material's search index a piece of a page's HTML lands in."""

from __future__ import annotations

import re

_HEADING = re.compile(r'<h([1-6])\b[^>]*\bid="([^"]*)"')


def by_section(page_html: str, pattern: re.Pattern) -> dict[str, list[re.Match]]:
    """The matches of `pattern` in a page's HTML by the anchor of their section: Material's search
    opens a section at every heading with an id, except that a first heading which is an h1 opens
    the page's own section ("")."""
    events = [(m.start(), True, m) for m in _HEADING.finditer(page_html)]
    events += [(m.start(), False, m) for m in pattern.finditer(page_html)]
    found: dict[str, list[re.Match]] = {}
    anchor, first = "", True
    for _, heading, match in sorted(events, key=lambda e: e[0]):
        if heading:
            if not (first and match[1] == "1"):
                anchor = match[2]
            first = False
        else:
            found.setdefault(anchor, []).append(match)
    return found
