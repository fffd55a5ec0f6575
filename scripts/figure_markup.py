"""A figure cited by name, once: ``![](figure:NAME "caption")`` on a line of its own.

It expands to Material's light/dark image pair inside a ``<figure>``, with the alt
text that the snippet gave ``save_figure`` (its one source) and the caption. The
Markdown stays readable: the line says which figure and what the caption is.

Any other reference to ``generated/figures/...`` (Markdown or HTML) must name a
figure that a snippet makes.
"""

from __future__ import annotations

import posixpath
import re

FIGURE_LINE = re.compile(
    r'^(?P<indent>[ \t]*)!\[(?P<alt>[^\]]*)\]\(figure:(?P<name>[^\s)"]*)(?:\s+"(?P<caption>[^"]*)")?\)[ \t]*$',
    re.MULTILINE,
)
FIGURE_REFERENCE = re.compile(r"generated/figures/(?P<name>[^\s\"')#?]+?)(?:-(?:light|dark))?\.svg")
VALID_NAME = re.compile(r"[A-Za-z0-9-]+")


class FigureError(ValueError):
    """A figure line or reference the build cannot honour; names the file and line."""


def expand(markdown: str, figures: dict[str, dict], page_uri: str, where: str, first_line: int = 1) -> str:
    """Expand every figure line of a page (``page_uri`` relative to docs/, for relative links)."""

    def line_of(position: int) -> int:
        return first_line + markdown.count("\n", 0, position)

    def replace(match: re.Match) -> str:
        name = match["name"]
        _check_known(name, figures, where, line_of(match.start()))
        if match["alt"].strip():
            raise FigureError(
                f"{where}:{line_of(match.start())}: figure '{name}' is given alt text here; "
                f"its alt text comes from the snippet (save_figure(..., alt=...)): write ![](figure:{name} \"caption\")"
            )
        return render(name, figures[name]["alt"], match["caption"] or "", page_uri, match["indent"])

    markdown = FIGURE_LINE.sub(replace, markdown)
    for reference in FIGURE_REFERENCE.finditer(markdown):
        _check_known(reference["name"], figures, where, line_of(reference.start()))
    leftover = re.search(r"\(figure:", markdown)
    if leftover:
        raise FigureError(
            f"{where}:{line_of(leftover.start())}: a figure must stand on a line of its own as "
            f'![](figure:NAME "caption")'
        )
    return markdown


def render(name: str, alt: str, caption: str, page_uri: str, indent: str = "") -> str:
    """The light/dark pair (Material shows the one that matches the palette) and the caption."""
    folder = posixpath.relpath("generated/figures", posixpath.dirname(page_uri) or ".")
    alt = _escape_alt(alt)
    lines = ['<figure markdown="span">']
    for variant in ("light", "dark"):
        lines.append(f"  ![{alt}]({folder}/{name}-{variant}.svg#only-{variant}){{ loading=lazy }}")
    if caption:
        lines.append(f"  <figcaption>{caption}</figcaption>")
    lines.append("</figure>")
    return "\n".join(indent + line for line in lines)


def _check_known(name: str, figures: dict, where: str, line: int) -> None:
    if not VALID_NAME.fullmatch(name):
        raise FigureError(f"{where}:{line}: '{name}' is not a figure name (letters, digits and '-' only)")
    if name not in figures:
        known = ", ".join(sorted(figures)) or "none"
        raise FigureError(f"{where}:{line}: figure '{name}' is made by no snippet; known figures: {known}")


def _escape_alt(alt: str) -> str:
    """Alt text inside ![...]: brackets and newlines would end or break the image syntax."""
    return " ".join(alt.split()).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
