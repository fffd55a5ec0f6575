"""Hidden fields for Material's search index: morphemes, glossary spellings, keywords.

``Enricher`` adds to each entry of ``search_index.json`` while Material's search plugin builds it
(Material indexes every field named in the plugin's ``fields`` option, but shows only title and
text):

- ``morphs``: what the surface forms don't already cover: lemmas of verbs and
  adjectives (나눠주게 -> 나누다), nouns inside words, the spellings of every
  glossary term the section mentions (a section saying "Layer Normalization" gets
  층 정규화, 레이어 정규화, LN, ...), and the page's front-matter ``description``.
  Tokens that are a prefix of a token already indexed for the section are left
  out (prefix matching finds them anyway).
- ``formula``: the section's formulas read from their TeX (``scripts/search/formula.py``:
  QK^\\top -> qkt, \\sqrt{d_k} -> sqrt dk), which a typed formula is read into in the browser.
- ``keywords`` (boosted like titles): the morphemes of the section's title, and the
  spellings of every glossary term whose ``page: ...#heading`` names this section,
  so a term lands on the section that explains it, and the words and dates of the section's
  dated log entries (``scripts/search/dated.py``).

Titles lose a trailing "¶" (notebook headings). Text without Hangul gets no
morphemes, so a page with no Korean is indexed as before.
"""

from __future__ import annotations

import bisect
import html
import re

from scripts.glossary import Term
from scripts.search.morphology import Analyser
from scripts.search.tokens import HANGUL, plain, tokenize

# A notebook repeats its topic page at length: the topic page that answers the question
# should rank first, so a notebook page gets this document boost (page.meta["search"]).
SECONDARY_BOOST = 0.5

# Query terms the browser matches as whole tokens, not as prefixes (query.js, exact()): one
# syllable, or one or two Latin letters or digits. Such a token must be indexed as it is.
WHOLE = re.compile(r"^([가-힣]|[a-z0-9]{1,2})$")

# Field boosts for the search plugin's `fields` option (Material's defaults: title 1000,
# text 1, tags 1e6).
FIELDS = {"morphs": {"boost": 1.0}, "keywords": {"boost": 2000.0}, "formula": {"boost": 5.0}}

# A notebook page's code cells are most of its text, and their code is the snippet a reader
# downloads anyway: the index keeps what a learner searches for in code, the comments and the
# names it defines (functions, classes, CONSTANTS), and stays within its size budget.
NOTEBOOK_PAGES = "generated/notebooks/"
CODE_BLOCK = re.compile(r"<pre>(.*?)</pre>", re.DOTALL)
_DEFINED = re.compile(r"(?:def|class)\s+(\w+)|([A-Z][A-Z0-9_]+)\s*=")
_DOCSTRING_QUOTES = ('"""', "'''")


def _code_digest(match: re.Match) -> str:
    code = html.unescape(re.sub(r"<[^>]+>", "", match[1]))
    kept = []
    for line in code.splitlines():
        stripped = line.strip()
        defined = _DEFINED.match(stripped)
        if stripped.startswith("#"):
            kept.append(stripped.lstrip("# "))
        elif defined:
            kept.append(defined[1] or defined[2])
        elif stripped.startswith(_DOCSTRING_QUOTES):
            kept.append(stripped.strip("\"'"))
    return "<pre>" + html.escape("\n".join(kept), quote=False) + "</pre>"


# ---------------------------------------------------------------- glossary terms


class GlossaryMatcher:
    """Which glossary terms a text mentions (any spelling), and each term's search tokens."""

    def __init__(self, terms: list[Term]):
        self._patterns = [[_spelling_pattern(s) for s in term.spellings] for term in terms]
        self.tokens = [_unique(tokenize(" ".join(term.spellings))) for term in terms]

    def mentioned(self, text: str) -> list[int]:
        squeezed = re.sub(r"\s+", "", text)
        hits = []
        for index, patterns in enumerate(self._patterns):
            if any(p.search(squeezed if nospace else text) for p, nospace in patterns):
                hits.append(index)
        return hits


def _spelling_pattern(spelling: str) -> tuple[re.Pattern, bool]:
    """A spelling with Hangul matches anywhere (particles attach to it), ignoring spaces;
    a Latin one as a whole word, "warm-up" = "warm up" = "warmup", plural allowed;
    an all-capitals abbreviation ("LN", "PE") only in capitals."""
    if HANGUL.search(spelling):
        return re.compile(re.escape(re.sub(r"\s+", "", spelling)), re.IGNORECASE), True
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", spelling) if p]
    body = r"[\s\-]?".join(parts)
    flags = 0 if spelling.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![A-Za-z0-9_]){body}(?:e?s)?(?![A-Za-z0-9_])", flags), False


def _unique(tokens: list[str]) -> list[str]:
    return list(dict.fromkeys(tokens))


# ---------------------------------------------------------------- the index


def hidden_tokens(candidates: list[str], indexed: set[str], keep_whole: bool = False) -> list[str]:
    """Candidate tokens that add something: not a prefix of an indexed token or of another
    candidate (a prefix query finds those anyway). With `keep_whole`, a token the browser matches
    whole (WHOLE: "날") stays even so: keywords name what a section is about."""
    tokens = _unique(t for c in candidates for t in tokenize(c))
    every = sorted(indexed | set(tokens))
    kept = []
    for token in tokens:
        if token in indexed:
            continue
        i = bisect.bisect_right(every, token)
        if i < len(every) and every[i].startswith(token) and not (keep_whole and WHOLE.match(token)):
            continue
        kept.append(token)
    return kept


class Enricher:
    """Adds the hidden fields to one index entry at a time, as Material's search plugin creates it.

    `urls` maps docs paths to page URLs (as in the index), `descriptions` page URLs to
    front-matter descriptions. `sections` holds tokens read from the pages' HTML, by section
    location: "formula" (``scripts/search/formula.py``) and "dated" (``scripts/search/dated.py``,
    a dated log's words and dates, which become keywords). The dictionaries are read when an
    entry is enriched, so a page's own tokens may be added up to the moment it is indexed."""

    def __init__(
        self,
        terms: list[Term],
        urls: dict[str, str],
        analyser: Analyser,
        descriptions: dict[str, str] | None = None,
        sections: dict[str, dict[str, list[str]]] | None = None,
    ):
        self.matcher = GlossaryMatcher(terms)
        self.explained: dict[str, list[str]] = {}
        for term, tokens in zip(terms, self.matcher.tokens):
            url = urls.get(term.page)
            if url is not None:
                location = url + (f"#{term.anchor}" if term.anchor else "")
                self.explained.setdefault(location, []).extend(tokens)
        self.analyser = analyser
        self.descriptions = {} if descriptions is None else descriptions
        sections = sections or {}
        self.formulas = sections.get("formula", {})
        self.dated = sections.get("dated", {})

    def __call__(self, doc: dict) -> None:
        """The entry with hidden fields and a clean title (changed in place)."""
        location = doc["location"]
        if location.startswith(NOTEBOOK_PAGES):
            doc["text"] = CODE_BLOCK.sub(_code_digest, doc["text"])
        doc["title"] = re.sub(r"\s*¶\s*$", "", doc["title"])
        title, text = plain(doc["title"]), plain(doc["text"])
        description = self.descriptions.get(location, "")
        analysed = f"{title}\n{text}\n{description}"
        title_tokens = set(tokenize(title))
        indexed = title_tokens | set(tokenize(text))

        keywords = hidden_tokens(
            self.analyser.morphemes(title) + self.explained.get(location, []) + self.dated.get(location, []),
            title_tokens,
            keep_whole=True,
        )
        if keywords:
            doc["keywords"] = " ".join(keywords)
        candidates = [description] + self.analyser.morphemes(analysed)
        for hit in self.matcher.mentioned(analysed):
            candidates += self.matcher.tokens[hit]
        morphs = hidden_tokens(candidates, indexed)
        if morphs:
            doc["morphs"] = " ".join(morphs)
        tokens = self.formulas.get(location)
        if tokens:
            doc["formula"] = " ".join(tokens)


def lexicon(terms: list[Term]) -> dict:
    """What the in-browser query rewriter needs beyond the index: the glossary's Hangul
    spellings (multi-word ones too), for 초성 and spacing-free queries, and its abbreviations."""
    phrases = [s for term in terms for s in term.spellings if HANGUL.search(s)]
    # An abbreviation typed next to other words ("LN 위치") also searches for the term it
    # abbreviates ("층 정규화"): the other words alone would pull toward other topics.
    abbreviations = {a.lower(): term.term for term in terms for a in term.abbr if HANGUL.search(term.term)}
    return {"phrases": list(dict.fromkeys(phrases)), "abbreviations": abbreviations}
