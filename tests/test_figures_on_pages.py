"""Figures on the built pages: both variants exist, Korean alt text, visible per palette."""

from __future__ import annotations

import re

import pytest

from scripts import figure_builder
from scripts.harness import parse_page

HANGUL = re.compile(r"[\uac00-\ud7a3]")
FIGURE_SRC = re.compile(r"generated/figures/([a-z0-9-]+)-(light|dark)\.svg")


def figure_images(built_site):
    """(page, img) for every generated figure embedded in a page's article."""
    for page in built_site.html_pages():
        soup = parse_page(page)
        for img in soup.select("article img[src]"):
            if FIGURE_SRC.search(img["src"]):
                yield page, img


def test_every_embedded_figure_exists_in_both_variants(built_site):
    images = list(figure_images(built_site))
    assert images, "no page embeds a figure"
    for page, img in images:
        name, _ = FIGURE_SRC.search(img["src"]).groups()
        for variant in ("light", "dark"):
            assert (built_site.path / "generated" / "figures" / f"{name}-{variant}.svg").exists(), (page, name)


def test_every_figure_has_korean_alt_text(built_site):
    for page, img in figure_images(built_site):
        assert HANGUL.search(img.get("alt", "")), f"{page}: {img['src']} has no Korean alt text"


def test_every_figure_a_snippet_makes_is_shown_on_a_topic_page(built_site):
    shown = {
        FIGURE_SRC.search(img["src"])[1]
        for page, img in figure_images(built_site)
        if "/generated/notebooks/" not in page.as_posix()
    }
    made = set(figure_builder.known_figures(figure_builder.BuilderConfig.for_checkout()))
    assert made, "the manifest lists no figure"
    assert made - shown == set()


def test_every_topic_page_shows_figures_in_pairs(built_site):
    for page in (built_site.path / "qna").glob("*/index.html"):
        soup = parse_page(page)
        sources = [img["src"] for img in soup.select("article figure img")]
        light = sorted(s.split("#")[0].replace("-light", "") for s in sources if "#only-light" in s)
        dark = sorted(s.split("#")[0].replace("-dark", "") for s in sources if "#only-dark" in s)
        assert light and light == dark, page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figures_visible_in_their_palette_only(open_page, scheme):
    other = "dark" if scheme == "light" else "light"
    page = open_page("/qna/positional-encoding/", color_scheme=scheme).page
    expected = "slate" if scheme == "dark" else "default"
    assert page.locator("body").get_attribute("data-md-color-scheme") == expected
    shown = page.locator(f"article figure img[src*='-{scheme}.svg']")
    hidden = page.locator(f"article figure img[src*='-{other}.svg']")
    assert shown.count() >= 2 and shown.count() == hidden.count()
    for i in range(shown.count()):
        image = shown.nth(i)
        image.scroll_into_view_if_needed()
        image.wait_for(state="visible")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert image.bounding_box()["width"] > 100
        assert not hidden.nth(i).is_visible()
