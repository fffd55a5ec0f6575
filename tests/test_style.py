"""The mechanical part of the style conventions written down in README.md ("글쓰기 규칙").

Checked on the site's own prose (tests/page_prose.py: no code, math or quotes of the log):
comma digit grouping, one range mark (~), one quote style ("…"), one register (한다체),
nav titles equal to the pages' H1s, glossary headwords that the pages use, and panels of
figures that phones stack named by their order.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from scripts.harness import ROOT
from tests.page_prose import prose, relative

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))

# Pages of the other topics, to be brought in line; remove an entry once its page follows the rules.

SPACE_GROUPED = re.compile(r"\d \d{3}(?!\d)")
OTHER_RANGE_MARK = re.compile(r"\d\s*[–—…]\s*\d|\d\s+~|~\s+\d")
OTHER_QUOTES = re.compile(r"[“”‘’]|'[^'\n]*[가-힣][^'\n]*'")
# 합니다체: a syllable ending in ㅂ followed by 니다 (합니다, 그립니다, 입니다), or 세요 / 십시오.
_B_FINAL = "".join(chr(0xAC00 + i) for i in range(11172) if i % 28 == 17)
POLITE_ENDING = re.compile(rf"(?:[{_B_FINAL}]니다|세요|십시오)(?=[.!?)\s]|$)")


def own_prose(path: Path) -> str:
    return prose(path.read_text(encoding="utf-8"))


def violations(pattern: re.Pattern, text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if pattern.search(line)]


@pytest.mark.parametrize(
    "rule, pattern",
    [
        ("comma digit grouping (10,000), not a space", SPACE_GROUPED),
        ("ranges with ~ and no spaces (0~127), not – — …", OTHER_RANGE_MARK),
        ('straight double quotes ("…"), not “ ” ‘ ’ or single quotes', OTHER_QUOTES),
        ("한다체 in the site's own prose", POLITE_ENDING),
    ],
    ids=["grouping", "range", "quotes", "register"],
)
@pytest.mark.parametrize("path", PAGES, ids=relative)
def test_page_follows_the_style(path, rule, pattern):
    found = violations(pattern, own_prose(path))
    assert not found, f"{relative(path)}: {rule}:\n  " + "\n  ".join(found)


def test_register_outside_docs():
    """README (Korean part), 404 page, site description and copyright line: 한다체 too."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## English", 1)[0]
    texts = {
        "README.md": prose(readme),
        "overrides/404.html": (ROOT / "overrides" / "404.html").read_text(encoding="utf-8"),
        "mkdocs.yml": "\n".join(
            line
            for line in (ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
            if line.startswith(("site_description:", "copyright:"))
        ),
    }
    found = {name: violations(POLITE_ENDING, text) for name, text in texts.items()}
    assert not any(found.values()), found


@pytest.mark.parametrize(
    "line, pattern",
    [
        ("분산은 약 1 028이다.", SPACE_GROUPED),
        ("값은 0.98–1.03이다.", OTHER_RANGE_MARK),
        ("위치 0…127", OTHER_RANGE_MARK),
        ("9월 6일 ~ 10일", OTHER_RANGE_MARK),
        ("멘토의 ‘값이 너무 커서’", OTHER_QUOTES),
        ("'상대 위치'를 본다", OTHER_QUOTES),
        ("찾아 보세요.", POLITE_ENDING),
        ("다시 그립니다.", POLITE_ENDING),
    ],
)
def test_the_rules_catch_what_they_forbid(line, pattern):
    assert pattern.search(line)


@pytest.mark.parametrize("line", ["10,000쌍", "위치 0~127", '"우리들만의 언어"', "2021-09-06", "계산한다."])
def test_the_rules_accept_the_conventions(line):
    assert not any(p.search(line) for p in (SPACE_GROUPED, OTHER_RANGE_MARK, OTHER_QUOTES, POLITE_ENDING))


# ---------------------------------------------------------------- nav titles and H1s


class _IgnoreTags(yaml.SafeLoader):
    pass


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


def nav_entries(nav=None) -> list[tuple[str, str]]:
    """(title, page) for every titled Markdown page in mkdocs.yml's nav."""
    if nav is None:
        nav = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoreTags)["nav"]
    entries = []
    for item in nav:
        if isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, list):
                    entries += nav_entries(value)
                elif value.endswith(".md"):
                    entries.append((title, value))
    return entries


# The home tab is called 홈; its H1 is the site name.
NAV_TITLE_EXCEPTIONS = {"index.md": "the home tab is 홈, the page's H1 is the site name"}
NOT_YET_TITLED = {
    "docs/original.md": "the 원문 page's H1 names the log (원문: 7주차 학습정리); nav shortens it",
}


def h1(path: Path) -> str:
    match = re.search(r"^# (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return match[1].strip() if match else ""


@pytest.mark.parametrize(
    "title, page",
    [e for e in nav_entries() if e[1] not in NAV_TITLE_EXCEPTIONS],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_nav_title_is_the_pages_h1(title, page):
    path = DOCS / page
    if h1(path) != title and relative(path) in NOT_YET_TITLED:
        pytest.skip(f"{relative(path)}: {NOT_YET_TITLED[relative(path)]}")
    assert h1(path) == title, f"nav says {title!r}, {page} says # {h1(path)}"


def test_nav_is_parsed():
    assert len(nav_entries()) >= 10


# ---------------------------------------------------------------- glossary headwords


GLOSSARY = yaml.safe_load((ROOT / "data" / "glossary.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("term", [entry["term"] for entry in GLOSSARY])
def test_glossary_headword_is_used_by_a_page(term):
    pages = [p for p in PAGES if p.name != "glossary.md" and term in own_prose(p) + p.read_text(encoding="utf-8")]
    assert pages, f"the glossary headword {term!r} appears on no page: use it, or make the pages' term the headword"


# A figure drawn with a phone layout of its own (save_figure(..., narrow=True)) has its panels
# stacked on a phone, where "왼쪽/오른쪽" would point most readers at the wrong panel.
FIGURE_LINE = re.compile(r'!\[\]\(figure:(?P<name>[\w-]+) "(?P<caption>[^"]*)"\)')
SIDES = re.compile("왼쪽|오른쪽")


def stacked_figures() -> dict[str, str]:
    """Name -> alt text of every figure a snippet saves with narrow=True."""
    found = {}
    for path in sorted((ROOT / "snippets").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "save_figure"):
                continue
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            if getattr(keywords.get("narrow"), "value", False) is True:
                strings = [n.value for n in ast.walk(keywords["alt"]) if isinstance(n, ast.Constant)]
                found[node.args[0].value] = "".join(v for v in strings if isinstance(v, str))
    return found


def test_stacked_figures_name_their_panels_by_order():
    stacked = stacked_figures()
    texts = {f"alt text of {name} (snippets)": alt for name, alt in stacked.items()}
    for page in PAGES:
        for line in FIGURE_LINE.finditer(page.read_text(encoding="utf-8")):
            if line["name"] in stacked:
                texts[f"caption of {line['name']} ({relative(page)})"] = line["caption"]
    assert len(texts) > len(stacked), "no page embeds a stacked figure: the test reads nothing"
    found = [f"{where}: {text}" for where, text in texts.items() if SIDES.search(text)]
    assert not found, "panels that phones stack are 첫 번째/두 번째 패널, not 왼쪽/오른쪽:\n  " + "\n  ".join(found)
