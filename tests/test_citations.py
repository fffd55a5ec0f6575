"""Citations of published values: the Korean number formats, errors that name file and line,
and what `publish` accepts."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from scripts import citations
from scripts.figure_markup import NARROW_MEDIA, FigureError, expand
from snippets._figures import publish


@pytest.mark.parametrize(
    "value, spec, expected",
    [
        (1.2049, ".2f", "1.20"),
        (0.0863, ".1%", "8.6%"),
        (3.2e-18, ".1e", "3.2 × 10⁻¹⁸"),
        (2.7e-13, ".2e", "2.70 × 10⁻¹³"),
        (1e-17, ".0e", "10⁻¹⁷"),
        (12345.0, ".3e", "1.234 × 10⁴"),
        (10000, ",", "10,000"),
        (10000, None, "10,000"),
        (1028.0, None, "1,028"),
        (0.41666, None, "0.417"),
        (1234567.891, ",.1f", "1,234,567.9"),
    ],
)
def test_format_value_writes_numbers_the_korean_way(value, spec, expected):
    assert citations.format_value(value, spec) == expected


def test_resolve_replaces_every_citation_and_keeps_other_braces():
    text = "Post-LN {{ post:.2f }}, Pre-LN {{pre:.2f}} ({{ ratio:.1f }}배), LaTeX $d_{model}$"
    values = {"post": 1.2049, "pre": 0.4166, "ratio": 2.89}
    assert citations.resolve(text, values, "x.md") == "Post-LN 1.20, Pre-LN 0.42 (2.9배), LaTeX $d_{model}$"


def test_unknown_name_names_file_and_line():
    text = "첫 줄\n둘째 줄 {{ post:.2f }}\n셋째 줄 {{ missing:.2f }}"
    with pytest.raises(citations.CitationError, match=r"^docs/qna/x\.md:12: unknown value 'missing'"):
        citations.resolve(text, {"post": 1.0}, "docs/qna/x.md", first_line=10)


def test_bad_format_names_file_and_line():
    with pytest.raises(citations.CitationError, match=r"x\.md:1: bad format 'q'"):
        citations.resolve("{{ post:q }}", {"post": 1.0}, "x.md")


def test_publish_records_plain_numbers_from_python_numpy_and_torch(tmp_path, monkeypatch):
    monkeypatch.setenv("SNIPPET_OUTPUT_DIR", str(tmp_path))
    publish("from_torch", torch.tensor(0.1 + 0.2))
    publish("from_numpy", np.int64(10_000))
    publish("from_python", 1 / 3)
    values = json.loads((tmp_path / "values.json").read_text(encoding="utf-8"))
    assert values == {"from_torch": pytest.approx(0.3, rel=1e-6), "from_numpy": 10_000, "from_python": 0.333333333333}
    assert isinstance(values["from_numpy"], int)


@pytest.mark.parametrize(
    "name, value, error",
    [
        ("Bad-Name", 1.0, ValueError),
        ("기울기_값", 1.0, ValueError),  # a Python identifier, but no citation could name it
        ("nan_value", float("nan"), ValueError),
        ("text", "1.2", TypeError),
        ("flag", True, TypeError),
    ],
)
def test_publish_refuses_what_a_page_cannot_cite(tmp_path, monkeypatch, name, value, error):
    monkeypatch.setenv("SNIPPET_OUTPUT_DIR", str(tmp_path))
    with pytest.raises(error):
        publish(name, value)


FIGURES = {
    "pe-heatmap": {
        "alt": '위치 인코딩 [히트맵] "PE"',
        "snippet": "positional_encoding",
        "wide": {"width": 640, "height": 480, "min_font_pt": 10.0},
    },
    "ln-grad-norms": {
        "alt": "층별 기울기",
        "snippet": "layer_norm",
        "wide": {"width": 900, "height": 380, "min_font_pt": 10.0},
        "narrow": {"width": 430, "height": 620, "min_font_pt": 10.0},
    },
}


def test_a_figure_line_expands_to_the_light_dark_pair_with_one_alt_text_and_caption():
    markdown = '앞 문단\n\n![](figure:pe-heatmap "위치 인코딩 값")\n'
    html = expand(markdown, FIGURES, "qna/positional-encoding/", "docs/qna/positional-encoding.md")
    alt = 'alt="위치 인코딩 [히트맵] &quot;PE&quot;"'
    for variant in ("light", "dark"):
        assert (
            f'<img src="../../generated/figures/pe-heatmap-{variant}.svg#only-{variant}" {alt} width="640" height="480"'
        ) in html
    assert "<source" not in html, "no narrow layout, no narrow source"
    assert '<a class="notes-zoom" href="../../generated/figures/pe-heatmap-light.svg"' in html
    assert "<figcaption>위치 인코딩 값</figcaption>" in html
    assert html.count("figure:") == 0


def test_a_figure_with_a_narrow_layout_serves_it_to_narrow_screens_in_each_palette():
    html = expand('![](figure:ln-grad-norms "캡션")', FIGURES, "qna/x/", "docs/qna/x.md")
    for variant in ("light", "dark"):
        assert (
            f'<source media="{NARROW_MEDIA}" srcset="../../generated/figures/ln-grad-norms-narrow-{variant}.svg" '
            'width="430" height="620">'
        ) in html
        assert f'<img src="../../generated/figures/ln-grad-norms-{variant}.svg#only-{variant}"' in html
    assert html.count("<picture>") == 2


@pytest.mark.parametrize(
    "markdown, message",
    [
        ('\n\n![](figure:no-such "캡션")', r"x\.md:3: figure 'no-such' is made by no snippet"),
        ('![](figure:pe_heatmap "캡션")', r"x\.md:1: 'pe_heatmap' is not a figure name"),
        ('<img src="../generated/figures/gone-light.svg">', r"x\.md:1: figure 'gone' is made by no snippet"),
        ("문장 속 ![](figure:pe-heatmap) 그림", r"x\.md:1: a figure must stand on a line of its own"),
    ],
)
def test_figure_errors_name_the_page_and_line(markdown, message):
    with pytest.raises(FigureError, match=message):
        expand(markdown, FIGURES, "qna/x.md", "docs/qna/x.md")


@pytest.mark.parametrize(
    "number, coda",
    [
        ("0.73", "ㅁ"),
        ("0.086", "ㄱ"),
        ("0.72", ""),
        ("1.00", "ㅇ"),
        ("7", "ㄹ"),
        ("20", "ㅂ"),
        ("100", "ㄱ"),
        ("1,000", "ㄴ"),
        ("10,000", "ㄴ"),
        ("3,200", "ㄱ"),
        ("0", "ㅇ"),
        ("73%", ""),
        ("3.2 × 10⁻¹⁸", "ㅇ"),
        ("10⁻⁹", "ㅇ"),
    ],
)
def test_final_sound_follows_the_korean_reading(number, coda):
    assert citations.final_sound(number) == coda


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{{ a:.2f }}(이)가 크다", "0.73이 크다"),
        ("{{ c:.2f }}(이)가 크다", "0.72가 크다"),
        ("{{ b:.3f }}(이)다.", "0.086이다."),
        ("{{ p:.0% }}(이)다.", "72%다."),
        ("{{ n }}(으)로", "1,000으로"),
        ("{{ s }}(으)로", "7로"),
        ("{{ c:.2f }}(으)로", "0.72로"),
        ("{{ a:.2f }}(은)는", "0.73은"),
        ("{{ c:.2f }}(을)를", "0.72를"),
        ("{{ a:.2f }}(과)와", "0.73과"),
        ("{{ e:.1e }}(이)며", "3.2 × 10⁻¹⁸이며"),
        ("{{ c:.2f }}(이)고", "0.72고"),
    ],
)
def test_a_particle_written_in_both_forms_takes_the_form_of_the_number(text, expected):
    values = {"a": 0.73, "b": 0.086, "c": 0.72, "p": 0.72, "n": 1000, "s": 7, "e": 3.2e-18}
    assert citations.resolve(text, values, "x.md") == expected


def test_a_particle_that_is_not_a_pair_is_an_error_with_file_and_line():
    with pytest.raises(citations.CitationError, match=r"^x\.md:2: .*'\(은\)가'"):
        citations.resolve("첫 줄\n{{ a:.2f }}(은)가", {"a": 0.73}, "x.md")


def test_publishing_one_name_twice_with_another_value_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SNIPPET_OUTPUT_DIR", str(tmp_path))
    publish("twice_published", 1.5)
    publish("twice_published", 1.5)  # a notebook cell run again
    with pytest.raises(ValueError, match="already published as 1.5"):
        publish("twice_published", 2.5)


@pytest.mark.parametrize(
    "text, line",
    [
        ("앞\n{{ LN_post_last:.2f }}", 2),  # wrong case
        ("{{ ln_post_last:.2f }", 1),  # unclosed
        ("a\nb\n{{ ln-post-last }}", 3),  # hyphen
        ("{{ }}", 1),  # no name
    ],
)
def test_a_brace_pair_that_is_not_a_citation_is_an_error_with_file_and_line(text, line):
    with pytest.raises(citations.CitationError, match=rf"^x\.md:{line}: .* is not a citation"):
        citations.resolve(text, {"ln_post_last": 1.2}, "x.md")


def test_code_is_left_as_written():
    text = '값 {{ a:.1f }}, `{{ a:.1f }}`, `{{ 아무거나 }}`\n```python\nprint(f"{{ x }}")\n```\n끝 {{ a }}'
    assert citations.resolve(text, {"a": 0.5}, "x.md") == (
        '값 0.5, `{{ a:.1f }}`, `{{ 아무거나 }}`\n```python\nprint(f"{{ x }}")\n```\n끝 0.5'
    )


def test_a_figure_line_inside_code_is_left_as_written():
    text = '```markdown\n![](figure:nowhere "쓰는 법")\n```\n'
    assert expand(text, FIGURES, "qna/x/", "docs/qna/x.md") == text
