"""Blocks below a phone's first screen are marked for deferred rendering, and only those."""

from __future__ import annotations

import pytest

from scripts.later_blocks import CLASS, mark_later_blocks

# Tallest phone screen in CSS px (a 430 x 932 phone); the media query in extra.css covers
# screens up to 719 px wide.
TALLEST_PHONE_SCREEN = 932


def paragraph(chars: int = 400) -> str:
    return f"<p>{'가' * chars}</p>\n"


def marked(html: str) -> list[str]:
    return [line for line in html.splitlines() if CLASS in line]


def test_a_short_page_is_left_alone():
    html = "<h1>제목</h1>\n" + paragraph() * 2
    assert mark_later_blocks(html) == html


def test_blocks_below_the_fold_are_marked_and_the_html_is_otherwise_unchanged():
    html = "<h1>제목</h1>\n" + paragraph() * 12
    out = mark_later_blocks(html)
    lines = out.splitlines()
    # 400 characters are at least 10 lines of 24 px: 240 px per paragraph, so the fifth
    # paragraph starts at 24 + 4 x 240 = 984 px and the sixth at 1,224 px.
    assert CLASS not in "".join(lines[:6])
    assert all(CLASS in line for line in lines[6:])
    assert out.replace(f' class="{CLASS}"', "") == html


def test_headings_and_blocks_holding_one_are_never_marked():
    cell = '<div class="jp-Cell" id="c{n}">{body}</div>\n'
    cells = [cell.format(n=n, body=paragraph()) for n in range(8)]
    cells[6] = cell.format(n=6, body="<h2>절</h2>" + paragraph())
    html = '<div class="jupyter-wrapper"><div class="jp-Notebook">\n' + "".join(cells) + "</div></div>\n"
    out = mark_later_blocks(html + "<h2>끝</h2>\n")
    assert 'id="c7"' in "".join(marked(out)) and 'class="jp-Cell notes-later" id="c5"' in out
    assert 'id="c6"' not in "".join(marked(out)), "a cell with a heading stays rendered"
    assert "<h2>끝</h2>" in out
    assert "jupyter-wrapper notes-later" not in out


@pytest.mark.parametrize("hidden", [
    "<details><summary>연습</summary>" + paragraph(4000) + "</details>\n",
    "<style>" + "a{}" * 4000 + "</style>\n",
    '<figure><img src="x-dark.svg#only-dark" width="100" height="5000"></figure>\n',
    "<table><tr><td>" + "가" * 4000 + "</td><td>" + "나" * 4000 + "</td></tr></table>\n",
])
def test_what_a_phone_does_not_show_at_full_height_does_not_count(hidden):
    """Folded exercises, styles, the dark palette's image twin and side-by-side table cells
    would overstate the height above later blocks (a block on screen would then be skipped)."""
    html = paragraph() + hidden + paragraph()
    assert marked(mark_later_blocks(html)) == []


def test_images_count_at_the_narrowest_column_width():
    html = '<figure><img src="a.svg#only-light" width="640" height="2400"></figure>\n' + paragraph()
    assert marked(mark_later_blocks(html)) == [f'<p class="{CLASS}">' + "가" * 400 + "</p>"]


def test_stray_and_unclosed_tags_do_not_lose_the_block_structure():
    html = "<p>가</p></p>\n<div></span>\n" + paragraph() * 6 + "<p>열린 문단</div>\n<p>끝</p>\n"
    assert marked(mark_later_blocks(html)) == [f'<p class="{CLASS}">끝</p>']


def test_an_existing_class_keeps_its_quotes_and_values():
    html = paragraph() * 5 + "<div class='admonition note'>끝</div>\n"
    assert "<div class='admonition note notes-later'>" in mark_later_blocks(html)


@pytest.mark.browser
@pytest.mark.parametrize("width", [430, 719])
def test_every_marked_block_starts_below_a_phone_screen(built_site, site_url, open_page, width):
    """The estimate errs towards a short page: the first marked block of every page is
    below the tallest phone screen, at the widest widths extra.css defers blocks for."""
    files = [f for f in built_site.html_pages() if CLASS in f.read_text(encoding="utf-8")]
    assert len(files) >= 10
    page = open_page("/", viewport={"width": width, "height": TALLEST_PHONE_SCREEN}).page
    tops = {}
    for file in files:
        path = "/" + file.parent.relative_to(built_site.path).as_posix() + "/"
        page.goto(site_url + path.replace("/./", "/"), wait_until="load")
        tops[path] = page.evaluate("document.querySelector('.notes-later').getBoundingClientRect().top + scrollY")
    low = {path: top for path, top in tops.items() if top < TALLEST_PHONE_SCREEN}
    assert not low, f"marked blocks on the first screen at {width} px: {low}"


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/qna/positional-encoding/", "/generated/notebooks/positional_encoding/"])
def test_a_phone_load_shifts_nothing(open_page, path):
    page = open_page(path, viewport={"width": 390, "height": 844}).page
    assert page.locator(".notes-later").count() > 5
    assert page.evaluate("getComputedStyle(document.querySelector('.notes-later')).contentVisibility") == "auto"
    shifts = page.evaluate("""() => new Promise(resolve => {
        const values = [];
        new PerformanceObserver(list => values.push(...list.getEntries().map(e => e.value)))
            .observe({type: 'layout-shift', buffered: true});
        setTimeout(() => resolve(values), 1000);
    })""")
    assert shifts == []


@pytest.mark.browser
def test_deferred_blocks_stay_in_the_accessibility_tree(open_page):
    """A screen reader on a phone reads the whole page, skipped blocks included."""
    page = open_page("/qna/positional-encoding/", viewport={"width": 390, "height": 844}).page
    last = page.locator("p.notes-later").last
    assert last.evaluate("p => p.getBoundingClientRect().height") == 160, "still skipped (placeholder height)"
    words = last.evaluate("p => [...p.childNodes].find(n => n.nodeType === 3 && n.data.trim()).data.trim().slice(0, 10)")
    assert len(words) >= 5
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    assert any(words in (node.get("name") or {}).get("value", "") for node in tree)
