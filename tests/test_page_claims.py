"""What the pages say about runs is tied to runs.

- A particle after a cited number is written in its two forms (``{{ x:.2f }}(이)가``), so that the
  build picks the one the number's reading takes (scripts/citations.py); a bare particle would be
  right for one value and wrong for the next.
- A range between two cited numbers uses ``~`` (the README's rule), never a dash.
- An exercise that asks the reader to change a constant and rerun has that variant run by the
  build: its answer cites a value published for the variant (named ``…<constant>_<new value>…``,
  e.g. ``gv_depth_48_residual_growth`` for ``DEPTH`` 48) next to a value of the default run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.citations import CITATION
from scripts.harness import ROOT

PAGES = sorted((ROOT / "docs").rglob("*.md"))
SNIPPETS = sorted(p for p in (ROOT / "snippets").glob("*.py") if not p.name.startswith("_"))
# Particles whose form depends on the final sound of the word before them, as typed. The full
# copula (이다, 이며, 이고 …) reads well after any number and may stay; its short forms may not.
BARE_PARTICLE = re.compile(r"(?:이|가|은|는|을|를|과|와|다|며|고|나|라)(?![가-힣])|으로|로")
RANGE_DASH = re.compile(CITATION.pattern + r"\s*[–—]\s*\{\{")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def sources() -> list[Path]:
    return PAGES + SNIPPETS


def _bare_particle_after(text: str, end: int) -> str | None:
    following = text[end : end + 6]
    match = BARE_PARTICLE.match(following)
    return match[0] if match else None


@pytest.mark.parametrize("path", sources(), ids=relative)
def test_particles_after_cited_numbers_are_written_in_both_forms(path):
    text = path.read_text(encoding="utf-8")
    found = []
    for match in CITATION.finditer(text):
        if match["particle"]:
            continue
        particle = _bare_particle_after(text, match.end())
        if particle:
            line = text.count("\n", 0, match.start()) + 1
            found.append(
                f"{relative(path)}:{line}: '{match[0]}{particle}' — write the particle in both forms, "
                f"e.g. (이)가, (은)는, (을)를, (과)와, (으)로, (이)다"
            )
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", sources(), ids=relative)
def test_ranges_of_cited_numbers_use_a_tilde(path):
    text = path.read_text(encoding="utf-8")
    found = [f"{relative(path)}:{text.count(chr(10), 0, m.start()) + 1}: {m[0]}" for m in RANGE_DASH.finditer(text)]
    assert not found, "ranges are written with ~ (README):\n" + "\n".join(found)


# ---------------------------------------------------------------- exercises with a changed constant

EXERCISE = re.compile(r"^\*\*(?P<number>\d+)\.(?P<body>.*?)(?=^\*\*\d+\.|^## |\Z)", re.DOTALL | re.MULTILINE)
# "`DEPTH`를 24에서 48로 바꾸고" or "`D_MODEL = 128`을 `D_MODEL = 64`로 바꾸고"
CHANGE = re.compile(
    r"`(?P<constant>[A-Z][A-Z0-9_]*)`[을를]\s*[\d,]+에서\s*(?P<new>[\d,.]+)(?:으로|로)\s*(?:바꾸|줄이|늘리)"
    r"|`(?P<constant2>[A-Z][A-Z0-9_]*) *= *[\d_,.]+`[을를]\s*`[A-Z0-9_]+ *= *(?P<new2>[\d_,.]+)`(?:으로|로)\s*"
    r"(?:바꾸|줄이|늘리)"
)


def exercises() -> list[tuple[str, str, str, str]]:
    """(page, exercise number, question, answer) of every exercise on the topic pages."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        if "## 연습 문제" not in text:
            continue
        section = text.split("## 연습 문제", 1)[1].split("\n## ", 1)[0]
        for match in EXERCISE.finditer(section):
            question, _, answer = match["body"].partition('??? success "답"')
            found.append((relative(page), match["number"], question, answer))
    return found


def changed_constants() -> list[tuple[str, str, str, str, str]]:
    """(page, number, constant, new value, answer) of every exercise that changes a constant."""
    found = []
    for page, number, question, answer in exercises():
        for change in CHANGE.finditer(question):
            constant = change["constant"] or change["constant2"]
            new = (change["new"] or change["new2"]).replace(",", "").replace("_", "")
            found.append((page, number, constant, new, answer))
    return found


def test_the_exercises_that_change_a_constant_are_found():
    changes = {(page, constant) for page, _, constant, _, _ in changed_constants()}
    assert len(exercises()) >= 20
    assert ("docs/qna/gradient-vanishing.md", "DEPTH") in changes
    assert ("docs/assignment/bucketing.md", "CHUNK_SIZE") in changes
    assert len(changes) >= 6


@pytest.mark.parametrize(
    "page, number, constant, new, answer",
    changed_constants(),
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else "",
)
def test_an_exercise_that_changes_a_constant_cites_the_variants_run(page, number, constant, new, answer):
    token = f"{constant.lower()}_{new.replace('.', '_')}"
    cited = [match["name"] for match in CITATION.finditer(answer)]
    variant = [name for name in cited if token in name]
    default = [name for name in cited if token not in name]
    assert variant, (
        f"{page}, exercise {number}: the answer cites no value of the run with {constant} = {new} "
        f"(a published name containing '{token}')"
    )
    assert default, f"{page}, exercise {number}: the answer cites no value of the default run to compare with"


# ---------------------------------------------------------------- shape words

# A word that describes the shape of a computed curve. Every sentence on the pages and in the
# snippets' Markdown that holds one is listed below with the tests that assert it on computed
# values, or with the reason it is not a claim about a run (a setting, the paper's figure).
SHAPE_WORD = re.compile(r"단조|평평|일정하|거의 일정|직선|가속|빨라지|교차|만나|만난|엇갈|꺾|물결")
SETTING, PAPER = "a setting of the experiment", "the paper's figure, cited"
SHAPE_CLAIMS = {
    # complexity
    "두 직선은 에서 만난다": ["test_complexity.py::test_crossover_is_at_n_equals_d"],
    "두 곡선은 근처에서 만난다": ["test_complexity.py::test_crossover_is_at_n_equals_d"],
    "교차점이 어떻게 움직이는지 보자": ["test_complexity.py::test_d_fixed_256_moves_the_crossover_to_n_256"],
    "두 직선이 만나는 곳(점선)이": ["test_complexity.py::test_d_fixed_256_moves_the_crossover_to_n_256"],
    "두 곡선이 만나는 을 센 값으로": ["test_complexity.py::test_crossover_is_at_n_equals_d"],
    "그대로이고, 교차점은": [
        "test_complexity.py::test_d_fixed_256_keeps_the_slopes_in_n",
        "test_complexity.py::test_d_fixed_256_moves_the_crossover_to_n_256",
    ],
    # gradient vanishing
    "거의 일정한 비율(평균": ["test_gradient_vanishing.py::test_rnn_decay_is_exponential"],
    "거의 일정한 비율로(평균": ["test_gradient_vanishing.py::test_rnn_decay_is_exponential"],
    "사이로 평평하다": ["test_gradient_vanishing.py::test_orthogonal_control_is_flat_from_layer_2"],
    "평평한 높이는": [
        "test_gradient_vanishing.py::test_averaging_over_positions_shrinks_once_by_about_one_over_sqrt_t"
    ],
    "사라지지 않지만 평평하지도 않다": [
        "test_gradient_vanishing.py::test_residual_growth_starts_before_layer_24_and_accelerates"
    ],
    "대조군에서는 2층부터 평평하다": ["test_gradient_vanishing.py::test_orthogonal_control_is_flat_from_layer_2"],
    # layer norm and warm-up
    "Pre-LN의 기울기 노름은 층에 따라 **거의 평평하다**": [
        PAPER,
        "test_layer_norm.py::test_pre_ln_gradient_falls_with_depth",
    ],
    "Pre-LN은 층에 따라 거의 평평한데": [PAPER, "test_layer_norm.py::test_pre_ln_gradient_falls_with_depth"],
    "선형으로 키운 뒤 **일정하게** 두고": [SETTING],
    "그 뒤로는 일정하게 둔다": [SETTING],
    "learning rate를 일정하게 둔다": [SETTING],
    "선형으로 키운 뒤 일정하게 두고": [SETTING],
    # positional encoding
    "아무리 커져도 일정하다": ["test_positional_encoding.py::test_pe_size_is_the_same_at_every_position"],
    "단조롭게 줄지는 않고 물결친다": [
        "test_positional_encoding.py::test_similarity_falls_overall_but_not_monotonically",
        "test_positional_encoding.py::test_similarity_is_lowest_at_offset_111_and_stays_positive",
    ],
    "평행한 줄을 따라 일정하다": ["test_positional_encoding.py::test_dot_product_depends_only_on_offset"],
    # scaled dot-product
    "두 곡선이 만나는 곳이 오른쪽으로 밀린다": [
        "test_scaled_dot_product.py::test_with_256_keys_the_crossing_moves_to_larger_d_k"
    ],
    "두 야코비안 곡선이 만나는 가 달라진다": [
        "test_scaled_dot_product.py::test_with_256_keys_the_crossing_moves_to_larger_d_k"
    ],
    "두 곡선이 만나는 가": ["test_scaled_dot_product.py::test_with_256_keys_the_crossing_moves_to_larger_d_k"],
    # layer norm: DeepNorm and RMSNorm
    "오히려 조금 줄고 최대/최소 비가": ["test_ln_variants.py::test_deepnorm_alpha_is_nearly_flat_where_post_ln_grows"],
    # RNN theory
    "상계는 거리와 상관없이": ["test_rnn_theory.py::test_orthogonal_bound_is_flat_at_the_input_weight_norm"],
    # the figures' alt texts
    "두 직선은 n = ⟨값⟩에서 만난다": ["test_complexity.py::test_crossover_is_at_n_equals_d"],
    "self-attention은 모든 n에서 ⟨값⟩단계로 일정하다": [
        "test_complexity.py::test_rnn_needs_n_sequential_steps_attention_a_constant_number"
    ],
    "tanh RNN은 직선으로 떨어져": ["test_gradient_vanishing.py::test_rnn_decay_is_exponential"],
    "배씩 직선으로 줄어들어, 2층부터": [
        "test_gradient_vanishing.py::test_per_layer_shrink_is_the_init_gain_of_value_and_output"
    ],
    "뒤쪽 차원은 거의 일정하다": [
        "test_positional_encoding.py::test_heatmap_front_dimensions_change_fast_and_back_dimensions_stay_flat"
    ],
    "물결치듯 다시 커지는 곳이 있다": [
        "test_positional_encoding.py::test_similarity_falls_overall_but_not_monotonically"
    ],
    "측정한 기울기는 직선으로 떨어져": [
        "test_rnn_theory.py::test_the_default_rnn_is_the_one_of_gradient_vanishing",
        "test_gradient_vanishing.py::test_rnn_decay_is_exponential",
    ],
    "직교 초기화의 상계는 ⟨값⟩에서 평평하고": [
        "test_rnn_theory.py::test_orthogonal_bound_is_flat_at_the_input_weight_norm"
    ],
    "스케일링한 쪽은 거의 일정하다": ["test_scaled_dot_product.py::test_scaled_curves_are_flat_in_d_k"],
    "0에서 까지 선형으로 오른 뒤 일정하다": [SETTING],
}


def shape_sentences() -> list[tuple[str, str]]:
    """Sentences with a shape word in the pages, the snippets' Markdown and the figures' alt texts."""
    from tests.page_prose import alt_texts, prose, snippet_markdown, without_section

    found = []
    for path in sources():
        markdown = snippet_markdown(path) if path.suffix == ".py" else path.read_text(encoding="utf-8")
        texts = [prose(without_section(without_section(markdown, "참고 자료"), "다음에 읽을 것"))]
        texts += [prose(alt) for alt in alt_texts(path)] if path.suffix == ".py" else []
        for text in texts:
            for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n", text):
                sentence = " ".join(sentence.split())
                if SHAPE_WORD.search(sentence):
                    found.append((relative(path), sentence))
    return found


def test_every_shape_word_is_asserted_by_a_test_or_said_not_to_be_a_run():
    sentences = shape_sentences()
    assert len(sentences) >= 20
    unlisted = [
        f"{path}: {sentence}" for path, sentence in sentences if not any(phrase in sentence for phrase in SHAPE_CLAIMS)
    ]
    assert not unlisted, (
        "a shape word with no test (add the test and list the sentence in SHAPE_CLAIMS):\n" + "\n".join(unlisted)
    )


@pytest.mark.parametrize("phrase", sorted(SHAPE_CLAIMS))
def test_each_listed_shape_claim_is_on_a_page_and_its_tests_exist(phrase):
    import importlib

    assert any(phrase in sentence for _, sentence in shape_sentences()), f"no sentence says {phrase!r} any more"
    for test in SHAPE_CLAIMS[phrase]:
        if test in (SETTING, PAPER):
            continue
        module, name = test.split("::")
        assert hasattr(importlib.import_module(f"tests.{module[:-3]}"), name), f"{test} does not exist"


@pytest.mark.parametrize(
    "page, number, constant, new, answer",
    changed_constants(),
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else "",
)
def test_an_exercise_that_changes_a_constant_says_how_in_the_notebook(page, number, constant, new, answer):
    """The question points at the notebook's 설정 cell, and the constant is defined there."""
    import jupytext

    question = next(q for p, n, q, _ in exercises() if p == page and n == number)
    assert f"**설정** 셀의 `{constant}`" in question, f"{page}, exercise {number}: no word on the notebook's 설정 cell"
    snippet = re.search(r"--only (\w+)", question)[1]
    cells = jupytext.read(ROOT / "snippets" / f"{snippet}.py").cells
    heading = next(
        i for i, cell in enumerate(cells) if cell.cell_type == "markdown" and cell.source.startswith("### 설정")
    )
    settings = next(cell for cell in cells[heading:] if cell.cell_type == "code")
    assert re.search(rf"^{constant} = ", settings.source, re.MULTILINE), f"{constant} is not in {snippet}'s 설정 cell"
    first_code = next(i for i, cell in enumerate(cells) if cell.cell_type == "code")
    assert heading == first_code + 1, "the 설정 cell comes right after the imports, near the top"
