"""Korean search: the separator, analyser, glossary and query rewriter (unit), the built
index, and Material's search box in Chromium.

The query set is tests/search_queries.yml; `python -m scripts.bench_search` prints the
same recall per kind next to stock Material's and Pagefind's.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from importlib import metadata
from urllib.parse import urlparse

import pytest
import yaml

from scripts import glossary
from scripts.harness import ROOT, build_site, copy_repository, parse_page, search_box
from scripts.search import dated
from scripts.search import index as search_index
from scripts.search import tokens as sm
from scripts.search.morphology import Analyser

MIN_RECALL_AT_3 = 0.95
MIN_RECALL_AT_1 = 0.85
# The index's budget (README, 검색과 용어집): every page loads it, so it may grow with the site's
# pages and no faster; a notebook's code cells count only as their digest (comments, names,
# docstrings), never whole.
MAX_INDEX_BYTES = 480 * 1024
MAX_INDEX_GZIP = 128 * 1024
TOPIC_PAGES = [
    "qna/scaled-dot-product/",
    "qna/positional-encoding/",
    "qna/complexity/",
    "qna/layer-norm-warmup/",
    "qna/gradient-vanishing/",
    "assignment/bucketing/",
]


@pytest.fixture(scope="module")
def kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


@pytest.fixture(scope="module")
def analyser():
    return Analyser()  # no cache file: analyse for real


# ================================================================ separator (index and query tokens)


@pytest.mark.parametrize(
    "forms",
    [
        ["트랜스포머", "트랜스포머의", "트랜스포머에서", "트랜스포머에서는", "트랜스포머로"],
        ["정규화", "정규화를", "정규화와", "정규화하는", "정규화된다"],
        ["버킷팅", "버킷팅은", "버킷팅이란", "버킷팅이다"],
        ["스케일링", "스케일링하는", "스케일링했다", "스케일링이고"],
        ["ln", "LN을", "LN은", "LN이다"],
        ["cos", "cos을", "cos인가"],
        ["rnn", "RNN에서", "RNN의"],
    ],
)
def test_particles_and_endings_do_not_change_the_token(forms):
    assert {tuple(sm.tokenize(form)) for form in forms} == {(forms[0],)}


@pytest.mark.parametrize(
    "query,page_form",
    [
        ("시간복잡도를", "시간복잡도"),  # stacked: 도 + 를 both look like particles
        ("시간복잡도", "시간복잡도와"),
        ("나눠주는", "나눠주게"),
        ("나누면", "나누는"),
        ("나눠서", "나눠주지"),
        ("기울기가", "기울기의"),
        ("정렬하면", "정렬한다"),
    ],
)
def test_a_query_form_is_a_prefix_of_the_page_form(query, page_form):
    (q,), (p,) = sm.tokenize(query), sm.tokenize(page_form)
    assert p.startswith(q), (q, p)


@pytest.mark.parametrize("word", ["길이", "같은", "이유", "차이", "필요", "결과", "위치", "주기"])
def test_two_syllable_words_keep_their_last_syllable(word):
    assert sm.tokenize(word) == [word]


def test_punctuation_and_script_changes_split():
    assert sm.tokenize("버킷팅(Bucketing)") == ["버킷팅", "bucketing"]
    assert sm.tokenize("위치 인코딩: 왜 sin과 cos인가") == ["위치", "인코딩", "왜", "sin", "cos"]
    assert sm.tokenize("Post-LN과 warm-up") == ["post", "ln", "warm", "up"]
    assert sm.tokenize("트랜스포머transformer") == ["트랜스포머", "transformer"]
    assert sm.tokenize("d_k로 나누는 이유") == ["d_k", "나누", "이유"]


def test_text_without_hangul_is_tokenized_at_spaces_and_punctuation_only():
    text = "Layer normalization, applied after the residual sum (Post-LN): x_{l+1} = LN(x + F(x))."
    assert sm.tokenize(text) == [
        "layer",
        "normalization",
        "applied",
        "after",
        "the",
        "residual",
        "sum",
        "post",
        "ln",
        "x_",
        "l+1",
        "ln",
        "x",
        "+",
        "f",
        "x",
    ]


def test_separator_suits_material():
    # Material's highlighter wraps the separator in its own groups: ours must have none.
    assert re.compile(sm.SEPARATOR).groups == 0
    # Python's `re` and the browser's RegExp must read it alike: plain syntax only.
    assert "\\p{" not in sm.SEPARATOR and "(?P" not in sm.SEPARATOR


@pytest.mark.parametrize("text", ["에" * 1000 + "x", "이" * 1000, "가나" * 500, "a" * 1000, "ㅌ" * 1000])
def test_separator_does_not_hang_on_long_input(text):
    # A hang guard, not a speed target: catastrophic backtracking on 1 000 characters would
    # run for hours; a sound pattern takes milliseconds. The bound is generous for noisy machines.
    # A child process, so that a hang can be killed (subprocess.TimeoutExpired fails the test).
    code = "import sys; from scripts.search.tokens import tokenize; print(len(tokenize(sys.stdin.read())))"
    result = subprocess.run(
        [sys.executable, "-c", code], input=text, text=True, capture_output=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(sm.tokenize(text))


# Every suffix the separator strips is a particle or ending by kiwi's own tags.
VOWEL_FINAL = {
    "가",
    "를",
    "는",
    "와",
    "로",
    "로서",
    "로써",
    "랑",
    "란",
    "라는",
    "라고",
    "며",
    "나",
    "라도",
    "든지",
    "였다",
}
SAMPLES = {
    "이다": ("모델이다", "이것은 모델이다."),
    "인": ("모델인", "모델인 경우"),
    "한": ("계산한", "계산한 값"),
    "되게": ("포화되게", "포화되게 만든다"),
    "됩니다": ("포화됩니다", "포화됩니다."),
    "했다": ("계산했다", "계산했다."),
    "서": ("나눠서", "나눠서 계산한다"),
}
SUFFIX_TAGS = re.compile(r"^(J|E)|^(VCP|XSV|XSA)$")


def _sample(suffix: str) -> tuple[str, str]:
    if suffix in SAMPLES:
        return SAMPLES[suffix]
    if suffix in sm.PARTICLES or suffix in {
        "이고",
        "이지만",
        "인데",
        "이라",
        "인가",
        "인지",
        "이면",
        "이므로",
        "입니다",
        "이었다",
        "였다",
    }:
        word = ("트랜스포머" if suffix in VOWEL_FINAL else "모델") + suffix
    elif suffix[0] in "하해한할함합":
        word = "계산" + suffix
    elif suffix[0] in "되돼된될됨됐":
        word = "포화" + suffix
    elif suffix in {"어서", "어야", "어도"}:
        word = "먹" + suffix
    elif suffix in {"아서", "아야", "아도"}:
        word = "잡" + suffix
    else:
        word = "나누" + suffix
    return word, f"{word} 중요하다"


@pytest.mark.parametrize("suffix", sorted(set(sm.PARTICLES + sm.ENDINGS)))
def test_every_stripped_suffix_is_a_particle_or_ending_for_kiwi(kiwi, suffix):
    word, sentence = _sample(suffix)
    start, end = len(word) - len(suffix), len(word)
    tags = [t.tag for t in kiwi.tokenize(sentence) if t.start < end and t.start + t.len > start]
    assert tags and all(SUFFIX_TAGS.match(str(tag)) for tag in tags), (word, tags)


# ================================================================ morphemes


def test_conjugated_verbs_give_their_dictionary_form(analyser):
    morphs = analyser.morphemes("이를 나눠주지 않게 되면 값이 너무 커서 나눠주게 됩니다")
    assert "나누다" in morphs and "크다" in morphs
    assert "되다" not in morphs and "않다" not in morphs  # too common to index


def test_nouns_come_without_particles_and_derived_nouns_are_joined(analyser):
    morphs = analyser.morphemes("층 정규화를 쓰고 정규화했다. 병렬처리가 된다")
    assert {"층", "정규화", "병렬", "처리"} <= set(morphs)
    assert not any(m.endswith(("를", "가")) for m in morphs)


def test_text_without_korean_has_no_morphemes(analyser):
    assert analyser.morphemes("Layer Normalization (LN) is applied after the residual sum.") == []
    assert analyser.morphemes("x = torch.randn(4, 8)  # shape: (batch, d_k)") == []


def test_hidden_tokens_leave_out_what_prefix_search_already_finds():
    indexed = {"나누", "정규화", "트랜스포머"}
    assert search_index.hidden_tokens(["나누다", "정규화", "정규", "층 정규화", "layer normalization"], indexed) == [
        "나누다",
        "층",
        "layer",
        "normalization",
    ]


def test_keywords_keep_what_the_browser_matches_whole():
    # "날" and "pe" are searched as whole tokens (query.js, exact()): in keywords a prefix of "날짜"
    # or "peer" is not enough for them; "정규" is searched as a prefix, and "정규화" has it.
    candidates = ["날", "날짜", "pe", "peer", "정규", "정규화"]
    assert search_index.hidden_tokens(candidates, set()) == ["날짜", "peer", "정규화"]
    assert search_index.hidden_tokens(candidates, set(), keep_whole=True) == [
        "날",
        "날짜",
        "pe",
        "peer",
        "정규화",
    ]


def test_a_page_without_korean_is_indexed_as_before(analyser):
    english = {"location": "english/", "title": "Notes", "text": "<p>Plain English text about tensors.</p>"}
    entry = dict(english)
    search_index.Enricher([], {}, analyser)(entry)
    assert entry == english  # no hidden field, title and text untouched


def test_enrich_adds_morphemes_glossary_terms_and_keywords(analyser):
    terms = glossary.load()
    docs = [
        {"location": "qna/layer-norm-warmup/", "title": "Post-LN이 학습을 어렵게 만드는 이유", "text": ""},
        {
            "location": "qna/layer-norm-warmup/#멘토-답변",
            "title": "멘토 답변",
            "text": "<p>LN을 후에 걸어주게 되면 learning rate에 민감해진다. 그래서 warm-up이 필요하다.</p>",
        },
        {"location": "english/", "title": "Notes ¶", "text": "<p>Layer Normalization after the sum.</p>"},
    ]
    urls = {"qna/layer-norm-warmup.md": "qna/layer-norm-warmup/"}
    enrich = search_index.Enricher(terms, urls, analyser, {"qna/layer-norm-warmup/": "warm-up이 필요한 이유"})
    page, answer, english = [dict(doc) for doc in docs]
    for entry in (page, answer, english):
        enrich(entry)
    for query in ["걸다", "정규화", "레이어", "워밍업", "웜업", "warmup", "학습률"]:
        assert _finds(answer["morphs"], query)
    for query in ["워밍업", "웜업", "warmup"]:  # 워밍업 is explained in this section
        assert _finds(answer["keywords"], query)
    for query in ["정규화", "레이어", "ln", "어렵다"]:  # 층 정규화 on the page; 어렵게 -> 어렵다 in its title
        assert _finds(page["title"] + " " + page["keywords"], query)
    assert _finds(page["morphs"], "필요")  # from the description
    assert english["title"] == "Notes" and english["text"] == docs[2]["text"]
    assert _finds(english["morphs"], "정규화")  # an English page still gets the Korean terms


class _Page:
    """What Material's SearchIndex reads of a page."""

    def __init__(self, url: str, html: str):
        self.url, self.content, self.title, self.meta, self.toc = url, html, "제목", {}, []


def test_the_index_is_enriched_while_material_builds_it():
    """KoreanSearchIndex overrides two methods of Material's SearchIndex (mkdocs-material 9.8.2,
    pinned in requirements.txt): each entry passes through the enricher as it is created, a dirty
    reload's entries are merged by Material, and the file keeps its Hangul unescaped."""
    from material.plugins.search.plugin import SearchIndex

    from scripts.site_plugin.search import KoreanSearchIndex

    assert metadata.version("mkdocs-material") == "9.8.2", "check KoreanSearchIndex against the new SearchIndex"
    config = {"lang": ["ko"], "separator": "[\\s]+", "pipeline": [], "fields": {}}
    seen = []

    def enrich(entry):
        seen.append(entry["location"])
        entry["keywords"] = "층 정규화"

    previous = SearchIndex(**config)
    previous.entries = [{"location": "a/", "title": "A", "text": "옛 글"}, {"location": "b/", "title": "B", "text": ""}]
    index = KoreanSearchIndex(enrich, {"phrases": ["층 정규화"]}, **config)
    index.add_entry_from_context(_Page("a/", "<h1 id='a'>정규화</h1><p>새 글</p><h2 id='s'>절</h2><p>본문</p>"))
    assert seen == ["a/", "a/#s"]
    data = index.generate_search_index(previous)
    assert "층 정규화" in data and "\\u" not in data
    index_json = json.loads(data)
    assert index_json["config"]["korean"] == {"phrases": ["층 정규화"]}
    assert [d["location"] for d in index_json["docs"]] == ["b/", "a/", "a/#s"]  # a/ replaced, b/ kept
    assert all(d.get("keywords") == "층 정규화" for d in index_json["docs"][1:])


def _finds(field: str, query: str) -> bool:
    """Material's match: the query's token is a prefix of one of the field's tokens."""
    (term,) = sm.tokenize(query)
    return any(token.startswith(term) for token in sm.tokenize(field))


# ================================================================ glossary


@pytest.mark.parametrize(
    "spellings,page",
    [
        (["층 정규화", "레이어 정규화", "layer normalization", "LN"], "qna/layer-norm-warmup.md"),
        (["워밍업", "웜업", "warm-up", "warmup"], "qna/layer-norm-warmup.md"),
        (["위치 인코딩", "포지셔널 인코딩", "positional encoding", "PE"], "qna/positional-encoding.md"),
        (["기울기 소실", "그래디언트 소실", "gradient vanishing"], "qna/gradient-vanishing.md"),
        (["버킷팅", "버케팅", "bucketing"], "assignment/bucketing.md"),
        (["시간복잡도", "complexity"], "qna/complexity.md"),
    ],
)
def test_glossary_has_the_issue_examples(spellings, page):
    terms = glossary.load()
    for spelling in spellings:
        owners = [t for t in terms if spelling.casefold() in {s.casefold() for s in t.spellings}]
        assert owners and owners[0].page == page, spelling


def test_a_tag_outside_the_glossary_is_rejected_with_file_and_line():
    terms = glossary.load()
    page = "---\ntitle: x\ntags:\n  - 시간복잡도\n  - 없는 태그\n---\n# x\n"
    glossary.check_tags(page.replace("없는 태그", "rnn"), "docs/x.md", terms)  # any spelling, any case
    with pytest.raises(
        Exception, match=r"^docs/x\.md:5: tag '없는 태그' is not a term or alias in data/glossary\.yml$"
    ):
        glossary.check_tags(page, "docs/x.md", terms)


def test_the_strict_build_fails_on_a_tag_outside_the_glossary(tmp_path):
    """Fault injected into a scratch copy of the site sources: `mkdocs build --strict` stops
    with one line naming the page and the line."""
    scratch = copy_repository(tmp_path / "repo")
    # Without the snippets the figure step has nothing to run; the tag check (on_files)
    # stops the build before any page would need a figure or a value.
    for snippet in (scratch / "snippets").glob("[!_]*.py"):
        snippet.unlink()
    page = scratch / "docs" / "qna" / "complexity.md"
    page.write_text(page.read_text(encoding="utf-8").replace("  - RNN\n", "  - 없는 태그\n", 1), encoding="utf-8")
    result = build_site(tmp_path / "site", scratch, skip_figures=True, stock_search=True)
    assert result.returncode != 0
    assert "docs/qna/complexity.md:6: tag '없는 태그' is not a term or alias in data/glossary.yml" in result.stderr


def test_glossary_rejects_a_broken_entry(tmp_path):
    bad = tmp_path / "glossary.yml"
    bad.write_text("- {term: 없는 절, english: missing, page: qna/complexity.md#없는-절}\n", encoding="utf-8")
    with pytest.raises(Exception, match="no heading"):
        glossary.load(bad)
    bad.write_text(
        "- {term: 가, english: a, page: index.md}\n- {term: 나, english: A, page: index.md}\n", encoding="utf-8"
    )
    with pytest.raises(Exception, match=r"glossary\.yml:2: spelling 'A' of '나' already belongs to '가'"):
        glossary.load(bad)


def test_glossary_rejects_the_same_term_twice_naming_both_lines(tmp_path):
    bad = tmp_path / "glossary.yml"
    bad.write_text(
        "- term: 어텐션\n  english: attention\n  page: index.md\n"
        "- term: 분산\n  english: variance\n  page: index.md\n"
        "- term: 어텐션\n  english: self-attention\n  page: index.md\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match=r"glossary\.yml:7: term '어텐션' is already defined at line 1$"):
        glossary.load(bad)


@pytest.mark.parametrize(
    "tooltip, problem",
    [
        ("|\n    Layer Normalization\n    층 정규화", "must be one line"),
        ("'<img src=x onerror=alert(1)>'", "must be plain text"),
    ],
)
def test_a_tooltip_is_one_line_of_plain_text(tmp_path, tooltip, problem):
    bad = tmp_path / "glossary.yml"
    bad.write_text(
        "- term: 분산\n  english: variance\n  page: index.md\n"
        f"- term: 층 정규화\n  english: layer normalization\n  abbr: LN\n  page: index.md\n  tooltip: {tooltip}\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match=rf"glossary\.yml:4: term '층 정규화': 'tooltip' {problem}"):
        glossary.load(bad)


def test_a_glossary_or_page_that_is_not_utf8_is_named_with_its_line(tmp_path):
    bad = tmp_path / "glossary.yml"
    bad.write_bytes("- term: 분산\n  english: variance\n".encode() + b"  page: index\xff.md\n")
    with pytest.raises(Exception, match=r"glossary\.yml:3: not UTF-8 text \(byte 0xff\)"):
        glossary.load(bad)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_bytes(b"# \xc0\xbd\n")
    good = tmp_path / "good.yml"
    good.write_text("- {term: 분산, english: variance, page: index.md}\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"index\.md:1: not UTF-8 text"):
        glossary.load(good, docs)


def test_abbreviations_come_from_the_glossary():
    lines = glossary.abbreviations(glossary.load()).splitlines()
    assert "*[LN]: Layer Normalization, 층 정규화" in lines
    assert {line.split("]")[0][2:] for line in lines} >= {"d_k", "LN", "PE", "RNN", "FLOPs", "Post-LN", "Pre-LN"}


# ================================================================ the built site


def test_glossary_page_lists_every_term_with_a_link(built_site):
    article = parse_page(built_site.page("glossary")).select_one("article")
    shown = [dt.get_text(" ", strip=True) for dt in article.select("dl > dt")]
    terms = glossary.load()
    assert len(shown) == len(terms)
    for term, dd in zip(sorted(terms, key=lambda t: t.term.casefold()), article.select("dl > dd")):
        link = dd.select("a[href]")[-1]["href"]
        expected = search_box.page_url(term.page) + (f"#{term.anchor}" if term.anchor else "")
        assert link.removeprefix("../") == expected, term.term


def test_recurring_abbreviations_have_tooltips(built_site):
    abbrs = {
        a.get_text(): a["title"] for a in parse_page(built_site.page("qna/layer-norm-warmup")).select("article abbr")
    }
    assert abbrs.get("LN") == "Layer Normalization, 층 정규화"
    assert "Post-LN" in abbrs and "Pre-LN" in abbrs


def test_tags_index_lists_every_topic(built_site):
    links = {a["href"] for a in parse_page(built_site.page("tags")).select("article a[href]")}
    listed = {href.removeprefix("../") for href in links}
    assert set(TOPIC_PAGES) <= listed


def test_search_index_has_our_fields_and_stays_small(built_site):
    path = built_site.path / "search" / "search_index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    assert index["config"]["separator"] == sm.SEPARATOR  # through the plugin's `separator` option
    assert {"morphs", "keywords"} <= set(index["config"]["fields"])  # and its `fields` option
    assert "위치 인코딩" in index["config"]["korean"]["phrases"]  # the query rewriter's lexicon
    assert not [d["title"] for d in index["docs"] if d["title"].rstrip().endswith("¶")]
    # Notebooks rank below the topic pages they back (page.meta["search"]["boost"]).
    notebook_boosts = {d.get("boost") for d in index["docs"] if d["location"].startswith("generated/notebooks/")}
    assert notebook_boosts == {search_index.SECONDARY_BOOST} and search_index.SECONDARY_BOOST < 1
    assert all(d.get("boost", 1) >= 1 for d in index["docs"] if d["location"].split("#")[0] in TOPIC_PAGES)
    # A notebook's code reaches the index only as its digest (comments, names, docstrings):
    # no statement of it, from either of the copies mkdocs-jupyter renders.
    assert not [d["location"] for d in index["docs"] if "import torch" in d["text"] or "Copied!" in d["text"]]
    raw = path.read_bytes()
    assert len(raw) <= MAX_INDEX_BYTES and len(gzip.compress(raw, 9)) <= MAX_INDEX_GZIP


# ================================================================ Material's search box in Chromium


@pytest.fixture(scope="module")
def base_path(site_url):
    return urlparse(site_url).path.rstrip("/") + "/"


def test_query_set_recall(open_page, base_path):
    """Recall@1 and @3 of every kind of query: formulas and dates may not hide behind the rest."""
    queries = search_box.load_queries()
    kinds = {q.kind for q in queries}
    assert len(queries) >= 40 and {"nospace", "choseong", "layout", "typo", "natural", "en-natural"} <= kinds
    assert {"formula", "date", "paraphrase", "ko-en"} <= kinds
    for kind in kinds:
        assert sum(q.kind == kind for q in queries) >= 6, kind
    watch = open_page("/")
    results = search_box.evaluate(watch.page, queries, base_path)
    failed = []
    for kind in sorted(kinds):
        ranks = [rank for q, rank, _ in results if q.kind == kind]
        at1, at3 = search_box.recall(ranks, 1), search_box.recall(ranks, 3)
        print(f"{kind:12} {len(ranks):3d}  recall@1 = {at1:.2f}, recall@3 = {at3:.2f}")
        if at3 < MIN_RECALL_AT_3 or at1 < MIN_RECALL_AT_1:
            failed.append(f"{kind}: recall@1 {at1:.2f}, recall@3 {at3:.2f}")
    missed = [
        f"{q.kind}: {q.q!r} -> {q.page} (rank {rank}, got {[i.page for i in items[:3]]})"
        for q, rank, items in results
        if rank is None or rank > 1
    ]
    assert not failed, "\n".join(failed + missed)
    # A formula typed in any way finds something.
    assert not [q.q for q, _, items in results if q.kind == "formula" and not items]
    assert watch.console_errors == []


def test_results_land_on_the_answering_section(open_page, base_path):
    queries = [q for q in search_box.load_queries() if q.section]
    assert queries
    page = open_page("/").page
    search_box.open_search(page)
    for query in queries:
        items = search_box.run_query(page, query.q, base_path)
        assert search_box.lands_on_section(items, query), (query.q, [(i.page, i.sections[:3]) for i in items[:3]])


def test_result_titles_are_readable(open_page, base_path):
    page = open_page("/").page
    search_box.open_search(page)
    for query in ["warmup", "버킷팅", "정규화", "실험"]:
        search_box.run_query(page, query, base_path)
        titles = page.eval_on_selector_all(
            ".md-search-result__article h1, .md-search-result__article h2", "els => els.map(e => e.textContent)"
        )
        assert titles
        for title in titles:
            assert title.strip() and "¶" not in title and "&amp;" not in title and "<" not in title, title


BAD_INPUT = [
    "ㅌ",
    "ㅂ",
    "   ",
    "<b>정규화</b><script>alert(1)</script>",
    "😀🔥 트랜스포머 👍",
    "[a-z]+(?<=x)\\d{2,}$|^.*",
    "ㅌㄹ",
    "ㅏ",
    "a",
    "?",
    "?!.,;:",
    "~^*+-",
    '"',
    "((()))",
    "title:",
    "트랜스포머transformer変換器Трансформер",
    "LN을ㅌㄹ정규화",
    "가" * 1000,
    ("정규화를 " * 200)[:1000],
    "ㅌ" * 1000,
    "漢" * 1000,
    "".join(chr(0x3131 + i % 51) + "a?" for i in range(334))[:1000],
]


@pytest.mark.parametrize("query", BAD_INPUT, ids=[f"{len(q)}:{q[:12]}" for q in BAD_INPUT])
def test_bad_input_raises_no_error_and_does_not_freeze(open_page, base_path, query):
    watch = open_page("/")
    page = watch.page
    search_box.open_search(page)
    # A frozen search never shows results: run_query then fails on its timeout.
    search_box.run_query(page, query, base_path, timeout=30_000)
    assert page.evaluate("1 + 1") == 2  # the page still answers
    after = search_box.run_query(page, "버킷팅", base_path)
    assert after and after[0].page == "assignment/bucketing/"  # and search still works
    assert watch.console_errors == []


def test_a_query_that_finds_nothing_shows_the_closest_terms_and_topics(open_page, base_path):
    watch = open_page("/")
    page = watch.page
    search_box.open_search(page)
    assert search_box.run_query(page, "층졍규화 zzz", base_path) == []
    page.wait_for_selector(".korean-search-empty[role=status]", timeout=10_000)
    terms = page.eval_on_selector_all(".korean-search-empty button", "els => els.map(e => e.textContent)")
    assert terms[0] == "층 정규화"  # the glossary's closest spelling
    topics = page.eval_on_selector_all(".korean-search-empty a", "els => els.map(e => e.getAttribute('href'))")
    assert topics and all(href.startswith("http") and "#" not in href for href in topics)
    # A term's button searches for it: results replace the suggestions.
    page.click(".korean-search-empty button >> nth=0")
    page.wait_for_selector(".md-search-result__list > li", timeout=10_000)
    assert page.input_value(search_box.QUERY_BOX) == "층 정규화"
    assert page.query_selector(".korean-search-empty") is None
    assert watch.console_errors == []


def test_a_query_with_nothing_close_still_lists_every_topic(open_page, base_path):
    page = open_page("/").page
    search_box.open_search(page)
    assert search_box.run_query(page, "zzqxv", base_path) == []
    page.wait_for_selector(".korean-search-empty", timeout=10_000)
    assert page.query_selector_all(".korean-search-empty button") == []
    links = page.eval_on_selector_all(".korean-search-empty a", "els => els.map(e => e.href)")
    assert {urlparse(link).path.removeprefix(base_path) for link in links} >= set(TOPIC_PAGES)


def test_a_formula_query_gets_a_formula_hint_when_nothing_matches(open_page, base_path):
    page = open_page("/").page
    search_box.open_search(page)
    assert search_box.run_query(page, "ℏ^ℵ", base_path) == []
    hint = page.wait_for_selector(".korean-search-empty__hint", timeout=10_000)
    assert "sqrt(d_k)" in hint.text_content()


def test_highlighting_on_the_result_page_works_with_our_separator(open_page):
    watch = open_page("/qna/layer-norm-warmup/?h=정규화 warmup")
    watch.page.wait_for_selector("mark[data-md-highlight]", timeout=10_000)
    assert watch.console_errors == []


# ---------------------------------------------------------------- the query rewriter
# (docs/assets/javascripts/korean-search)

JS = ROOT / "docs" / "assets" / "javascripts"


@pytest.fixture(scope="module")
def query_page(browser, site_url):
    """A page of the built site with query.js loaded and its lexicon built from the site's index."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url + "/", wait_until="load")
    page.evaluate("window.module = {exports: {}}")
    page.add_script_tag(path=str(JS / "vendor" / "es-hangul-2.4.0" / "index.js"))
    page.evaluate("window.hangul = window.module.exports; delete window.module")
    page.add_script_tag(path=str(JS / "korean-search" / "query.js"))
    page.evaluate("""async () => {
      const index = await (await fetch(new URL('search/search_index.json', location.href))).json();
      window.lexicon = KoreanQuery.lexicon(window.hangul, index.config, index.docs);
    }""")
    yield page
    context.close()


@pytest.fixture(scope="module")
def rewrite(query_page):
    """KoreanQuery.rewrite in Chromium, on the built site's index, as the search worker runs it."""
    return lambda query: query_page.evaluate("q => KoreanQuery.rewrite(window.lexicon, q)", query)


FORMULA_EXAMPLES = yaml.safe_load((ROOT / "tests" / "formula_examples.yml").read_text(encoding="utf-8"))


def test_the_browser_reads_formulas_as_the_index_does(query_page):
    # The same examples as tests/test_formula.py (scripts/search/formula.py, the index side).
    read = query_page.evaluate("examples => examples.map(e => KoreanQuery.formulaTokens(e.formula))", FORMULA_EXAMPLES)
    assert read == [e["tokens"] for e in FORMULA_EXAMPLES]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("QK^T/√d_k", {"qkt", "sqrt", "dk"}),
        ("Q K transpose", {"qkt"}),
        ("diag(p) - pp^T", {"diag", "ppt"}),
        ("O(n²·d + n·d²)", {"n2d", "nd2"}),
        ("step^-0.5 warmup_steps^-1.5", {"step05", "warmupsteps15"}),
        ("∂y_T/∂x_t", {"partial", "yt", "xt"}),
    ],
)
def test_rewriter_reads_a_typed_formula_into_the_index_formula_tokens(rewrite, query, expected):
    assert expected <= set(_terms(rewrite(query)))


@pytest.mark.parametrize("typed", ["21/09/07", "2021-09-07", "2021.9.7"])
def test_rewriter_reads_a_typed_date_as_the_dated_log_is_indexed(rewrite, typed):
    assert set(rewrite(typed).split()) == {"9월", "7일", "210907"} < set(dated.date_tokens(2021, 9, 7))


def test_rewriter_matches_one_character_as_a_whole_token(rewrite):
    # A one-character prefix ("날*", "1*") would match every "날짜", "1강", "10일".
    assert rewrite("transformer 2강 공부한 날").split()[-1] == "날^1"
    assert rewrite("O(1)") == "o^1 1^1"


@pytest.mark.parametrize(
    "query,expected",
    [
        ("위치인코딩", "위치 인코딩"),  # spacing
        ("기울기소실", "기울기 소실"),
        ("층정규화위치", "층 정규화 위치"),
        ("ㅂㅋㅌ", "버킷팅"),  # 초성
        ("ㅇㅊ ㅇㅋㄷ", "위치 인코딩"),
        ("ㅅㄱㅂㅈㄷ", "시간복잡도"),
        ("qjzltxld", "버킷팅"),  # 한/영
        ("dnlcl dlszheld", "위치 인코딩"),
        ("트렌스포머", "트랜스포머"),  # misspellings, by rule
        ("노말라이제이션", "노멀라이제이션"),
        ("포지셔날", "포지셔널"),
        ("그라디언트", "그래디언트"),
        ("나누나요", "나누"),  # endings
    ],
)
def test_rewriter_turns_a_query_into_index_tokens(rewrite, query, expected):
    assert expected in rewrite(query).replace("^1", "")


@pytest.mark.parametrize("query", ["layer norm", "bucket", "LN", "d_k로 나누는 이유", "warmup", "트랜스포머"])
def test_rewriter_keeps_queries_the_index_knows(rewrite, query):
    # Kept as typed; a formula may add its reading (d_k -> dk), an abbreviation its term.
    assert set(sm.tokenize(query)) <= set(_terms(rewrite(query)))
    if len(query.split()) == 1:
        assert _terms(rewrite(query)) == sm.tokenize(query)


def _terms(rewritten: str) -> list[str]:
    """The rewritten query's tokens, without the boost that makes a term match whole ("날^1")."""
    return sm.tokenize(rewritten.replace("^1", ""))


def test_rewriter_corrects_a_typo_but_not_another_first_consonant(rewrite):
    # 빠른 is one jamo from 다른 and 따른, but a word that starts with another consonant is another
    # word, not a typo; 버켓팅 -> 버킷팅 is one vowel away.
    assert not {"다른", "따른"} & set(_terms(rewrite("셀프 어텐션이 빠른 이유")))
    assert "버킷팅" in _terms(rewrite("버켓팅"))


def test_rewriter_adds_the_term_an_abbreviation_stands_for_among_other_words(rewrite):
    assert {"ln", "위치", "층", "정규화"} <= set(_terms(rewrite("LN 위치")))
    assert _terms(rewrite("LN")) == ["ln"]


def test_rewriter_drops_question_words(rewrite):
    assert _terms(rewrite("왜 루트 dk로 나누나요?")) == ["루트", "dk", "나누"]
    assert "why" not in rewrite("why divide by square root of dk")


@pytest.mark.parametrize("query", BAD_INPUT + ["ㅂ" * 1000, "qwerty" * 30])
def test_rewriter_returns_a_string_for_any_input(rewrite, query):
    assert isinstance(rewrite(query), str)
