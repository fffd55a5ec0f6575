"""Formulas as search tokens (scripts/search/formula.py): the reading shared with the browser's
query rewriter (tests/formula_examples.yml; the browser side is checked in tests/test_search.py),
and the formulas of a page's sections."""

from __future__ import annotations

import pytest
import yaml

from scripts.harness import ROOT
from scripts.search import formula
from scripts.search import tokens as sm

EXAMPLES = yaml.safe_load((ROOT / "tests" / "formula_examples.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["formula"] for e in EXAMPLES])
def test_a_formula_reads_as_its_tokens(example):
    assert formula.normalise(example["formula"]) == example["tokens"]


def test_every_way_of_writing_a_formula_reads_alike():
    ways = ["QK^\\top/\\sqrt{d_k}", "QK^T/√d_k", "QK⊤ / sqrt(d_k)", "Q K transpose / 루트 d_k"]
    readings = [set(formula.normalise(w)) for w in ways]
    assert all({"qkt", "sqrt", "dk"} <= r for r in readings), readings


def test_tokens_survive_the_search_separator():
    # Material splits the index with the site's separator: a formula token must stay whole.
    for example in EXAMPLES:
        for token in formula.normalise(example["formula"]):
            assert sm.tokenize(token) == [token]


PAGE = (
    '<p>intro <span class="arithmatex">\\(QK^\\top\\)</span></p>'
    '<h1 id="title">Title</h1><p><span class="arithmatex">\\(d_k\\)</span></p>'
    '<h2 id="scaling">Scaling</h2><div class="arithmatex">\\[\\frac{1}{\\sqrt{d_k}}\\]</div>'
    '<h3 id="grad">Grad</h3><p><span class="arithmatex">\\(\\mathrm{diag}(p) - pp^\\top\\)</span></p>'
)


def test_formulas_land_in_the_section_material_indexes_them_in():
    sections = formula.by_section(PAGE)
    # Material: the first heading, an h1, opens the page's own section ("").
    assert sections == {
        "": ["QK^\\top", "d_k"],
        "scaling": ["\\frac{1}{\\sqrt{d_k}}"],
        "grad": ["\\mathrm{diag}(p) - pp^\\top"],
    }
