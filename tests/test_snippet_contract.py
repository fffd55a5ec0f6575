"""What every snippet promises: importable without side effects, readable as a notebook."""

from __future__ import annotations

import importlib
import re
import sys

import jupytext
import pytest

from scripts import figure_builder

CHECKOUT = figure_builder.BuilderConfig.for_checkout()
SNIPPETS = sorted(figure_builder.discover_snippets(CHECKOUT))
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_every_topic_has_its_snippet():
    assert {
        "scaled_dot_product",
        "positional_encoding",
        "complexity",
        "layer_norm",
        "gradient_vanishing",
        "bucketing",
    } <= set(SNIPPETS)


@pytest.mark.parametrize("name", SNIPPETS)
def test_import_runs_nothing_and_writes_no_figure(name, tmp_path, monkeypatch):
    monkeypatch.setenv("SNIPPET_OUTPUT_DIR", str(tmp_path))
    monkeypatch.delitem(sys.modules, f"snippets.{name}", raising=False)
    importlib.import_module(f"snippets.{name}")
    assert not any(tmp_path.iterdir()), "importing a snippet wrote files"


@pytest.mark.parametrize("name", SNIPPETS)
def test_snippet_reads_as_a_korean_notebook(name):
    notebook = jupytext.read(CHECKOUT.snippet_dir / f"{name}.py")
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert markdown and markdown[0].startswith("# "), "starts with a title cell"
    assert len(markdown) >= 3 and all(HANGUL.search(text) for text in markdown)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert any("save_figure(" in source for source in code), "draws its figures through the shared helper"
    # A section heading is also a line of the page's table of contents, which shows it as plain text.
    headings = [line for text in markdown for line in text.splitlines() if line.startswith("##")]
    assert not [line for line in headings if "$" in line or "\\" in line], "no TeX in a heading"


def test_shared_helper_draws_every_glyph_of_korean_labels_and_negative_exponents(tmp_path, monkeypatch, caplog):
    # matplotlib only logs a missing glyph and draws an empty box: the log is the evidence.
    import matplotlib.pyplot as plt

    from snippets._figures import save_figure

    def draw():
        fig, ax = plt.subplots()
        ax.plot([1, 2, 3], [1e-30, 1e-3, 1.0])
        ax.set_yscale("log")
        ax.set_ylabel(r"기울기 $\Vert \partial y / \partial x \Vert$")
        return fig

    monkeypatch.setenv("SNIPPET_OUTPUT_DIR", str(tmp_path))
    with caplog.at_level("WARNING"):
        written = save_figure("glyph-check", draw, alt="로그 축 확인용 그림")
    assert [path.name for path in written] == ["glyph-check-light.svg", "glyph-check-dark.svg"]
    assert not [record.getMessage() for record in caplog.records if "glyph" in record.getMessage()]
