"""What the notebook pages assume of mkdocs-jupyter's markup, named in one place, with the pinned versions.

``scripts/site_plugin/notebook_pages.py`` edits the HTML that mkdocs-jupyter renders (its template has no
hook for these changes). Each pattern it relies on is listed here and must still match what the pinned
version renders for the site's own notebooks: a new mkdocs-jupyter (or nbconvert) that changes its markup
fails this test by name, instead of silently bringing back a heavier page.
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import pytest

from scripts.site_plugin import notebook_pages as pages

ROOT = Path(__file__).resolve().parent.parent
PINNED = {"mkdocs-jupyter": "0.26.3", "nbconvert": "7.17.2", "mkdocs-material": "9.8.2"}

# (what the page needs it for, the pattern, how many of the site's notebooks must show it: "all" or "some")
ASSUMPTIONS = [
    ("headings re-slugged for Korean anchors", pages.HEADING, "all"),
    ("figures: save_figure's inline SVG output", pages.INLINE_SVG_IMAGE, "some"),
    ("code blocks get Material's copy button", pages.CODE_BLOCK, "all"),
    ("mkdocs-jupyter's copy button (custom element)", pages.CLIPBOARD_MARKUP[0], "all"),
    ("mkdocs-jupyter's hidden second copy of each cell", pages.CLIPBOARD_MARKUP[1], "all"),
    ("the inlined Jupyter stylesheet", pages.STYLE, "all"),
    ("a code cell wrapped twice", pages.DOUBLE_CELL, "all"),
    ("Pygments spans that take the code colour", pages.PLAIN_TOKEN, "all"),
]


def test_the_markup_comes_from_the_pinned_versions():
    assert {name: metadata.version(name) for name in PINNED} == PINNED, (
        "a new version may render other markup: check ASSUMPTIONS below against it, then update PINNED"
    )


@pytest.mark.parametrize("purpose, pattern, how_many", ASSUMPTIONS, ids=[a[0] for a in ASSUMPTIONS])
def test_each_assumed_pattern_matches_what_mkdocs_jupyter_renders(built_site, purpose, pattern, how_many):
    renders = [
        json.loads(path.read_text(encoding="utf-8"))["content"]
        for path in sorted((ROOT / ".cache" / "mkdocs-jupyter").glob("*.json"))
    ]
    assert len(renders) >= 8, "every notebook page is rendered (and cached) by the build"
    matched = [bool(pattern.search(html)) for html in renders]
    assert all(matched) if how_many == "all" else any(matched), f"{purpose}: {pattern.pattern[:80]}"


def test_each_figure_output_is_named_in_its_metadata_and_shown_once(built_site):
    """save_figure names each figure in its output's metadata; the notebook page shows each
    SVG output as that figure's files, in the same order, and no inline SVG is left."""
    from snippets import _figures

    assert _figures.NOTEBOOK_METADATA_KEY == pages.FIGURE_METADATA_KEY
    notebooks = sorted((ROOT / ".cache" / "generated" / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 8
    for notebook in notebooks:
        names = pages.figure_outputs(notebook)
        assert names and None not in names, notebook.name
        html = built_site.page(f"generated/notebooks/{notebook.stem}").read_text(encoding="utf-8")
        shown = re.findall(r'<a class="notes-zoom" href="[^"]*/([^/"]+)-light\.svg"', html)
        assert shown == names and "data:image/svg+xml" not in html, notebook.name
