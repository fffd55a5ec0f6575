"""Morphemes of Korean text (kiwipiepy) for the search index, cached between builds."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
from pathlib import Path

from scripts.search.tokens import HANGUL, WORD

log = logging.getLogger("mkdocs.plugins.notes.search")
ANALYSER_VERSION = "2"  # bump when morphemes() changes, to invalidate the cache
try:
    _KIWI_VERSION = importlib.metadata.version("kiwipiepy") + "/" + importlib.metadata.version("kiwipiepy_model")
except importlib.metadata.PackageNotFoundError:
    _KIWI_VERSION = "?"


NOUN_TAGS = {"NNG", "NNP", "XR", "SH"}
VERB_TAGS = {"VV", "VA"}
COMMON_LEMMAS = {"하다", "되다", "있다", "없다", "않다", "같다", "이다", "아니다"}


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
        if not HANGUL.search(text):
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
        return [m.lower() for m in found if WORD.match(m)]

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
