"""TeX to MathML at build time, so math needs no script and no network (used by scripts/site_plugin/math.py).

Markdown pages: ``pymdownx.arithmatex`` (generic mode) wraps TeX in
``<span class="arithmatex">\\(...\\)</span>`` / ``<div class="arithmatex">\\[...\\]</div>``;
``render`` replaces the TeX with MathML, which browsers render natively.
Notebook pages: ``$...$`` / ``$$...$$`` inside rendered Markdown cells get the same treatment.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from latex2mathml.converter import convert

MATHML = "http://www.w3.org/1998/Math/MathML"
ET.register_namespace("", MATHML)  # serialize as <math xmlns="...">, not <ns0:math>
ROW, OPERATOR = f"{{{MATHML}}}mrow", f"{{{MATHML}}}mo"


class MathError(ValueError):
    """TeX that cannot be rendered; the message names the page."""


ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*\\(?P<open>[(\[])(?P<tex>.*?)\\[)\]]\s*</(?P=tag)>',
    re.DOTALL,
)
NOTEBOOK_MARKDOWN = re.compile(
    r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^"]*"[^>]*>)(.*?)(</div>)', re.DOTALL
)
DOLLAR_MATH = re.compile(r"\$\$(?P<block>.+?)\$\$|\$(?P<inline>[^$\n]+?)\$", re.DOTALL)


def render(html_text: str, where: str) -> str:
    """A page's HTML with its TeX as MathML; ``where`` (the page's source) names it in errors."""
    html_text = ARITHMATEX.sub(lambda m: _arithmatex(m, where), html_text)
    if where.endswith(".ipynb"):
        html_text = NOTEBOOK_MARKDOWN.sub(lambda m: m[1] + _dollars(m[2], where) + m[3], html_text)
    return html_text


def _arithmatex(match: re.Match, where: str) -> str:
    display = "block" if match["open"] == "[" else "inline"
    return _wrap(to_mathml(html.unescape(match["tex"]), display, where), display)


def _dollars(fragment: str, where: str) -> str:
    def replace(match: re.Match) -> str:
        if match["block"] is not None:
            return _wrap(to_mathml(html.unescape(match["block"]), "block", where), "block")
        return _wrap(to_mathml(html.unescape(match["inline"]), "inline", where), "inline")

    return DOLLAR_MATH.sub(replace, fragment)


def _wrap(mathml: str, display: str) -> str:
    """Block math scrolls sideways on narrow screens: its wrapper is focusable, so a
    keyboard can scroll it too (axe: scrollable-region-focusable)."""
    if display == "block":
        return f'<div class="arithmatex" tabindex="0">{mathml}</div>'
    return f'<span class="arithmatex">{mathml}</span>'


def to_mathml(tex: str, display: str, where: str) -> str:
    try:
        mathml = convert(tex.strip(), display=display)
    except Exception as error:  # latex2mathml raises many exception types
        raise MathError(f"{where}: cannot render TeX {tex.strip()!r}: {error}") from None
    return tidy(mathml)


# TeX escapes that \text{...} keeps for characters TeX reserves; latex2mathml copies them into
# <mtext> as they are, and the reader would see "warmup\_steps".
_TEXT_ESCAPE = re.compile(r"\\([_%#$])")
MTEXT = f"{{{MATHML}}}mtext"


def plain_text_escapes(root: ET.Element) -> None:
    """The words of a formula (``\\text{warmup\\_steps}``) without TeX's escapes."""
    for element in root.iter(MTEXT):
        if element.text:
            element.text = _TEXT_ESCAPE.sub(r"\1", element.text)


def tidy(mathml: str) -> str:
    """The same formula, its words without TeX escapes and with fewer elements: latex2mathml wraps
    every formula and every group in an <mrow>, also around a single element. MathML lays out an
    <mrow> with one child like the child, and <math> like an <mrow>. Dropping those rows removes
    about one in ten of the site's math elements, each of which costs the browser style and layout
    time. A row around a lone <mo> stays, to be safe: an operator's form (prefix, infix, postfix)
    sets its spacing."""
    root = ET.fromstring(mathml)
    plain_text_escapes(root)
    _unwrap_rows(root)
    if len(root) == 1 and _is_plain_row(root[0]):
        root[:] = list(root[0])
    return ET.tostring(root, encoding="unicode")


def _unwrap_rows(parent: ET.Element) -> None:
    for index, child in enumerate(list(parent)):
        _unwrap_rows(child)
        if _is_plain_row(child) and len(child) == 1 and child[0].tag != OPERATOR:
            parent[index] = child[0]


def _is_plain_row(element: ET.Element) -> bool:
    text = (element.text or "").strip() or (element.tail or "").strip()
    return element.tag == ROW and not element.attrib and not text
