"""TeX to MathML at build time (scripts/tex_to_mathml.py), without building the site."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from latex2mathml.converter import convert

from scripts import tex_to_mathml
from scripts.harness import ROOT


def test_arithmatex_spans_and_divs_become_mathml():
    html = (
        '<p>비율 <span class="arithmatex">\\(\\frac{1}{\\sqrt{d_k}}\\)</span></p>'
        '<div class="arithmatex">\\[x^{2}\\]</div>'
    )
    out = tex_to_mathml.render(html, "qna/x.md")
    assert "\\(" not in out and "\\[" not in out
    assert re.search(r'<span class="arithmatex"><math[^>]*>.*<mfrac>.*<msqrt>', out)
    assert re.search(r'<div class="arithmatex" tabindex="0"><math[^>]*display="block"[^>]*>.*<msup>', out)


def test_dollar_math_is_rendered_in_notebook_markdown_cells_only():
    cell = '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown">$a_1$ 그리고 $$b$$</div>'
    assert "<math" in tex_to_mathml.render(cell, "generated/notebooks/x.ipynb")
    assert tex_to_mathml.render(cell, "qna/x.md") == cell  # a Markdown page's dollars are prose


def test_tex_that_cannot_be_rendered_names_the_page():
    with pytest.raises(tex_to_mathml.MathError, match=r"^qna/broken\.md: cannot render TeX"):
        tex_to_mathml.render('<span class="arithmatex">\\(\\frac{1}{\\)</span>', "qna/broken.md")


def site_formulas() -> list[str]:
    """Every $…$ and $$…$$ formula of the Markdown pages (code blocks and inline code left out)."""
    formulas = set()
    for page in sorted((ROOT / "docs").rglob("*.md")):
        prose = re.sub(r"```.*?```|`[^`\n]*`", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
        for match in tex_to_mathml.DOLLAR_MATH.finditer(prose):
            formulas.add(match["block"] if match["block"] is not None else match["inline"])
    return sorted(formulas)


def with_plain_words(tex: str) -> str:
    """latex2mathml's MathML with only the TeX escapes of its words removed (rows kept)."""
    root = ET.fromstring(convert(tex.strip()))
    tex_to_mathml.plain_text_escapes(root)
    return ET.tostring(root, encoding="unicode")


def test_words_in_formulas_lose_their_tex_escapes():
    mathml = tex_to_mathml.to_mathml(r"\text{warmup\_steps}^{-1.5} \cdot \text{50\% \#1 \$}", "inline", "x.md")
    assert "warmup_steps" in mathml and "50%\xa0#1\xa0$" in mathml and "\\" not in mathml


def test_formulas_lose_only_rows_that_wrap_one_element():
    formulas = site_formulas()
    assert len(formulas) > 50
    before = after = 0
    for tex in formulas:
        original, trimmed = with_plain_words(tex), tex_to_mathml.to_mathml(tex, "inline", "x.md")
        before, after = before + original.count("<m"), after + trimmed.count("<m")
        # Nothing but rows goes: every other element, attribute and character stays, in order.
        assert re.sub(r"</?mrow>", "", trimmed) == re.sub(r"</?mrow>", "", original)
        root = ET.fromstring(trimmed)
        assert not (len(root) == 1 and root[0].tag == tex_to_mathml.ROW), tex
        for row in root.iter(tex_to_mathml.ROW):
            assert len(row) != 1 or row[0].tag == tex_to_mathml.OPERATOR, tex
    assert after < 0.95 * before  # about one in ten of the site's math elements goes


def test_formulas_without_the_rows_are_laid_out_the_same(browser):
    formulas = site_formulas()
    rows = "".join(
        f"<p>{with_plain_words(tex)}</p><p>{tex_to_mathml.to_mathml(tex, 'inline', 'x.md')}</p>" for tex in formulas
    )
    page = browser.new_page()
    try:
        page.set_content(f"<!doctype html><html><body>{rows}</body></html>")
        boxes = page.evaluate("""[...document.querySelectorAll('body > p > math')]
            .map(m => { const r = m.getBoundingClientRect(); return [r.width, r.height]; })""")
    finally:
        page.close()
    assert len(boxes) == 2 * len(formulas)
    for tex, original, trimmed in zip(formulas, boxes[::2], boxes[1::2]):
        assert trimmed == pytest.approx(original, abs=0.05), tex
