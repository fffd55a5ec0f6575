"""The log's own words as search tokens: a dated log's entries, a page's opening quotation.

A page marks a day's entry as ``<dt><time datetime="2021-09-07">…</time></dt><dd>…</dd>``. The
section holding it gets, as keywords, the entry's names and numbers ("transformer", "2강") and the ways a
learner writes its date: 9월, 7일, 화요일, 210907 (21/09/07 as the log writes it), 20210907. The
browser's query rewriter (docs/assets/javascripts/korean-search/query.js, ``dateTokens``) reads a
typed date (21/09/07, 2021-09-07, 2021.9.7) into the same 210907.

A page that opens with a quotation from the log (the peer session's "우리들만의 언어로 ... 정리")
gets the quotation's words as its keywords: a learner quotes the log back.
"""

from __future__ import annotations

import datetime
import re

from scripts.search import sections
from scripts.search.tokens import plain, tokenize

ENTRY = re.compile(r'<time datetime="(\d{4})-(\d{2})-(\d{2})">.*?</time>\s*</dt>\s*<dd>(.*?)</dd>', re.DOTALL)
WEEKDAYS = ["월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"]
# An entry's Korean words ("공부", "정리") are on many pages: its names and numbers ("transformer",
# "BERT", "2강") and its date single the entry out.
HANGUL_ONLY = re.compile(r"^[가-힣]+$")
# What a question about a dated log asks for ("2강 공부한 날", "학습 일정").
LOG_WORDS = ["날", "날짜", "일정", "요일"]


def date_tokens(year: int, month: int, day: int) -> list[str]:
    weekday = WEEKDAYS[datetime.date(year, month, day).weekday()]
    return [f"{month}월", f"{day}일", weekday, f"{year % 100:02d}{month:02d}{day:02d}", f"{year}{month:02d}{day:02d}"]


def by_section(page_html: str) -> dict[str, list[str]]:
    """The tokens of each section's dated entries, by the section's anchor."""
    found = sections.by_section(page_html, ENTRY)
    tokens: dict[str, list[str]] = {}
    for anchor, entries in found.items():
        words = list(LOG_WORDS)
        for entry in entries:
            named = [t for t in tokenize(plain(entry[4])) if not HANGUL_ONLY.match(t)]
            words += date_tokens(int(entry[1]), int(entry[2]), int(entry[3])) + named
        tokens[anchor] = list(dict.fromkeys(words))
    return tokens


QUOTE = re.compile(r"<blockquote>(.*?)</blockquote>", re.DOTALL)


def opening_quote(page_html: str) -> list[str]:
    """The tokens of the quotation in a page's first section, if it has one."""
    quotes = sections.by_section(page_html, QUOTE).get("", [])
    return _unique(tokenize(plain(quotes[0][1]))) if quotes else []


def _unique(tokens: list[str]) -> list[str]:
    return list(dict.fromkeys(tokens))
