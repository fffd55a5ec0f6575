"""The built site: strict build, anchors, and the whole log on the pages (page size: test_phone.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.harness import ROOT, parse_page

LOG = ROOT / "source" / "week7-log.md"
# The log links this title to the URL of another question; the site links the article the title names.
CORRECTED_LINKS = {
    "Transformer Architecture: The Positional Encoding": "https://kazemnejad.com/blog/transformer_architecture_positional_encoding/",
}
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
BARE_URL = re.compile(r"(?<![(\w])https?://[^\s)\]]+")


# ---------------------------------------------------------------- the log, parsed


def log_section(title: str) -> str:
    text = LOG.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def log_questions() -> list[str]:
    return re.findall(r"^- (.+?)\s*$", log_section("멘토링 답변"), re.MULTILINE)


def log_answers() -> list[str]:
    """Every nested bullet under a question: the peers' and the mentor's answers."""
    return re.findall(r"^ {4,}- (.+?)\s*$", log_section("멘토링 답변"), re.MULTILINE)


def log_links() -> list[tuple[str, str]]:
    return MARKDOWN_LINK.findall(LOG.read_text(encoding="utf-8"))


def log_bare_urls() -> list[str]:
    return BARE_URL.findall(LOG.read_text(encoding="utf-8").split("---", 2)[2])


def as_displayed(markdown: str) -> str:
    """Markdown of one log line as a reader sees it: link text only, single spaces."""
    return normalize(MARKDOWN_LINK.sub(r"\1", markdown))


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------- the site, parsed


def article_text(path: Path) -> str:
    article = parse_page(path).select_one("article")
    return normalize(article.get_text(" "))


def topic_pages(site) -> list[Path]:
    return sorted((site.path / "qna").rglob("index.html")) + sorted((site.path / "assignment").rglob("index.html"))


def all_links(site) -> list[tuple[str, str]]:
    links = []
    for page in site.html_pages():
        for anchor in parse_page(page).select("article a[href]"):
            links.append((normalize(anchor.get_text(" ")), anchor["href"]))
    return links


# ---------------------------------------------------------------- tests


def test_strict_build_has_no_warning(built_site):
    assert "WARNING" not in built_site.log, built_site.log


def test_log_parser_finds_the_log_structure():
    # Guards the tests below against a parser that silently finds nothing.
    assert len(log_questions()) == 7
    assert len(log_answers()) >= 15
    assert len(log_links()) == 5


def squeezed(text: str) -> str:
    """Text without any whitespace: inline markup (a link inside a sentence) may add spaces."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("question", log_questions())
def test_every_question_is_on_a_topic_page(built_site, question):
    text = " ".join(article_text(p) for p in topic_pages(built_site))
    assert squeezed(question) in squeezed(text)


@pytest.mark.parametrize("answer", log_answers())
def test_every_answer_is_on_a_topic_page(built_site, answer):
    text = " ".join(article_text(p) for p in topic_pages(built_site))
    assert squeezed(as_displayed(answer)) in squeezed(text)


@pytest.mark.parametrize("title,url", log_links())
def test_every_link_of_the_log_is_on_the_site(built_site, title, url):
    expected = CORRECTED_LINKS.get(title, url)
    links = all_links(built_site)
    assert (normalize(title), expected) in links, f"no link {title!r} -> {expected}"
    # The URL itself still appears as some link (a wrong one is kept, under its own title).
    assert any(href == url for _, href in links)


def test_every_bare_url_of_the_log_is_linked(built_site):
    hrefs = {href for _, href in all_links(built_site)}
    assert log_bare_urls(), "the log has bare URLs (the lecture series)"
    for url in log_bare_urls():
        assert url in hrefs


def test_retrospective_is_a_dated_timeline(built_site):
    page = built_site.page("retrospective")
    times = {
        t["datetime"]: normalize(t.find_parent("dt").find_next_sibling("dd").get_text(" "))
        for t in parse_page(page).select("article time[datetime]")
    }
    entries = re.findall(r"^(\d\d)/(\d\d)/(\d\d): (.+?)\s*$", log_section("학습 회고"), re.MULTILINE)
    assert len(entries) == 5
    for yy, mm, dd, what in entries:
        assert times[f"20{yy}-{mm}-{dd}"] == normalize(what)


def test_peer_session_and_bucketing_text_reach_the_site(built_site):
    peer = normalize(log_section("피어세션 정리").split("\n", 1)[1])
    assert peer in article_text(built_site.page("peer-session"))
    description = re.search(r'^description: "(.+)"$', LOG.read_text(encoding="utf-8"), re.MULTILINE)[1]
    bucketing_text = description.split("NLP", 1)[1]  # after the lecture-series URL
    assert normalize(bucketing_text) in article_text(built_site.page("assignment/bucketing"))


def test_original_page_shows_the_log_verbatim(built_site):
    code = parse_page(built_site.page("original")).select_one("article pre code").get_text()
    # Markdown empties whitespace-only lines; everything else is the log as it is.
    shown = [line.rstrip() for line in code.strip().splitlines()]
    assert shown == [line.rstrip() for line in LOG.read_text(encoding="utf-8").strip().splitlines()]


def test_original_log_is_downloadable_byte_for_byte(built_site):
    link = parse_page(built_site.page("original")).select_one("article a[href$='week7-log.txt']")
    assert link is not None, "the 원문 page links the original file"
    served = built_site.page("original").parent / link["href"]
    assert served.read_bytes() == LOG.read_bytes()


def test_every_heading_anchor_is_non_empty_and_unique(built_site):
    problems = []
    for page in built_site.html_pages():
        ids = []
        for heading in parse_page(page).select(
            "article h1, article h2, article h3, article h4, article h5, article h6"
        ):
            anchor = heading.get("id", "")
            if not anchor.strip("-_"):
                problems.append(f"{page}: heading {heading.get_text(strip=True)!r} has no usable id")
            ids.append(anchor)
        duplicates = {a for a in ids if ids.count(a) > 1}
        if duplicates:
            problems.append(f"{page}: duplicate ids {duplicates}")
    assert not problems, "\n".join(problems)


def test_korean_headings_keep_their_hangul_in_anchors(built_site):
    page = parse_page(built_site.page("qna/scaled-dot-product"))
    ids = {h["id"] for h in page.select("article h2")}
    assert {"피어세션-질문", "멘토-답변", "실험으로-확인하기", "참고-자료"} <= ids


# Pages the site adds beyond the log's questions: no peer-session question or mentor answer to quote,
# a short list of the questions the page answers instead (README: 주제 페이지의 순서).
ADDED_PAGES = {"position-representations"}
ADDED_PAGE_SECTIONS = [
    "이 페이지가 답하는 질문",
    "실험으로 확인하기",
    "보충",
    "연습 문제",
    "다음에 읽을 것",
    "참고 자료",
]


def test_every_topic_page_has_the_same_sections_and_tags(built_site):
    expected = [
        "피어세션 질문",
        "멘토 답변",
        "실험으로 확인하기",
        "보충 · 정정",
        "연습 문제",
        "다음에 읽을 것",
        "참고 자료",
    ]
    pages = list((built_site.path / "qna").glob("*/index.html"))
    assert len(pages) >= 5
    assert ADDED_PAGES <= {page.parent.name for page in pages}
    for page in pages:
        if page.parent.name == "qna":
            continue
        headings = [normalize(h.get_text(" ")).rstrip("¶ ").strip() for h in parse_page(page).select("article h2")]
        assert headings == (ADDED_PAGE_SECTIONS if page.parent.name in ADDED_PAGES else expected), page
        assert parse_page(page).select(".md-tag"), f"{page} has no tags"


LEARNER_PAGES = [
    "qna/scaled-dot-product",
    "qna/positional-encoding",
    "qna/complexity",
    "qna/layer-norm-warmup",
    "qna/gradient-vanishing",
    "assignment/bucketing",
    "qna/position-representations",
]


@pytest.mark.parametrize("url", LEARNER_PAGES)
def test_learner_aids_summary_folded_exercises_and_next_reading(built_site, url):
    page = parse_page(built_site.page(url))
    summary = page.select_one("article .admonition.abstract")
    assert summary and "요약" in summary.get_text(), "no 요약 box"
    assert page.select("article .admonition")[0] is summary, "요약 is not the page's first box"
    exercises = page.select("article h2#연습-문제 ~ details.success")
    assert len(exercises) >= 3, f"{len(exercises)} folded answers"
    next_reading = page.select_one("article h2#다음에-읽을-것")
    assert next_reading, "no 다음에 읽을 것 section"
    links = next_reading.find_next("ul").select("a[href]")
    assert any(not a["href"].startswith("http") for a in links) and any(a["href"].startswith("http") for a in links)


def test_block_diagram_and_schedule_figures_are_on_their_pages(built_site):
    def figures(url):
        return {
            img["src"].split("#")[0].split("/")[-1]
            for img in parse_page(built_site.page(url)).select("article figure img")
        }

    assert {"tb-blocks-light.svg", "tb-blocks-dark.svg"} <= figures("qna/layer-norm-warmup")
    assert {"tb-blocks-light.svg", "tb-blocks-dark.svg"} <= figures("qna/gradient-vanishing")
    assert {"wu-schedule-light.svg", "wu-schedule-dark.svg"} <= figures("qna/layer-norm-warmup")


def test_overview_table_lists_the_seven_questions_with_links(built_site):
    page = parse_page(built_site.page("qna"))
    tables = [t for t in page.select("article table") if len(t.select("tbody tr")) == 7]
    assert tables, "no table with one row per question"
    for row in tables[0].select("tbody tr"):
        assert row.select("a[href]"), normalize(row.get_text(" "))


def test_math_is_mathml_and_no_page_loads_a_cdn(built_site):
    assert parse_page(built_site.page("qna/positional-encoding")).select("article math")
    for page in built_site.html_pages():
        for tag in parse_page(page).select("script[src], link[href]"):
            url = tag.get("src") or tag.get("href")
            if tag.name == "link" and tag.get("rel") in (["canonical"], ["alternate"]):
                continue
            assert not re.match(r"(https?:)?//", url), f"{page}: loads {url}"


def test_every_internal_link_and_anchor_resolves(built_site):
    """What MkDocs' validation cannot see: links in notebooks and in HTML that the site's plugin writes."""
    ids_cache: dict[Path, set[str]] = {}

    def ids(page: Path) -> set[str]:
        if page not in ids_cache:
            ids_cache[page] = {tag["id"] for tag in parse_page(page).select("[id]")}
        return ids_cache[page]

    problems = []
    for page in built_site.html_pages():
        if page.name == "404.html":  # links by absolute path under site_url, tested in the browser
            continue
        for tag in parse_page(page).select("a[href], img[src], link[href], script[src]"):
            url = tag.get("href") or tag.get("src")
            if re.match(r"^([a-z]+:|//)", url) or url.startswith("javascript:"):
                continue
            path, _, anchor = url.partition("#")
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page.relative_to(built_site.path)}: {url} (no such file)")
            elif anchor and target.suffix == ".html" and anchor not in ids(target) and anchor not in ("", "__search"):
                problems.append(f"{page.relative_to(built_site.path)}: {url} (no such anchor)")
    assert not problems, "\n".join(sorted(set(problems)))


# \cdot, \_, \{, \, … or a $…$ span with TeX in it: TeX the reader would see as typed.
TEX_ESCAPE = re.compile(r"\\[A-Za-z_{}%&#$,;!]|\$[^$\n]*[_^{}][^$\n]*\$")


def test_no_tex_escape_reaches_the_reader(built_site):
    """Outside code, no page shows TeX source: not in its text, its math (MathML), nor in an
    alt text, title or label a screen reader reads."""
    found = []
    for page in built_site.html_pages():
        document = parse_page(page)
        for tag in document.select("pre, code, script, style"):
            tag.decompose()
        shown = [document.get_text(" ")]
        shown += [
            tag[attribute] for attribute in ("alt", "title", "aria-label") for tag in document.select(f"[{attribute}]")
        ]
        for text in shown:
            found += [
                f"{page.relative_to(built_site.path)}: …{text[max(0, m.start() - 30) : m.end() + 10]}…"
                for m in TEX_ESCAPE.finditer(text)
            ]
    assert not found, "\n".join(found)
