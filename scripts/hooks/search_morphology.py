"""MkDocs hook: Korean search that matches what a learner types.

Material's search (lunr in a web worker) splits text and queries with one regex,
``config.separator``, and matches every query term as a prefix (``term*``) of an
indexed token; no stemmer runs on queries. So "트랜스포머" finds "트랜스포머에서",
but "트랜스포머의", "나누다" (page: 나눠주게) or "정규화" (page: Layer Normalization)
find nothing. This hook rewrites ``site/search/search_index.json`` after the
search plugin wrote it (``on_post_build``, run last) so that Material's own query
pipeline matches:

1. **Separator** (index and queries alike, so both sides agree): whitespace and
   punctuation, a Latin/Hangul script change, and a closed set of particles,
   copula endings and 하다/되다 endings (``PARTICLES``, ``ENDINGS``; tests check
   kiwi tags every one as such) at the end of a word after two Hangul syllables or
   a Latin letter/digit: "트랜스포머의", "트랜스포머에서는" and "트랜스포머" are all the
   token "트랜스포머"; "LN을" is "ln"; "스케일링하는" is "스케일링".
2. **Morphemes** (hidden field ``morphs``): kiwipiepy analyses each section's
   title and text at build time and adds what the surface forms don't already
   cover: lemmas of verbs and adjectives (나눠주게 -> 나누다, so "나누다" and "나누"
   find it), nouns inside words, and the spellings of every glossary term the
   section mentions (a section saying "Layer Normalization" gets 층 정규화,
   레이어 정규화, LN, ...). Tokens that are a prefix of a token already indexed
   for the section are left out (prefix matching finds them anyway).
3. **Keywords** (hidden field ``keywords``, boosted like titles): the morphemes
   of the section's title ("d_k로 나누는 이유" -> 나누다), and the spellings of every
   glossary term whose ``page: ...#heading`` names this section, so a term lands
   on the section that explains it.
4. **Description**: a page's front-matter ``description`` (its summary, shown
   nowhere in the index) goes into the page entry's ``morphs``, with its morphemes.
5. **Notebook pages** rank below the topic pages they back (document boost 0.5).

Hidden fields are indexed by Material's worker (every ``config.fields`` entry)
but never displayed. Titles lose a trailing "¶" (notebook headings). Text
without Hangul gets no morphemes, so a page with no Korean is indexed as before.

``NOTES_STOCK_SEARCH=1`` turns all of this off (stock Material with ``lang: ko``)
so ``scripts/bench_search.py`` can compare both on the same pages. Analyses are
cached in ``.cache/search-morphology/`` so a no-op rebuild need not load kiwi.
"""

from __future__ import annotations

import bisect
import hashlib
import html
import importlib.metadata
import json
import logging
import os
import re
import sys
from pathlib import Path

from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from scripts.hooks import glossary  # noqa: E402

log = logging.getLogger("mkdocs.hooks.search_morphology")

STOCK_ENV = "NOTES_STOCK_SEARCH"
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "search-morphology" / "morphemes.json"
ANALYSER_VERSION = "2"  # bump when morphemes() changes, to invalidate the cache

# A notebook repeats its topic page at length: the topic page that answers the question
# should rank first, so every section of a notebook page gets this document boost.
SECONDARY_BOOST = 0.5

# Field boosts (Material's defaults: title 1000, text 1, tags 1e6).
FIELDS = {"morphs": {"boost": 1.0}, "keywords": {"boost": 2000.0}}

# Particles (조사: kiwi tags J*) that end a word. Stacked ones ("에서는", "으로도") are
# matched as up to three in a row.
PARTICLES = (
    "이", "가", "을", "를", "은", "는", "의", "에", "에서", "에게", "께", "께서", "한테",
    "로", "으로", "로서", "으로서", "로써", "으로써", "와", "과", "도", "만", "까지", "부터",
    "보다", "처럼", "마다", "조차", "마저", "밖에", "이나", "나", "든지", "라도", "이랑", "랑",
    "에다", "이란", "란", "라는", "라고", "며",
)
# Copula (이다, kiwi: VCP + E), 하다/되다 (XSV/XSA + E) and common verb endings (E*).
ENDINGS = (
    "이다", "입니다", "이고", "이지만", "인데", "이라", "인", "인가", "인지", "이면", "이므로",
    "이었다", "였다",
    "하다", "하는", "하고", "하면", "하여", "해서", "해야", "했다", "한다", "할", "한", "함",
    "합니다", "하지", "하기", "하게", "하며", "해",
    "되다", "된다", "되는", "되고", "되면", "되어", "돼서", "된", "될", "됨", "됩니다", "되지",
    "되기", "되게", "됐다", "되었다",
    "면", "고", "게", "지", "서", "니까", "어서", "아서", "어야", "아야", "어도", "아도",
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
_HANGUL = re.compile(r"[가-힣]")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"^[\w가-힣]+$")
try:
    _KIWI_VERSION = importlib.metadata.version("kiwipiepy") + "/" + importlib.metadata.version("kiwipiepy_model")
except importlib.metadata.PackageNotFoundError:
    _KIWI_VERSION = "?"

NOUN_TAGS = {"NNG", "NNP", "XR", "SH"}
VERB_TAGS = {"VV", "VA"}
COMMON_LEMMAS = {"하다", "되다", "있다", "없다", "않다", "같다", "이다", "아니다"}


def tokenize(text: str) -> list[str]:
    """Tokens as Material's worker makes them with SEPARATOR: split, drop empties, lowercase."""
    return [token.lower() for token in _SEPARATOR.split(text) if token]


def plain(html_text: str) -> str:
    """Search-index text (HTML fragments, escaped) as plain text."""
    return html.unescape(_TAG.sub(" ", html_text))


# ---------------------------------------------------------------- morphemes (kiwipiepy)


class Analyser:
    """Morphemes of Korean text with kiwipiepy, loaded on first use, results cached."""

    def __init__(self, cache_path: Path | None = None):
        self._kiwi = None
        self._cache_path = cache_path
        self._cache: dict[str, list[str]] = {}
        self._used: set[str] = set()
        if cache_path and cache_path.exists():
            try:
                self._cache = json.loads(cache_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._cache = {}

    def morphemes(self, text: str) -> list[str]:
        """Nouns and verb/adjective lemmas of `text`, in order, without repeats.
        Text without Hangul has none."""
        if not _HANGUL.search(text):
            return []
        key = hashlib.sha1(f"{ANALYSER_VERSION}\0{_KIWI_VERSION}\0{text}".encode()).hexdigest()
        self._used.add(key)
        if key not in self._cache:
            self._cache[key] = self._analyse(text)
        return self._cache[key]

    def _analyse(self, text: str) -> list[str]:
        if self._kiwi is None:
            from kiwipiepy import Kiwi

            self._kiwi = Kiwi()
        found: dict[str, None] = {}
        tokens = self._kiwi.tokenize(text)
        for i, token in enumerate(tokens):
            form = token.form
            tag = str(token.tag).split("-")[0]  # "VV-I", "VA-R": irregular conjugations
            if tag in VERB_TAGS:
                lemma = token.lemma if token.lemma.endswith("다") else form + "다"
                if lemma not in COMMON_LEMMAS:
                    found[lemma] = None
            elif tag in NOUN_TAGS:
                found[form] = None
                following = tokens[i + 1] if i + 1 < len(tokens) else None
                # 정규 + 화 (XSN) -> 정규화: kiwi splits some derived nouns.
                if following is not None and following.tag == "XSN" and following.start == token.end:
                    found[form + following.form] = None
        return [m.lower() for m in found if _WORD.match(m)]

    def save(self) -> None:
        """Keep the analyses used in this build (drops stale ones)."""
        if not self._cache_path:
            return
        kept = {k: v for k, v in self._cache.items() if k in self._used}
        try:
            self._cache_path.parent.mkdir(parents=True, exist_ok=True)
            self._cache_path.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
        except OSError as error:
            log.debug(f"cannot write {self._cache_path}: {error}")


# ---------------------------------------------------------------- glossary terms


class GlossaryMatcher:
    """Which glossary terms a text mentions (any spelling), and each term's search tokens."""

    def __init__(self, terms: list[glossary.Term]):
        self.terms = terms
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
    if _HANGUL.search(spelling):
        return re.compile(re.escape(re.sub(r"\s+", "", spelling)), re.IGNORECASE), True
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", spelling) if p]
    body = r"[\s\-]?".join(parts)
    flags = 0 if spelling.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![A-Za-z0-9_]){body}(?:e?s)?(?![A-Za-z0-9_])", flags), False


def _unique(tokens: list[str]) -> list[str]:
    return list(dict.fromkeys(tokens))


# ---------------------------------------------------------------- the index


def hidden_tokens(candidates: list[str], indexed: set[str]) -> list[str]:
    """Candidate tokens that add something: not a prefix of an indexed token or of another
    candidate (a prefix query finds those anyway)."""
    tokens = _unique(t for c in candidates for t in tokenize(c))
    every = sorted(indexed | set(tokens))
    kept = []
    for token in tokens:
        if token in indexed:
            continue
        i = bisect.bisect_right(every, token)
        if i < len(every) and every[i].startswith(token):
            continue
        kept.append(token)
    return kept


def enrich(
    index: dict,
    terms: list[glossary.Term],
    urls: dict[str, str],
    analyser: Analyser,
    descriptions: dict[str, str] | None = None,
    secondary: frozenset[str] = frozenset(),
) -> dict:
    """The search index with our separator, hidden fields and clean titles.

    `urls` maps docs paths to page URLs (as in the index), `descriptions` page URLs
    to front-matter descriptions."""
    matcher = GlossaryMatcher(terms)
    explained: dict[str, list[str]] = {}
    for term, tokens in zip(terms, matcher.tokens):
        url = urls.get(term.page)
        if url is not None:
            location = url + (f"#{term.anchor}" if term.anchor else "")
            explained.setdefault(location, []).extend(tokens)
    descriptions = descriptions or {}

    for doc in index["docs"]:
        if doc["location"].split("#")[0] in secondary:
            doc.setdefault("boost", SECONDARY_BOOST)
        doc["title"] = re.sub(r"\s*¶\s*$", "", doc["title"])
        title, text = plain(doc["title"]), plain(doc["text"])
        description = descriptions.get(doc["location"], "")
        analysed = f"{title}\n{text}\n{description}"
        title_tokens = set(tokenize(title))
        indexed = title_tokens | set(tokenize(text))

        keywords = hidden_tokens(analyser.morphemes(title) + explained.get(doc["location"], []), title_tokens)
        if keywords:
            doc["keywords"] = " ".join(keywords)
        candidates = [description] + analyser.morphemes(analysed)
        for hit in matcher.mentioned(analysed):
            candidates += matcher.tokens[hit]
        morphs = hidden_tokens(candidates, indexed)
        if morphs:
            doc["morphs"] = " ".join(morphs)

    index["config"]["separator"] = SEPARATOR
    index["config"]["fields"] = {**index["config"]["fields"], **FIELDS}
    return index


# ---------------------------------------------------------------- MkDocs events

_urls: dict[str, str] = {}
_descriptions: dict[str, str] = {}
_notebooks: set[str] = set()


def on_files(files, config):
    _urls.clear()
    _descriptions.clear()
    _notebooks.clear()
    for file in files.documentation_pages():
        _urls[file.src_uri] = _url(file.url)
        if file.src_uri.endswith(".ipynb"):
            _notebooks.add(_url(file.url))
    return files


def on_page_context(context, page, config, nav):
    description = page.meta.get("description")
    if isinstance(description, str):
        _descriptions[_url(page.url)] = description
    return context


def _url(url: str) -> str:
    return "" if url in ("", "./") else url


@event_priority(-100)  # after the search plugin has written search_index.json
def on_post_build(config):
    if os.environ.get(STOCK_ENV) == "1":
        log.info(f"search: stock Material configuration ({STOCK_ENV}=1)")
        return
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not path.exists():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    analyser = Analyser(CACHE)
    terms = glossary.load(glossary.GLOSSARY, Path(config.docs_dir))
    index = enrich(index, terms, _urls, analyser, _descriptions, frozenset(_notebooks))
    analyser.save()
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
