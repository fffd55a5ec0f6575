"""The notebook pages that mkdocs-jupyter renders, fixed up.

Anchors: mkdocs-jupyter slugifies headings to ASCII, so Korean headings get an
empty id. ``on_page_content`` re-slugs every heading with the same
Unicode-preserving slugifier as the Markdown pages and updates the page's TOC.

Figures: the executed notebook carries each figure as an SVG output (so that a
downloaded .ipynb shows it offline), named in the output's metadata by save_figure.
On the page, each such image becomes the light/dark pair of files the site already
serves, with the snippet's alt text.

Size and requests:

mkdocs-jupyter inlines ~600 KB of Jupyter CSS into every notebook page and adds
script tags for MathJax (with an empty ``src``, a request to the page itself)
and for Mermaid (from a CDN). This hook keeps only the CSS rules that can apply to
the page's classes (``prune_css``) and moves them into a content-hashed stylesheet
under ``assets/jupyter/`` (except Jupyter's Pygments colours: code cells use
Material's, see mkdocs.yml), and drops the MathJax and Mermaid scripts: math is
MathML from the math hook, and the notebooks contain no diagrams.

Copy button: mkdocs-jupyter repeats every cell's source in a hidden block for its own
copy button, nearly doubling the page. The hook drops that button, its script and
the copies, and renders Material's copy button into each cell's ``<pre>``; Material's
page-wide clipboard handler (``content.code.copy``) copies the cell's code.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url
from pymdownx.slugs import slugify

from scripts import figure_builder, figure_markup
from scripts.figure_builder import BuilderConfig
from scripts.figure_builder.files import write_atomic

SLUGIFY = slugify(case="lower")
HEADING = re.compile(
    r'<h(?P<level>[1-6]) id="[^"]*">(?P<text>.*?)<a class="anchor-link" href="#[^"]*">',
    re.DOTALL,
)
TAG = re.compile(r"<[^>]+>")
INLINE_SVG_IMAGE = re.compile(r'<img alt="[^"]*" src="data:image/svg\+xml;base64,(?P<data>[A-Za-z0-9+/=]+)"\s*/?>')
# save_figure's key in a figure output's metadata (snippets/_figures.py, NOTEBOOK_METADATA_KEY).
FIGURE_METADATA_KEY = "notes_figure"

CODE_BLOCK = re.compile(r'(<div class="highlight-ipynb[^"]*">)<pre>(?P<code>.*?)</pre>', re.DOTALL)
# mkdocs-jupyter's copy button: a custom element, its script, and a hidden second copy of
# every cell's source. Material's own copy button (content.code.copy) copies the code itself.
# The button and the hidden copy go from the page content, before the search plugin reads it
# (the hidden copy would put every cell's code in the index, whole); the scripts from the page.
CLIPBOARD_MARKUP = [
    re.compile(r'<div class="zeroclipboard-container">\s*<clipboard-copy.*?</clipboard-copy>\s*</div>', re.DOTALL),
    re.compile(r'<div class="clipboard-copy-txt" id="cell-\d+">.*?</div>', re.DOTALL),
]
CLIPBOARD_SCRIPTS = [
    re.compile(
        r"<script>\s*\(function \(global, factory\)(?:(?!</script>).)*?ClipboardCopyElement.*?</script>", re.DOTALL
    ),
    re.compile(r"<script>\s*document\.addEventListener\('clipboard-copy'.*?</script>", re.DOTALL),
]
STYLE = re.compile(r"<style[^>]*>(?P<css>.*?)</style>", re.DOTALL)
UNWANTED_SCRIPTS = [
    re.compile(r'<script src="">\s*</script>'),
    re.compile(r'<script type="text/x-mathjax-config">.*?</script>', re.DOTALL),
    re.compile(r"<!-- (?:Load )?[Mm]ath[Jj]ax configuration -->|<!-- End of mathjax configuration -->"),
    re.compile(r'<script type="module">(?:(?!</script>).)*?mermaid.*?</script>', re.DOTALL),
]


class NotebookPages:
    """The page of each executed notebook: Korean anchors, the site's figure files, less markup and CSS
    (the pruned CSS kept in the project's ``.cache/notebook-css``)."""

    def __init__(self, builder: BuilderConfig):
        self.builder = builder
        self.css_cache = builder.root / ".cache" / "notebook-css"

    def on_page_content(self, html: str, page) -> str:
        return page_content(self.builder, html, page) if page.file.src_uri.endswith(".ipynb") else html

    def on_post_page(self, output: str, page, config) -> str:
        return post_page(self.css_cache, output, page, config) if page.file.src_uri.endswith(".ipynb") else output


def page_content(builder: BuilderConfig, html: str, page) -> str:
    """Headings re-slugged like the Markdown pages' (mkdocs-jupyter drops Hangul), the TOC renumbered,
    and each inlined SVG output of save_figure replaced by the site's figure files."""
    used: dict[str, int] = {}
    ids = []

    def reslug(match: re.Match) -> str:
        text = TAG.sub("", match["text"]).strip()
        anchor = _unique(SLUGIFY(text, "-") or "section", used)
        ids.append(anchor)
        return f'<h{match["level"]} id="{anchor}">{match["text"]}<a class="anchor-link" href="#{anchor}">'

    for pattern in CLIPBOARD_MARKUP:
        html = pattern.sub("", html)
    html = HEADING.sub(reslug, html)
    _renumber_toc(page.toc, iter(ids))
    names = figure_outputs(Path(page.file.abs_src_path))
    shown = INLINE_SVG_IMAGE.findall(html)
    if len(shown) != len(names):  # the page's images and the notebook's outputs pair up in order
        raise PluginError(f"{page.file.src_uri}: {len(names)} SVG outputs in the notebook, {len(shown)} on the page")
    names = iter(names)
    return INLINE_SVG_IMAGE.sub(lambda match: _figure_pair(builder, next(names), page), html)


def figure_outputs(notebook: Path) -> list[str | None]:
    """The figure name of each SVG output of an executed notebook, in page order (None for
    an SVG that save_figure did not make)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [
        output.get("metadata", {}).get(FIGURE_METADATA_KEY)
        for cell in cells
        for output in cell.get("outputs", [])
        if "image/svg+xml" in output.get("data", {})
    ]


def _figure_pair(builder: BuilderConfig, name: str | None, page) -> str:
    """The inlined SVG output of save_figure -> the site's figure files: light/dark pair,
    narrow variants, sizes and the zoom link, as on the Markdown pages."""
    if name is None:
        raise PluginError(f"{page.file.src_uri}: an SVG output that save_figure did not make (no figure name in it)")
    try:
        meta = figure_builder.figure_meta(builder, name)
    except FileNotFoundError:
        raise PluginError(f"{page.file.src_uri}: figure '{name}' has no installed files") from None
    folder = get_relative_url("generated/figures/x", page.url).rsplit("/", 1)[0]
    return figure_markup.images(name, meta, folder)


def _unique(anchor: str, used: dict[str, int]) -> str:
    count = used.get(anchor, 0)
    used[anchor] = count + 1
    return anchor if count == 0 else f"{anchor}_{count}"


def _renumber_toc(items, ids) -> None:
    """The TOC lists the same headings in document order: give them the new ids."""
    for item in items:
        item.id = next(ids, item.id)
        _renumber_toc(item.children, ids)


def post_page(css_cache: Path, output: str, page, config) -> str:
    """Less markup (mkdocs-jupyter's copy button and scripts, Pygments spans) and only the CSS the page uses."""
    for pattern in UNWANTED_SCRIPTS + CLIPBOARD_SCRIPTS:
        output = pattern.sub("", output)
    output = _code_blocks(output)
    output = _dedent_template(output)
    output = EMPTY_COLLAPSER.sub("", output)
    output = DOUBLE_CELL.sub(r"<div>\1", output)
    # Material names each code block after the closest id and copies from the CSS selector
    # "#<id> > code": mkdocs-jupyter's cell ids ("cell-id=x-3") are not valid there.
    output = output.replace(' id="cell-id=', ' id="cell-')
    css = "\n".join(block.group("css") for block in STYLE.finditer(output) if _keep(block.group("css")))
    css = pruned_css_cached(css_cache, css, set(CLASS_NAME.findall(" ".join(CLASS_ATTRIBUTE.findall(output)))))
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


CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
CLASS_NAME = re.compile(r"[^\s]+")
SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def pruned_css_cached(cache: Path, css: str, classes: set[str]) -> str:
    """``prune_css``, kept on disk in ``cache`` by its inputs (the stylesheet and the page's classes):
    pruning parses Jupyter's ~600 KB of CSS, seconds per page, and the result only changes when a
    page's classes or mkdocs-jupyter's CSS do. A Markdown edit under ``mkdocs serve`` then pays nothing."""
    key = hashlib.sha256(css.encode() + b"\0" + " ".join(sorted(classes)).encode()).hexdigest()
    cached = cache / f"{key}.css"
    try:
        return cached.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    pruned = prune_css(css, classes)
    cache.mkdir(parents=True, exist_ok=True)
    write_atomic(cached, pruned.encode("utf-8"))
    return pruned


def prune_css(css: str, classes: set[str]) -> str:
    """Only the rules that can apply to the page: Jupyter's ~600 KB of CSS, parsed and matched
    on every notebook page, is what makes it slow on a phone. A rule stays when one of its
    selectors names only classes that the page uses; rules that name no class stay only for
    :root (Jupyter's custom properties), since bare element rules would restyle Material.
    Of the ~1,000 custom properties that :root rules define, only those the kept rules use
    (directly or through another property) stay."""
    kept = _kept_rules(_rule_table(css), frozenset(classes))
    used = " ".join(text for kind, text, _ in _flatten(kept) if kind == "rule")
    wanted = _wanted_properties(VAR_REFERENCE.findall(used), kept)
    return _serialize(kept, wanted)


@dataclass(frozen=True)
class _Rule:
    """One rule of the stylesheet: its text, the classes each selector names, and for a rule
    whose selector mentions :root its declarations (kept apart: they are filtered per page)."""

    prelude: str
    text: str
    selector_classes: tuple[frozenset, ...]
    root_only: bool
    declarations: tuple[tuple[str, str], ...] = ()
    children: tuple = ()  # an @media / @supports block's rules


@functools.lru_cache(maxsize=4)
def _rule_table(css: str) -> tuple[_Rule, ...]:
    """Jupyter's stylesheet parsed once per build: every notebook page carries the same one."""
    import tinycss2

    def table(rules) -> tuple[_Rule, ...]:
        out = []
        for rule in rules:
            prelude = tinycss2.serialize(rule.prelude).strip()
            if rule.type == "qualified-rule":
                content = tinycss2.serialize(rule.content).strip()
                selectors = prelude.split(",")
                out.append(
                    _Rule(
                        prelude,
                        f"{prelude}{{{content}}}",
                        tuple(frozenset(SELECTOR_CLASS.findall(selector)) for selector in selectors),
                        any(not SELECTOR_CLASS.findall(sel) and sel.strip().startswith(":root") for sel in selectors),
                        _declarations(content) if ":root" in prelude else (),
                    )
                )
            elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content:
                inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
                out.append(_Rule(f"@{rule.at_keyword} {prelude}", "", (), False, children=table(inner)))
        return tuple(out)

    return table(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def _kept_rules(rules: tuple[_Rule, ...], classes: frozenset) -> list:
    kept = []
    for rule in rules:
        if rule.children:
            inner = _kept_rules(rule.children, classes)
            if inner:
                kept.append((rule, inner))
        elif rule.root_only or any(names and names <= classes for names in rule.selector_classes):
            kept.append((rule, None))
    return kept


def _flatten(kept: list):
    """("rule", text, declarations) for every kept rule, @media contents included; a rule with
    :root in its selector counts as "root" (its custom properties are filtered, not its uses)."""
    for rule, inner in kept:
        if inner is not None:
            yield from _flatten(inner)
        else:
            yield ("root" if rule.declarations else "rule"), rule.text, rule.declarations


def _wanted_properties(todo: list[str], kept: list) -> set[str]:
    definitions: dict[str, list[str]] = {}
    for _kind, _, declarations in _flatten(kept):
        for name, value in declarations:
            definitions.setdefault(name, []).append(value)
    wanted = set()
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            for value in definitions.get(name, []):
                todo.extend(VAR_REFERENCE.findall(value))
    return wanted


def _serialize(kept: list, wanted: set[str]) -> str:
    out = []
    for rule, inner in kept:
        if inner is not None:
            body = _serialize(inner, wanted)
            if body:
                out.append(f"{rule.prelude}{{{body}}}")
        elif rule.declarations:
            body = [
                f"{name}:{value}" for name, value in rule.declarations if not name.startswith("--") or name in wanted
            ]
            if body:
                out.append(f"{rule.prelude}{{{';'.join(body)}}}")
        else:
            out.append(rule.text)
    return "\n".join(out)


VAR_REFERENCE = re.compile(r"var\(\s*(--[\w-]+)")


@functools.lru_cache(maxsize=256)
def _declarations(body: str) -> tuple[tuple[str, str], ...]:
    """(name, value) of each declaration in a rule's body."""
    import tinycss2

    return tuple(
        (item.name, tinycss2.serialize(item.value).strip())
        for item in tinycss2.parse_declaration_list(body, skip_comments=True, skip_whitespace=True)
        if item.type == "declaration"
    )


# Pygments wraps every name ("n") and run of whitespace ("w") in a span; Material gives names
# the code colour itself (--md-code-hl-name-color is --md-code-fg-color) and whitespace none,
# so these spans only add bytes and DOM nodes (about a third of a notebook page's elements).
# Punctuation ("p": brackets, commas, dots) is another third, then operators ("o": = . + -) and an
# f-string's prefix and braces ("sa", "si"): on notebook pages they take the code colour too
# (an f-string's braces then stand out from its text), which keeps every page under the 100 KB
# budget (and has more contrast).
PLAIN_TOKEN = re.compile(r'<span class="(?:n|w|p|o|sa|si)">([^<]*)</span>')
# mkdocs-jupyter 0.26's template wraps each code cell of the lab template in a second div with the
# same classes: the cell's padding counted twice and every class list was sent twice. The outer
# one becomes a plain div.
DOUBLE_CELL = re.compile(
    r'<div class="jp-Cell jp-CodeCell jp-Notebook-cell[^"]*">(\s*<div class="jp-Cell jp-CodeCell '
    r'jp-Notebook-cell[^"]*" id=)'
)
# Jupyter's collapse handles: empty, and nothing on these pages collapses.
EMPTY_COLLAPSER = re.compile(r'<div class="jp-Collapser[^"]*">\s*</div>\s*')


def _code_blocks(output: str) -> str:
    """Each cell's code gets Material's copy button, rendered here: Material's page-wide
    clipboard handler copies the text of ``data-clipboard-target``. (Wrapping the code in
    ``<code>`` would make Material mount every block at load, one forced layout each: the
    main cost of a notebook page on a phone.) Long code lines scroll sideways: each block is
    focusable so a keyboard can scroll it (axe: scrollable-region-focusable)."""
    count = 0

    def block(match: re.Match) -> str:
        nonlocal count
        count += 1
        code_id = f"nb-code-{count}"
        return (
            f'{match[1]}<pre tabindex="0" id="{code_id}"><nav class="md-code__nav">'
            f'<button class="md-code__button" type="button" aria-label="{COPY_LABEL}" '
            f'data-clipboard-target="#{code_id} > .nb-source" data-md-type="copy"></button></nav>'
            f'<span class="nb-source">{_plain_tokens(match["code"]).removeprefix("<span></span>")}</span></pre>'
        )

    return CODE_BLOCK.sub(block, output)


COPY_LABEL = "클립보드로 복사"


def _plain_tokens(code: str) -> str:
    return PLAIN_TOKEN.sub(r"\1", code)


def _dedent_template(output: str) -> str:
    """Material's templates indent the header, navigation and footer (about 8 KB of spaces
    on a notebook page). Outside the article there is no <pre>, so the indentation can go."""
    start, end = output.find("<article"), output.rfind("</article>")
    if start < 0 or end < 0 or "<pre" in output[:start] + output[end:]:
        return output
    indent = re.compile(r"\n[ \t]+")
    return indent.sub("\n", output[:start]) + output[start:end] + indent.sub("\n", output[end:])


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
