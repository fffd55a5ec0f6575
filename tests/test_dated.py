"""A dated log as search tokens (scripts/search/dated.py); the browser's reading of a typed date
is checked in tests/test_search.py."""

from __future__ import annotations

from scripts.search import dated

TIMELINE = (
    '<h1 id="log">Log</h1><p>intro</p><div class="timeline"><dl>'
    '<dt><time datetime="2021-09-07">2021-09-07 (화)</time></dt>\n<dd>transformer 2강 공부</dd>\n'
    '<dt><time datetime="2021-09-10">2021-09-10 (금)</time></dt>\n<dd>과제 리뷰 및 정리.</dd>'
    '</dl></div><h2 id="later">Later</h2><p>no dates</p>'
)


def test_a_date_reads_as_a_learner_writes_it():
    assert dated.date_tokens(2021, 9, 7) == ["9월", "7일", "화요일", "210907", "20210907"]
    assert dated.date_tokens(2021, 9, 10)[2] == "금요일"


def test_a_dated_entry_gives_its_section_its_dates_names_and_numbers():
    tokens = dated.by_section(TIMELINE)
    assert list(tokens) == [""]  # the h1's section, as Material indexes it
    assert {"9월", "7일", "화요일", "210907", "10일", "금요일", "transformer", "2강", "날"} <= set(tokens[""])
    assert "공부" not in tokens[""] and "정리" not in tokens[""]  # common Korean words stay in the text


def test_a_pages_opening_quotation_gives_its_words():
    page = (
        '<h1 id="p">피어세션</h1><blockquote><p>멘토님의 답변을 우리들만의 언어로 정리했다.</p></blockquote>'
        '<h2 id="more">More</h2><blockquote><p>later quote</p></blockquote>'
    )
    assert {"멘토님", "답변", "우리들", "언어", "정리"} <= set(dated.opening_quote(page))
    assert "later" not in dated.opening_quote(page)
    assert dated.opening_quote('<h1 id="p">P</h1><p>text</p><h2 id="a">A</h2><blockquote>q</blockquote>') == []
