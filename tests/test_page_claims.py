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

ROOT = Path(__file__).resolve().parent.parent
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
    following = text[end:end + 6]
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
            found.append(f"{relative(path)}:{line}: '{match[0]}{particle}' — write the particle in both forms, "
                         f"e.g. (이)가, (은)는, (을)를, (과)와, (으)로, (이)다")
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


@pytest.mark.parametrize("page, number, constant, new, answer", changed_constants(),
                         ids=lambda value: value if isinstance(value, str) and len(value) < 40 else "")
def test_an_exercise_that_changes_a_constant_cites_the_variants_run(page, number, constant, new, answer):
    token = f"{constant.lower()}_{new.replace('.', '_')}"
    cited = [match["name"] for match in CITATION.finditer(answer)]
    variant = [name for name in cited if token in name]
    default = [name for name in cited if token not in name]
    assert variant, (f"{page}, exercise {number}: the answer cites no value of the run with {constant} = {new} "
                     f"(a published name containing '{token}')")
    assert default, f"{page}, exercise {number}: the answer cites no value of the default run to compare with"
