"""MkDocs hook: fix up the notebook pages that mkdocs-jupyter renders.

Anchors: mkdocs-jupyter slugifies headings to ASCII, so Korean headings get an
empty id. ``on_page_content`` re-slugs every heading with the same
Unicode-preserving slugifier as the Markdown pages and updates the page's TOC.

Figures: the executed notebook carries each figure as an SVG output (so that a
downloaded .ipynb shows it offline). On the page, each such image becomes the
light/dark pair of files the site already serves, with the snippet's alt text.

Size and requests:

mkdocs-jupyter inlines ~600 KB of Jupyter CSS into every notebook page and adds
script tags for MathJax (with an empty ``src``, a request to the page itself)
and for Mermaid (from a CDN). This hook moves each distinct ``<style>`` block
into one shared, content-hashed stylesheet under ``assets/jupyter/`` (except
Jupyter's Pygments colours: code cells use Material's, see mkdocs.yml) and drops
the MathJax and Mermaid scripts: math is MathML from the math hook, and the
notebooks contain no diagrams.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url
from pymdownx.slugs import slugify

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts import figure_builder  # noqa: E402

SLUGIFY = slugify(case="lower")
HEADING = re.compile(
    r'<h(?P<level>[1-6]) id="[^"]*">(?P<text>.*?)<a class="anchor-link" href="#[^"]*">',
    re.DOTALL,
)
TAG = re.compile(r"<[^>]+>")
INLINE_SVG_IMAGE = re.compile(r'<img alt="[^"]*" src="data:image/svg\+xml;base64,(?P<data>[A-Za-z0-9+/=]+)"\s*/?>')
SVG_TITLE = re.compile(r"<dc:title>(?P<name>[^<]+)</dc:title>")

CODE_BLOCK = re.compile(r'(<div class="highlight-ipynb[^"]*">)<pre>')
STYLE = re.compile(r"<style[^>]*>(?P<css>.*?)</style>", re.DOTALL)
UNWANTED_SCRIPTS = [
    re.compile(r'<script src="">\s*</script>'),
    re.compile(r'<script type="text/x-mathjax-config">.*?</script>', re.DOTALL),
    re.compile(r"<!-- (?:Load )?[Mm]ath[Jj]ax configuration -->|<!-- End of mathjax configuration -->"),
    re.compile(r'<script type="module">(?:(?!</script>).)*?mermaid.*?</script>', re.DOTALL),
]


def on_page_content(html, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    used: dict[str, int] = {}
    ids = []

    def reslug(match: re.Match) -> str:
        text = TAG.sub("", match["text"]).strip()
        anchor = _unique(SLUGIFY(text, "-") or "section", used)
        ids.append(anchor)
        return f'<h{match["level"]} id="{anchor}">{match["text"]}<a class="anchor-link" href="#{anchor}">'

    html = HEADING.sub(reslug, html)
    _renumber_toc(page.toc, iter(ids))
    return INLINE_SVG_IMAGE.sub(lambda match: _figure_pair(match, page), html)


def _figure_pair(match: re.Match, page) -> str:
    """The inlined SVG output of save_figure -> the light/dark pair of the site's figure files."""
    svg = base64.b64decode(match["data"]).decode("utf-8", errors="replace")
    title = SVG_TITLE.search(svg)
    if not title:
        raise PluginError(f"{page.file.src_uri}: an SVG output that save_figure did not make (no figure name in it)")
    name = title["name"]
    try:
        alt = html_lib.escape(figure_builder.figure_meta(name)["alt"], quote=True)
    except FileNotFoundError:
        raise PluginError(f"{page.file.src_uri}: figure '{name}' has no installed files") from None
    return "".join(
        f'<img src="{get_relative_url(f"generated/figures/{name}-{variant}.svg", page.url)}#only-{variant}" '
        f'alt="{alt}" loading="lazy">'
        for variant in ("light", "dark")
    )


def _unique(anchor: str, used: dict[str, int]) -> str:
    count = used.get(anchor, 0)
    used[anchor] = count + 1
    return anchor if count == 0 else f"{anchor}_{count}"


def _renumber_toc(items, ids) -> None:
    """The TOC lists the same headings in document order: give them the new ids."""
    for item in items:
        item.id = next(ids, item.id)
        _renumber_toc(item.children, ids)


def on_post_page(output, page, config):
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    for pattern in UNWANTED_SCRIPTS:
        output = pattern.sub("", output)
    # Long code lines scroll sideways: make each code block focusable so a keyboard can
    # scroll it (axe: scrollable-region-focusable), as Material does for its own code blocks.
    output = CODE_BLOCK.sub(r'\1<pre tabindex="0">', output)
    css = "\n".join(block.group("css") for block in STYLE.finditer(output) if _keep(block.group("css")))
    if not css:
        return output
    url = _write_shared_stylesheet(css, Path(config.site_dir))
    link = f'<link rel="stylesheet" href="{get_relative_url(url, page.url)}">'
    first = True

    def replace(match: re.Match) -> str:
        nonlocal first
        if first:
            first = False
            return link
        return ""

    return STYLE.sub(replace, output)


def _keep(css: str) -> bool:
    """Drop the Pygments colours (Material's code colours apply instead: they pass contrast checks)
    and a Python list's repr of them that mkdocs-jupyter also emits (not CSS at all)."""
    return not css.lstrip().startswith("[") and "td.linenos .normal" not in css


def _write_shared_stylesheet(css: str, site_dir: Path) -> str:
    digest = hashlib.sha256(css.encode()).hexdigest()[:12]
    url = f"assets/jupyter/notebook.{digest}.css"
    target = site_dir / url
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
    return url
