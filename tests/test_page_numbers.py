"""Every result on the topic pages is a citation of a computed value, never a typed number.

Scans docs/qna/*.md, docs/assignment/bucketing.md and the Markdown cells of every
snippet for a number written the way a result is written: a decimal (1.20, 0.086),
a percentage (7%), a power of ten (10⁻¹⁷, 3.2e-18, × 10), or a grouped number
(1 028, 10,000). Math, code, quotes of the original log, link URLs, section numbers
and the reference list are not prose and are skipped (tests/page_prose.py). What is
left must come from `{{ name:fmt }}` citations (scripts/citations.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.harness import ROOT
from tests.page_prose import math, prose, relative, snippet_markdown, without_section

PAGES = sorted((ROOT / "docs" / "qna").glob("*.md")) + [ROOT / "docs" / "assignment" / "bucketing.md"]
SNIPPETS = sorted(p for p in (ROOT / "snippets").glob("*.py") if not p.name.startswith("_"))

# A typed result looks like one of these.
RESULT_NUMBER = re.compile(
    r"\d+\.\d+"  # decimal: 1.20, 0.086
    r"|\d\s*%"  # percentage: 7%, 7 %
    r"|\d\s*[eE][-+]?\d"  # 3.2e-18
    r"|10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+|×\s*10"  # 10⁻¹⁷, × 10⁻¹⁸
    r"|10\^\{?-?\d"  # 10^{-17} outside math
    r"|\d{1,3}(?:[ ,]\d{3})+(?!\d)"  # grouped: 1 028, 10,000
)

# Inside math a formula may hold any constant, but a measured power of ten is a result: $2 \times 10^{-13}$.
RESULT_IN_MATH = re.compile(r"\\times\s*10\^|(?<![\d.])10\^\{\s*-\s*\d+\s*\}")

# Numbers that look like results but are not, each with the reason. Keep this short.
ALLOWED = {
    # Learning rates chosen as settings of the copy task (layer_norm.py: BIG_LR, SMALL_LR).
    "1e-2",
    "3e-3",
    # Peak learning rates of Xiong et al.'s IWSLT14 runs (§3.1): a citation of the paper.
    "5e-4",
    "1e-3",
    # warmup_steps settings drawn by warmup_schedule.py (4,000 is the paper's, §5.3).
    "1,000",
    "4,000",
    "16,000",
    # Base model's training steps (Vaswani et al. §5.2) and Adam's epsilon (§5.3): the paper's settings.
    "100,000",
    "10^{-9}",
    # Bucketing settings: the data set size (N_SEQUENCES), chunk sizes in sequences (CHUNK_SIZES),
    # and 12,800 = batch 128 × 100 batches, the chunk the old sweep would have used.
    "10,000",
    "3,200",
    "1,600",
    "12,800",
}


def typed_results(markdown: str) -> list[tuple[int, str, str]]:
    """(line, number, line text) for every number in prose that looks like a typed result."""
    markdown = without_section(markdown, "참고 자료")
    text = prose(markdown)
    found = [
        (0, match[0], formula)
        for formula in math(markdown)
        for match in RESULT_IN_MATH.finditer(formula)
        if match[0].replace(" ", "") not in ALLOWED
    ]
    for number, line in enumerate(text.splitlines(), start=1):
        for match in RESULT_NUMBER.finditer(line):
            if match[0].strip() not in ALLOWED:
                found.append((number, match[0], line.strip()))
    return found


def report(path: Path, found) -> str:
    return f"{relative(path)}: numbers typed in prose instead of cited (`{{{{ name:fmt }}}}`):\n" + "\n".join(
        f"  {number!r} in: {line}" for _, number, line in found
    )


@pytest.mark.parametrize("path", PAGES, ids=relative)
def test_page_cites_every_result(path):
    found = typed_results(path.read_text(encoding="utf-8"))
    assert not found, report(path, found)


@pytest.mark.parametrize("path", SNIPPETS, ids=relative)
def test_snippet_markdown_cites_every_result(path):
    found = typed_results(snippet_markdown(path))
    assert not found, report(path, found)


# ---------------------------------------------------------------- the scanner itself


@pytest.mark.parametrize(
    "typed",
    [
        "마지막 층의 기울기는 1.20이다.",
        "패딩 비율은 0.086이다.",
        "비율은 10⁻¹⁷ 수준이다.",
        "패딩은 7% 정도다.",
        "패딩은 7 % 정도다.",
        "분산은 약 1 028이다.",
        "분산은 약 1,028이다.",
        "비율은 3.2 × 10⁻¹⁸이다.",
        "오차는 1e-13 이하다.",
        '그림 캡션도 본다\n\n![](figure:x-y "분산 1.4배")',
        '!!! note "보충"\n\n    상자 안의 0.5도 본다.',
        "| 1 | 1.1 |",
        "비율은 $10^{-17}$배 수준이다.",
        "오차는 $2 \\times 10^{-13}$ 이하다.",
    ],
)
def test_scanner_finds_a_typed_result(typed):
    assert typed_results(typed)


@pytest.mark.parametrize(
    "not_a_result",
    [
        "기울기는 {{ ln_post_last:.2f }}이고 비율은 {{ gv_ratio:.1e }}다.",
        "분산은 $\\mathrm{Var}(q \\cdot k) = 1.0$이다.",
        "$$\n0.5 \\cdot d_k\n$$",
        "> 멘토의 말 0.5는 원문 그대로다.",
        '!!! question "질문 1"\n\n    원문의 질문 1.5를 그대로 둔다.\n\n이어지는 문장.',
        "논문 §3.2.1과 §5.3을 본다.",
        "코드 `lr = 1e-3`은 설정이다.",
        "[링크](https://arxiv.org/abs/2104.09864)",
        "## 참고 자료\n\n- Vaswani et al. 1.0 (2017)",
        "d_model = 128, 12층, 2021년 9월 6일~10일",
        "주파수는 $1/10000^{2i/d_{model}}$이고 학습률은 $d_{model}^{-0.5}$에 비례한다.",
    ],
)
def test_scanner_ignores_what_is_not_typed_prose(not_a_result):
    assert not typed_results(not_a_result)
