"""What only a browser shows: console errors, requests, math, palettes, search."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from scripts.harness import ROOT, search_box
from scripts.harness.browser import trace_load

HOME_AND_TOPICS = [
    "/",
    "/qna/scaled-dot-product/",
    "/qna/positional-encoding/",
    "/qna/position-representations/",
    "/qna/complexity/",
    "/qna/layer-norm-warmup/",
    "/qna/gradient-vanishing/",
    "/assignment/bucketing/",
]


def test_topic_list_matches_the_built_site(built_site):
    built = {"/"} | {
        "/" + p.parent.relative_to(built_site.path).as_posix() + "/"
        for p in list((built_site.path / "qna").glob("*/index.html"))
        + list((built_site.path / "assignment").glob("*/index.html"))
    }
    assert built == set(HOME_AND_TOPICS)


@pytest.mark.parametrize("path", HOME_AND_TOPICS)
def test_page_loads_without_console_error_or_foreign_request(open_page, path):
    watch = open_page(path)
    watch.page.wait_for_load_state("networkidle")
    assert watch.console_errors == []
    assert watch.foreign_requests == []


@pytest.mark.parametrize("path", ["/qna/scaled-dot-product/", "/qna/positional-encoding/", "/assignment/bucketing/"])
def test_math_is_rendered(open_page, path):
    page = open_page(path).page
    math = page.locator("article .arithmatex math:has(mfrac)").first
    math.scroll_into_view_if_needed()
    box = math.bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 10
    # MathML laid out by the browser: a fraction has a numerator above its denominator.
    fraction = page.locator("article mfrac").first
    fraction.scroll_into_view_if_needed()
    numerator, denominator = (fraction.locator(":scope > *").nth(i).bounding_box() for i in (0, 1))
    assert numerator["y"] + numerator["height"] <= denominator["y"] + 1


@pytest.mark.parametrize("path", ["/qna/complexity/", "/qna/layer-norm-warmup/", "/qna/positional-encoding/"])
def test_superscripts_are_raised(open_page, path):
    page = open_page(path).page
    power = page.locator("article .arithmatex msup").first
    power.scroll_into_view_if_needed()
    base, exponent = (power.locator(":scope > *").nth(i).bounding_box() for i in (0, 1))
    assert base["width"] > 0 and exponent["width"] > 0
    assert exponent["y"] + exponent["height"] < base["y"] + base["height"]  # sits higher than its base


def test_dark_mode_toggle_switches_the_palette(open_page):
    page = open_page("/qna/positional-encoding/").page
    body = page.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    light_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.locator("form[data-notes-palette] label:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    # Switched at once, as in Material: no colour transition runs while the palette changes.
    colour_transitions = page.evaluate(
        "document.getAnimations().filter(a => a instanceof CSSTransition && /color|fill/.test(a.transitionProperty))"
        ".map(a => a.transitionProperty)"
    )
    assert colour_transitions == []
    dark_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_background != light_background
    assert page.evaluate("document.querySelector('meta[name=color-scheme]').content") == "dark"


def test_palette_is_set_before_the_bundle_and_the_bundle_leaves_it_alone(open_page):
    """The palette is applied while the header is parsed; Material's palette component, which
    restyles the whole page several times at load, is not mounted."""
    page = open_page("/qna/positional-encoding/", color_scheme="dark").page
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    assert page.evaluate("[...document.querySelectorAll('meta[name=color-scheme]')].map(m => m.content)") == ["dark"]
    assert page.evaluate("document.documentElement.className").split()[0] == "js"  # set in <head>
    assert page.locator("form[data-notes-palette] label:visible").count() == 1
    assert page.evaluate("__md_get('__palette')") is None  # a first visit follows the system


def test_palette_choice_is_kept_across_pages_and_toggles_with_enter(open_page):
    page = open_page("/qna/positional-encoding/").page
    page.locator("form[data-notes-palette] input").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    page.goto(page.url.split("/qna/")[0] + "/glossary/", wait_until="load")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"  # the system still prefers light
    page.wait_for_function("document.querySelector('meta[name=theme-color]').content.startsWith('#')")


# Not the notebook pages: Chromium counts about 1.8 style units per element there, so the two
# chunks of a page that arrives in two parts can each pass 80 % of the element count.
@pytest.mark.parametrize("path", ["/", "/qna/positional-encoding/"])
def test_a_load_restyles_the_whole_page_at_most_once(browser, site_url, path):
    """Chromium styles a page as it arrives; a change that restyles every element again (a class
    on <html>, Material's palette component) costs a phone hundreds of milliseconds. A style pass
    over at least 80 % of the elements counts as whole-page (`make bench-web --trace` counts them
    the same way); only the first is allowed."""
    summary = trace_load(browser, site_url + path)
    assert summary["whole-page passes"] <= 1, f"{path}: {summary}"


def _first_families() -> set[str]:
    """The first family of each font stack extra.css declares (text, code, math)."""
    css = (ROOT / "docs" / "assets" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    stacks = re.findall(r"(?:--md-text-font|--md-code-font|font-family):\s*([^;]+);", css)
    firsts = {stack.split(",")[0].strip().strip('"') for stack in stacks}
    return {name for name in firsts if not name.startswith("var(")}


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/", "/assignment/bucketing/", "/generated/notebooks/positional_encoding/"])
def test_text_is_set_in_the_sites_font_stacks(open_page, path, color_scheme):
    """Every piece of text starts its font stack with one of extra.css's stacks, which name
    fonts with Hangul: Material's and mkdocs-jupyter's own stacks name none, and each Hangul
    run then costs a system font lookup that doubled the first layout."""
    families = _first_families()
    assert {"Pretendard", "D2Coding", "STIX Two Math"} <= families
    page = open_page(path, color_scheme=color_scheme).page
    assert page.evaluate("document.body.dataset.mdColorScheme") == ("slate" if color_scheme == "dark" else "default")
    used = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => !['SCRIPT', 'STYLE'].includes(e.tagName))
        .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.data.trim()))
        .map(e => e.tagName + ': ' + getComputedStyle(e).fontFamily.split(',')[0].replace(/"/g, ''))""")
    strays = sorted({entry for entry in used if entry.split(": ")[1] not in families})
    assert not strays, f"{path} ({color_scheme}): text outside the site's font stacks: {strays}"


def test_a_damaged_stored_palette_falls_back_to_the_system(open_page):
    page = open_page("/glossary/", color_scheme="dark").page
    page.evaluate("localStorage.setItem(__md_scope.pathname + '.__palette', '{damaged')")
    page.reload(wait_until="load")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    page.locator("form[data-notes-palette] label:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")


def search(page, query: str) -> list[str]:
    """Type a query into Material's search box; return the result pages (URL paths below the
    site root) in order, once Material has replaced the results list (no fixed wait)."""
    search_box.open_search(page)
    return [item.page for item in search_box.run_query(page, query, urlparse(page.url).path)]


def test_korean_search_finds_the_page(open_page):
    page = open_page("/").page
    results = search(page, "버킷팅")
    assert results and results[0] == "assignment/bucketing/"
