"""A figure cited by name, once: ``![](figure:NAME "caption")`` on a line of its own.

It expands to Material's light/dark image pair inside a ``<figure>``, with the alt
text that the snippet gave ``save_figure`` (its one source) and the caption; a figure
with a narrow layout adds it for phones (``<picture>``), and the figure is a link that
opens it full screen. The
Markdown stays readable: the line says which figure and what the caption is.

Any other reference to ``generated/figures/...`` (Markdown or HTML) must name a
figure that a snippet makes.
"""

from __future__ import annotations

import html
import posixpath
import re

from scripts.citations import prose_spans

FIGURE_LINE = re.compile(
    r'^(?P<indent>[ \t]*)!\[(?P<alt>[^\]]*)\]\(figure:(?P<name>[^\s)"]*)(?:\s+"(?P<caption>[^"]*)")?\)[ \t]*$',
    re.MULTILINE,
)
FIGURE_REFERENCE = re.compile(r"generated/figures/(?P<name>[^\s\"')#?]+?)(?:-narrow)?(?:-(?:light|dark))?\.svg")
VALID_NAME = re.compile(r"[A-Za-z0-9-]+")


class FigureError(ValueError):
    """A figure line or reference the build cannot honour; names the file and line."""


def expand(markdown: str, figures: dict[str, dict], page_url: str, where: str, first_line: int = 1) -> str:
    """Expand every figure line of a page. ``page_url`` is the page's URL relative to the site
    root (``qna/x/``): the figure is raw HTML, whose links MkDocs does not rewrite."""

    def line_of(position: int) -> int:
        return first_line + markdown.count("\n", 0, position)

    def replace_in(match: re.Match, offset: int) -> str:
        name = match["name"]
        _check_known(name, figures, where, line_of(offset + match.start()))
        if match["alt"].strip():
            raise FigureError(
                f"{where}:{line_of(offset + match.start())}: figure '{name}' is given alt text here; "
                f'its alt text comes from the snippet (save_figure(..., alt=...)): write ![](figure:{name} "caption")'
            )
        return render(name, figures[name], match["caption"] or "", page_url, match["indent"])

    def _expand_stretch(stretch: str, line_at, replace_at) -> str:
        stretch = FIGURE_LINE.sub(replace_at, stretch)
        for reference in FIGURE_REFERENCE.finditer(stretch):
            _check_known(reference["name"], figures, where, line_at(reference.start()))
        leftover = re.search(r"\(figure:", stretch)
        if leftover:
            raise FigureError(
                f"{where}:{line_at(leftover.start())}: a figure must stand on a line of its own as "
                f'![](figure:NAME "caption")'
            )
        return stretch

    # Code (fenced blocks, inline `code`) is shown as written; figures expand in the prose around it.
    parts, previous_end = [], 0
    for start, end in prose_spans(markdown):
        parts.append(markdown[previous_end:start])
        stretch = markdown[start:end]
        parts.append(
            _expand_stretch(
                stretch, lambda position, s=start: line_of(s + position), replace_at=lambda m, s=start: replace_in(m, s)
            )
        )
        previous_end = end
    return "".join(parts)


def render(name: str, meta: dict, caption: str, page_url: str, indent: str = "") -> str:
    """The figure (light/dark pair, narrow variants for phones) in a zoom link, and the caption."""
    folder = posixpath.relpath("generated/figures", posixpath.dirname(page_url) or ".")
    lines = ['<figure class="notes-figure" markdown="span">', "  " + images(name, meta, folder)]
    if caption:
        lines.append(f"  <figcaption>{caption}</figcaption>")
    lines.append("</figure>")
    return "\n".join(indent + line for line in lines)


# Below this width a figure with a narrow (stacked) layout shows that one: Material's
# content column is then at most ~690 px, where side-by-side panels get too small.
NARROW_MEDIA = "(max-width: 44.9375em)"


def images(name: str, meta: dict, folder: str) -> str:
    """One line of HTML: a link (named by the alt text) that opens the figure full screen (zoom.js;
    without script it opens the SVG itself), holding a <picture> per palette (Material shows
    the one that matches: ``#only-light`` / ``#only-dark``). Every image has its width and
    height, so the page does not move when it arrives."""
    alt = html.escape(" ".join(meta["alt"].split()), quote=True)
    wide = meta["wide"]
    narrow = meta.get("narrow")
    parts = [
        f'<a class="notes-zoom" href="{folder}/{name}-light.svg" data-dark="{folder}/{name}-dark.svg"'
        + (
            f' data-narrow="{folder}/{name}-narrow-light.svg" data-narrow-dark="{folder}/{name}-narrow-dark.svg"'
            if narrow
            else ""
        )
        + ">"
    ]
    for variant in ("light", "dark"):
        parts.append("<picture>")
        if narrow:
            parts.append(
                f'<source media="{NARROW_MEDIA}" srcset="{folder}/{name}-narrow-{variant}.svg" '
                f'width="{narrow["width"]}" height="{narrow["height"]}">'
            )
        parts.append(
            f'<img src="{folder}/{name}-{variant}.svg#only-{variant}" alt="{alt}" '
            f'width="{wide["width"]}" height="{wide["height"]}" loading="lazy" decoding="async">'
        )
        parts.append("</picture>")
    parts.append("</a>")
    return "".join(parts)


def _check_known(name: str, figures: dict, where: str, line: int) -> None:
    if not VALID_NAME.fullmatch(name):
        raise FigureError(f"{where}:{line}: '{name}' is not a figure name (letters, digits and '-' only)")
    if name not in figures:
        known = ", ".join(sorted(figures)) or "none"
        raise FigureError(f"{where}:{line}: figure '{name}' is made by no snippet; known figures: {known}")
