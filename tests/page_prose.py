"""The site's own prose in a Markdown page or a snippet's Markdown cells, for the style tests.

What is not the site's own prose is removed: front matter, code (fenced and inline),
math (``$…$``, ``$$…$$``), quotes of the original log (``>`` lines and the
``!!! quote`` / ``!!! question`` admonitions that quote it), HTML tags, link URLs,
citations of computed values (``{{ name:fmt }}``) and section numbers (``§3.2.1``).
Figure lines keep their caption, which is prose.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext

from scripts.citations import CITATION
from scripts.harness import ROOT

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_FENCE = re.compile(r"^(\s*)(```|~~~).*?^\1\2[ \t]*$", re.DOTALL | re.MULTILINE)
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$")
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_FIGURE = re.compile(r'!\[[^\]]*\]\(figure:[\w-]+(?: "([^"]*)")?\)')
_LINK_URL = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<https?://[^>]+>|https?://\S+")
_HTML_TAG = re.compile(r"<[^>\n]+>")
_SECTION = re.compile(r"§\s*\d+(?:\.\d+)*")
_ADMONITION = re.compile(r"^(?:!!!|\?\?\?\+?) *([\w-]+)")
# Admonitions whose body quotes the original log verbatim.
LOG_QUOTING_ADMONITIONS = ("quote", "question")


def without_log_quotes(markdown: str) -> str:
    """Drop blockquote lines and the bodies of log-quoting admonitions (their titles stay)."""
    kept, skipping = [], False
    for line in markdown.splitlines():
        if skipping:
            if line.strip() == "" or line.startswith((" ", "\t")):
                continue
            skipping = False
        match = _ADMONITION.match(line)
        if match and match[1] in LOG_QUOTING_ADMONITIONS:
            skipping = True
            kept.append(line)  # the title is the site's own text (it may quote a question, see below)
            continue
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept)


def prose(markdown: str, *, keep_quotes: bool = False) -> str:
    """The site's own prose of one Markdown text (see the module docstring)."""
    text = _FRONT_MATTER.sub("", markdown)
    text = _FENCE.sub("", text)
    if not keep_quotes:
        text = without_log_quotes(text)
    text = _DISPLAY_MATH.sub(" ", text)
    text = _INLINE_MATH.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    text = _FIGURE.sub(lambda m: m[1] or "", text)
    text = _LINK_URL.sub("]", text)
    text = _AUTOLINK.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    text = CITATION.sub("⟨값⟩", text)
    return _SECTION.sub("§", text)


def math(markdown: str) -> list[str]:
    """The math of the site's own prose (outside code and log quotes): ``$…$`` and ``$$…$$``."""
    text = without_log_quotes(_FENCE.sub("", _FRONT_MATTER.sub("", markdown)))
    text = _INLINE_CODE.sub(" ", text)
    display = _DISPLAY_MATH.findall(text)
    return display + _INLINE_MATH.findall(_DISPLAY_MATH.sub(" ", text))


def without_section(markdown: str, heading: str) -> str:
    """Markdown without one ``## heading`` section (up to the next ``## ``)."""
    return re.sub(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", "", markdown, flags=re.DOTALL | re.MULTILINE)


def snippet_markdown(path: Path) -> str:
    """The Markdown cells of one jupytext percent-format snippet, joined."""
    notebook = jupytext.read(path)
    return "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def alt_texts(path: Path) -> list[str]:
    """The literal text of every ``save_figure(..., alt=...)`` in a snippet (its f-string and
    concatenated parts joined; the formatted values left out): the reader hears it in place of
    the figure, so it is prose too."""
    import ast

    texts = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "save_figure":
            for keyword in node.keywords:
                if keyword.arg == "alt":
                    parts = [n.value for n in ast.walk(keyword.value) if isinstance(n, ast.Constant)]
                    texts.append(" ".join(p for p in parts if isinstance(p, str)))
    return texts
