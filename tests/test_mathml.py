"""TeX to MathML at build time (scripts/tex_to_mathml.py), without building the site."""

from __future__ import annotations

import re

import pytest

from scripts import tex_to_mathml


def test_arithmatex_spans_and_divs_become_mathml():
    html = ('<p>비율 <span class="arithmatex">\\(\\frac{1}{\\sqrt{d_k}}\\)</span></p>'
            '<div class="arithmatex">\\[x^{2}\\]</div>')
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
