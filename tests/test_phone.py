"""Reading on a phone: legible figures at 390 px, a lightbox, sizes within budget, light notebook pages."""

from __future__ import annotations

import re

import pytest

from scripts import figure_builder
from scripts.harness import PAGE_BUDGET_BYTES, PHONE, parse_page

LEGIBLE_PX = 10  # smallest text size a reader can read on a phone, in CSS px
PX_PER_PT = 4 / 3
CHECKOUT = figure_builder.BuilderConfig.for_checkout()
FIGURE_NAME = re.compile(r"generated/figures/([a-z0-9-]+?)(?:-narrow)?-(?:light|dark)\.svg")


def pages_with_figures(built_site) -> list[str]:
    paths = []
    for page in built_site.html_pages():
        if "generated/figures/" in page.read_text(encoding="utf-8"):
            relative = page.relative_to(built_site.path).as_posix()
            paths.append("/" + relative[: -len("index.html")])
    return paths


# ---------------------------------------------------------------- built files


def test_every_image_has_width_and_height(built_site):
    missing = []
    for page in built_site.html_pages():
        soup = parse_page(page)
        for element in soup.select("img, picture > source"):
            if not (element.get("width", "").isdigit() and element.get("height", "").isdigit()):
                missing.append(f"{page.relative_to(built_site.path)}: {str(element)[:120]}")
    assert not missing, "\n".join(missing)


def test_image_sizes_match_the_svg_files(built_site):
    """The width/height a page gives a figure are the file's own (so the aspect ratio is right)."""
    checked = 0
    for page in built_site.html_pages():
        soup = parse_page(page)
        for element in soup.select("img[src*='generated/figures/'], source[srcset*='generated/figures/']"):
            url = (element.get("src") or element["srcset"]).split("#")[0]
            svg = (page.parent / url).resolve().read_text(encoding="utf-8")
            width, height = re.search(r'<svg [^>]*?width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
            assert abs(int(element["width"]) - float(width) * PX_PER_PT) <= 1, (page, url)
            assert abs(int(element["height"]) - float(height) * PX_PER_PT) <= 1, (page, url)
            checked += 1
    assert checked >= 2 * len(figure_builder.known_figures(CHECKOUT))


def test_largest_page_within_budget(built_site):
    largest = max(built_site.html_pages(), key=lambda p: p.stat().st_size)
    assert largest.stat().st_size <= PAGE_BUDGET_BYTES, f"{largest}: {largest.stat().st_size:,} bytes"


def test_notebook_pages_carry_no_second_copy_of_the_code(built_site):
    pages = list((built_site.path / "generated" / "notebooks").glob("*/index.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "clipboard-copy-txt" not in html and "<clipboard-copy" not in html, page
        soup = parse_page(page)
        blocks = soup.select("div.highlight-ipynb pre")
        assert blocks and all(
            pre.get("tabindex") == "0" and pre.select_one("button[data-clipboard-target]") for pre in blocks
        )


def test_figures_need_no_font_and_are_compact(built_site):
    """Text is drawn as paths (no <text>, no font), every file is far below what matplotlib
    writes (its pretty-printed absolute path data), and dark and light match in size."""
    for svg in (built_site.path / "generated" / "figures").glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert "<text" not in text and "@font-face" not in text, svg
        assert "\n" not in text.strip() and ' d="M ' not in text, svg


# ---------------------------------------------------------------- in Chromium

LEGIBILITY = """
imgs => imgs.filter(img => img.getBoundingClientRect().width > 0).map(img => ({
  src: img.currentSrc, shown: img.getBoundingClientRect().width, natural: img.naturalWidth }))
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figure_text_is_legible_at_390_px(built_site, open_page, scheme):
    """Rendered scale of each visible figure x its smallest font size >= 10 CSS px."""
    problems, measured = [], 0
    for path in pages_with_figures(built_site):
        page = open_page(path, color_scheme=scheme, viewport=PHONE).page
        images = page.locator("article img[src*='generated/figures/']")
        for i in range(images.count()):
            image = images.nth(i)
            if not image.is_visible():
                continue
            image.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        for shown in page.eval_on_selector_all("article img[src*='generated/figures/']", LEGIBILITY):
            name = FIGURE_NAME.search(shown["src"])[1]
            layout = "narrow" if "-narrow-" in shown["src"] else "wide"
            meta = figure_builder.figure_meta(CHECKOUT, name)[layout]
            assert abs(shown["natural"] - meta["width"]) <= 1, (path, shown)
            smallest_px = meta["min_font_pt"] * PX_PER_PT * min(1.0, shown["shown"] / shown["natural"])
            measured += 1
            if smallest_px < LEGIBLE_PX:
                problems.append(f"{path} {name} ({layout}): smallest text {smallest_px:.1f} px")
            assert f"-{scheme}.svg" in shown["src"], (path, shown["src"])
        page.context.close()
    assert measured >= len(figure_builder.known_figures(CHECKOUT))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_lightbox_opens_with_keyboard_and_click_and_closes_with_escape(open_page, scheme):
    page = open_page("/qna/layer-norm-warmup/", color_scheme=scheme, viewport=PHONE).page
    link = page.locator("article a.notes-zoom").first
    dialog = page.locator("dialog.notes-lightbox")

    link.focus()
    page.keyboard.press("Enter")
    dialog.wait_for(state="visible")
    big = dialog.locator(f"img[src*='-{scheme}.svg']")
    assert (
        big.is_visible()
        and not dialog.locator(f"img[src*='-{'dark' if scheme == 'light' else 'light'}.svg']").is_visible()
    )
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=big.element_handle())
    assert big.bounding_box()["width"] >= 0.9 * PHONE["width"] - 2, "the figure fills the screen's width"
    assert page.evaluate("document.activeElement.closest('dialog') !== null"), "focus moves into the lightbox"
    assert dialog.locator(".notes-lightbox__caption").inner_text().strip(), "the caption is shown"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('notes-zoom')"), "focus returns to the figure"

    link.click()
    dialog.wait_for(state="visible")
    page.locator(".notes-lightbox__close").click()
    dialog.wait_for(state="hidden")
    assert page.url.endswith("/qna/layer-norm-warmup/"), "the link did not navigate away"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_notebook_code_has_copy_button_and_highlighting(open_page, scheme):
    page = open_page("/generated/notebooks/positional_encoding/", color_scheme=scheme, viewport=PHONE).page
    blocks = page.locator("article div.highlight-ipynb pre")
    buttons = page.locator("article div.highlight-ipynb button[data-clipboard-target]")
    assert blocks.count() > 3 and buttons.count() == blocks.count()
    for i in (0, blocks.count() - 1):
        target = buttons.nth(i).get_attribute("data-clipboard-target")
        copied = page.evaluate("selector => document.querySelector(selector).innerText", target)
        assert copied.strip() and copied.strip() == blocks.nth(i).locator(".nb-source").inner_text().strip()
    assert "import" in page.evaluate(
        "selector => document.querySelector(selector).innerText", buttons.first.get_attribute("data-clipboard-target")
    )
    colours = page.eval_on_selector_all(
        "article div.highlight-ipynb .nb-source span.k, article div.highlight-ipynb .nb-source",
        "els => els.map(el => getComputedStyle(el).color)",
    )
    keyword, plain = colours[0], colours[-1]
    assert keyword != plain, "keywords are highlighted"


CUE_PX = 24


def _edge_difference(png: bytes) -> tuple[float, float]:
    """Mean difference of the leftmost and rightmost 6 px columns from the middle column."""
    from io import BytesIO

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(BytesIO(png)).convert("RGB"), dtype=float)
    middle = pixels[:, pixels.shape[1] // 2 : pixels.shape[1] // 2 + 1]
    return (float(np.abs(pixels[:, :6] - middle).mean()), float(np.abs(pixels[:, -6:] - middle).mean()))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_long_formulas_scroll_in_their_block_with_a_visible_cue(built_site, open_page, scheme):
    """At 390 px the page never scrolls sideways; a display formula wider than the screen scrolls
    inside its block, which shows a shadow on the side where more of it lies (and none at its end)."""
    pages = [
        path
        for path in (f"/{p.relative_to(built_site.path).parent.as_posix()}/" for p in built_site.html_pages())
        if 'class="arithmatex" tabindex' in built_site.page(path).read_text(encoding="utf-8")
    ]
    checked = 0
    for path in pages:
        page = open_page(path, color_scheme=scheme, viewport=PHONE).page
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        page.add_style_tag(content="div.arithmatex math { visibility: hidden }")  # leave only the cue
        blocks = page.locator("article div.arithmatex")
        for i in range(blocks.count()):
            block = blocks.nth(i)
            hidden = block.evaluate("b => b.scrollWidth - b.clientWidth")
            if hidden <= 1:
                continue
            # The shadow shows once more than its cover's width (1.5rem) is hidden; no formula may
            # be cut by less, where the cue would be too faint to see.
            assert hidden > CUE_PX, (path, f"a formula is cut by {hidden} px, too little for a visible cue")
            block.scroll_into_view_if_needed()
            start_left, start_right = _edge_difference(block.screenshot())
            block.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
            end_left, end_right = _edge_difference(block.screenshot())
            assert start_right > 3 * max(start_left, 1), (path, "no cue that more of the formula lies right")
            assert end_left > 3 * max(end_right, 1), (path, "no cue at the left once scrolled to the end")
            checked += 1
        page.context.close()
    assert checked >= 3, "the site's long formulas (positional encoding, warm-up schedule) overflow a phone"


# ---------------------------------------------------------------- SVG compaction


def _absolute_points(path: str) -> list[tuple[float, float]]:
    """Every point (end and control) of relative path data, back in absolute coordinates."""
    tokens = re.findall(r"[mlhvqcz]|-?(?:\d+\.?\d*|\.\d+)", path)
    points, x, y, start, command, i = [], 0.0, 0.0, (0.0, 0.0), "", 0
    sizes = {"m": 2, "l": 2, "h": 1, "v": 1, "q": 4, "c": 6}
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command == "z":
                x, y = start
                continue
        values = [float(v) for v in tokens[i : i + sizes[command]]]
        i += sizes[command]
        if command == "h":
            x += values[0]
        elif command == "v":
            y += values[0]
        else:
            for px, py in zip(values[0::2], values[1::2]):
                points.append((x + px, y + py))
            x, y = points[-1]
        if command == "m":
            start, command = (x, y), "l"
        points.append((x, y))
    return points


def test_compacted_path_data_keeps_every_point_within_its_grid():
    from snippets import _svg_compact

    absolute = (
        "M 10.123456 20.5 L 30.129 20.5 L 30.129 -7.25 Q 31.004 8.996 -2.5 0.333333 C 1 2 3 4 5.555 6.666 z "
        "M 100 100 L 99.999 100.004 z"
    )
    coordinates = [float(v) for v in re.findall(r"-?\d+\.?\d*", absolute)]
    expected = []
    for px, py in zip(coordinates[0::2], coordinates[1::2]):
        expected.append((px, py))
    compact = _svg_compact.relative_path(absolute, unit=0.01, decimals=2)
    assert compact.startswith("m") and "M" not in compact and len(compact) < 0.75 * len(absolute)
    got = [p for p in _absolute_points(compact)]
    for point in expected:
        assert any(abs(point[0] - gx) <= 0.005 + 1e-9 and abs(point[1] - gy) <= 0.005 + 1e-9 for gx, gy in got), point
    # errors do not accumulate along a long path
    long_path = "M 0 0 " + " ".join(f"L {k * 0.123456:.6f} {k * 0.0987654:.6f}" for k in range(1, 2000))
    last = _absolute_points(_svg_compact.relative_path(long_path, unit=0.01, decimals=2))[-1]
    assert abs(last[0] - 1999 * 0.123456) <= 0.005 and abs(last[1] - 1999 * 0.0987654) <= 0.005


def test_compaction_is_deterministic_and_keeps_the_figure_name(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from snippets._figures import save_figure

    def draw(narrow=False):
        fig, axes = plt.subplots(2, 1, figsize=(4, 6)) if narrow else plt.subplots(1, 2, figsize=(6.5, 3.5))
        for ax in axes:
            ax.plot([1, 2, 3], [3, 1, 2], "o-", label="곡선")
            # On a phone the long title wraps at the figure's edge (the wide layout has room for a short one).
            ax.set_title("아주 긴 한국어 제목이 좁은 화면에서도 읽히는지 확인한다" if narrow else "짧은 제목")
            ax.legend(fontsize=8, loc="upper center")
        return fig

    monkeypatch.setenv("SNIPPET_OUTPUT_DIR", str(tmp_path / "a"))
    first = save_figure("compact-check", draw, alt="확인용 그림", narrow=True)
    monkeypatch.setenv("SNIPPET_OUTPUT_DIR", str(tmp_path / "b"))
    second = save_figure("compact-check", draw, alt="확인용 그림", narrow=True)
    assert [p.name for p in first] == [
        "compact-check-light.svg",
        "compact-check-dark.svg",
        "compact-check-narrow-light.svg",
        "compact-check-narrow-dark.svg",
    ]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
        assert "<title>compact-check</title>" in a.read_text(encoding="utf-8")
    import json

    meta = json.loads((tmp_path / "a" / "figures" / "compact-check.json").read_text(encoding="utf-8"))
    narrow = meta["narrow"]
    assert narrow["min_font_pt"] == 8
    # legible in a phone's column: smallest text x column / width >= 10 px
    assert narrow["min_font_pt"] * 4 / 3 * 350 / max(350, narrow["width"]) >= LEGIBLE_PX
    assert meta["wide"]["width"] > narrow["width"]
