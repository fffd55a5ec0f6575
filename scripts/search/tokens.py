"""Tokens as Material's search makes them with this site's separator.

Material's search (lunr in a web worker) splits text and queries with one regex,
the search plugin's ``separator``, and matches every query term as a prefix
(``term*``) of an indexed token; no stemmer runs on queries. SEPARATOR splits at
whitespace and punctuation, at a Latin/Hangul script change, and before a closed
set of particles, copula endings and 하다/되다 endings (``PARTICLES``,
``ENDINGS``; tests check kiwi tags every one as such) at the end of a word after
two Hangul syllables or a Latin letter/digit: "트랜스포머의", "트랜스포머에서는" and
"트랜스포머" are all the token "트랜스포머"; "LN을" is "ln"; "스케일링하는" is "스케일링".
The same regex splits the index and the queries, so both sides agree.
"""

from __future__ import annotations

import html
import re

# Particles (조사: kiwi tags J*) that end a word. Stacked ones ("에서는", "으로도") are
# matched as up to three in a row.
PARTICLES = (
    "이",
    "가",
    "을",
    "를",
    "은",
    "는",
    "의",
    "에",
    "에서",
    "에게",
    "께",
    "께서",
    "한테",
    "로",
    "으로",
    "로서",
    "으로서",
    "로써",
    "으로써",
    "와",
    "과",
    "도",
    "만",
    "까지",
    "부터",
    "보다",
    "처럼",
    "마다",
    "조차",
    "마저",
    "밖에",
    "이나",
    "나",
    "든지",
    "라도",
    "이랑",
    "랑",
    "에다",
    "이란",
    "란",
    "라는",
    "라고",
    "며",
)
# Copula (이다, kiwi: VCP + E), 하다/되다 (XSV/XSA + E) and common verb endings (E*).
ENDINGS = (
    "이다",
    "입니다",
    "이고",
    "이지만",
    "인데",
    "이라",
    "인",
    "인가",
    "인지",
    "이면",
    "이므로",
    "이었다",
    "였다",
    "하다",
    "하는",
    "하고",
    "하면",
    "하여",
    "해서",
    "해야",
    "했다",
    "한다",
    "할",
    "한",
    "함",
    "합니다",
    "하지",
    "하기",
    "하게",
    "하며",
    "해",
    "되다",
    "된다",
    "되는",
    "되고",
    "되면",
    "되어",
    "돼서",
    "된",
    "될",
    "됨",
    "됩니다",
    "되지",
    "되기",
    "되게",
    "됐다",
    "되었다",
    "면",
    "고",
    "게",
    "지",
    "서",
    "니까",
    "어서",
    "아서",
    "어야",
    "아야",
    "어도",
    "아도",
)
_PUNCTUATION = r"""\s\-.,;:!?()\[\]{}<>"'“”‘’·…/=×√&"""
_SUFFIX = "|".join(sorted(set(PARTICLES + ENDINGS), key=lambda s: (-len(s), s)))
# No capturing groups: Material's highlighter wraps the separator in its own groups.
SEPARATOR = (
    f"[{_PUNCTUATION}]+"
    f"|(?:(?<=[가-힣]{{2}})|(?<=[A-Za-z0-9)\\]]))(?:{_SUFFIX}){{1,3}}(?=[{_PUNCTUATION}]|$)"
    "|(?<=[가-힣])(?=[A-Za-z])"
    "|(?<=[A-Za-z])(?=[가-힣])"
)
_SEPARATOR = re.compile(SEPARATOR)
HANGUL = re.compile(r"[가-힣]")
_TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"^[\w가-힣]+$")


def tokenize(text: str) -> list[str]:
    """Tokens as Material's worker makes them with SEPARATOR: split, drop empties, lowercase."""
    return [token.lower() for token in _SEPARATOR.split(text) if token]


def plain(html_text: str) -> str:
    """Search-index text (HTML fragments, escaped) as plain text."""
    return html.unescape(_TAG.sub(" ", html_text))
