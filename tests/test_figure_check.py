"""The figure check (snippets/_figure_check.py) on purpose-built figures: each defect a reader
would see is caught, a clean figure passes, and save_figure refuses a defective figure."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch  # noqa: E402

from snippets import _figure_check as check  # noqa: E402
from snippets._figures import FigureDefect, figure_style, legend_below, save_figure  # noqa: E402

X = np.linspace(0, 10, 200)


@pytest.fixture(autouse=True)
def site_style():
    """The site's fonts and sizes (NanumGothic, 10 pt), as save_figure draws."""
    with figure_style("light"):
        yield
    plt.close("all")


def clean_figure():
    fig, ax = plt.subplots(figsize=(4.4, 3.6), layout="constrained")
    ax.plot(X, np.sin(X), label="사인")
    ax.plot(X, np.cos(X), label="코사인")
    ax.set_xlabel("위치 pos")
    ax.set_ylabel(r"값 $\sin(x)$")
    ax.set_title("깨끗한 그림")
    legend_below(fig, ncols=2)
    return fig


def only(found: list[str], words: str) -> str:
    assert len(found) >= 1, "the defect was not caught"
    assert all(words in item for item in found), found
    return found[0]


def test_a_clean_figure_passes():
    assert check.defects(clean_figure()) == []


def test_overlapping_texts_are_caught():
    fig = clean_figure()
    fig.axes[0].text(5, 0, "겹치는 글자", fontsize=12)
    fig.axes[0].text(5.3, 0.05, "또 하나", fontsize=12)
    message = only(check.defects(fig), "overlaps")
    assert "겹치는 글자" in message and "또 하나" in message


def test_crowded_tick_labels_are_caught():
    fig, ax = plt.subplots(figsize=(1.6, 2.0))
    ax.plot([0, 100_000], [0, 1])
    ax.set_xticks([0, 25_000, 50_000, 75_000, 100_000], ["0", "25,000", "50,000", "75,000", "100,000"])
    message = only(check.defects(fig, phone_column_px=1000), "overlaps")
    assert message.startswith("tick label")


def test_ticks_outside_the_view_are_not_counted():
    fig, ax = plt.subplots(figsize=(4.4, 3.0))
    ax.plot(X, np.sin(X))
    # Ticks far outside the view limits would overlap each other if they were painted.
    ax.set_xticks([0, 5, 10, 50, 50.01], ["0", "5", "10", "바깥", "바깥 둘"])
    ax.set_xlim(0, 10)
    assert check.defects(fig) == []


def test_a_label_that_runs_out_of_its_box_is_caught():
    fig, ax = plt.subplots(figsize=(4.0, 2.0))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    ax.axis("off")
    ax.add_patch(FancyBboxPatch((4, 1.5), 2, 1, boxstyle="round,pad=0"))
    ax.text(5, 2, "Multi-Head Attention", ha="center", va="center")
    only(check.defects(fig), "runs out of the box it labels")


def test_a_label_only_in_the_bounding_box_of_a_round_shape_is_not_held_by_it():
    # The text's centre lies in the circle's bounding box but outside the circle: the circle
    # does not label it, so the text may run past the circle's box.
    fig, ax = plt.subplots(figsize=(4.0, 4.0))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.add_patch(Circle((5, 5), 2))
    ax.text(6.8, 6.8, "원 밖의 긴 설명 글자", ha="left", va="center")
    assert [item for item in check.defects(fig) if "box it labels" in item] == []
    ax.text(5, 5, "원 안에 넣기엔 너무 긴 글자", ha="center", va="center")
    only([item for item in check.defects(fig) if "box it labels" in item], "runs out of the box it labels")


def test_many_boxes_each_hold_their_own_label():
    # A bar chart of many bars: each label is tested against the bar that holds it.
    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    bars = ax.bar(range(12), np.full(12, 4.0), width=0.9)
    ax.set_ylim(0, 5)
    ax.text(bars[3].get_x() + 0.45, 2, "넘치는 라벨", ha="center", va="center", rotation=90)
    assert check.defects(fig, phone_column_px=1000) == []
    ax.text(bars[8].get_x() + 0.45, 2, "넘치는 라벨", ha="center", va="center")
    only([item for item in check.defects(fig, phone_column_px=1000) if "box" in item], "runs out of the box")


def test_one_draw_records_the_painted_texts_and_the_saved_area():
    fig = clean_figure()
    drawing = check.draw(fig)
    assert {item.label for item in drawing.painted} >= {"깨끗한 그림", "위치 pos", "사인", "코사인"}
    assert (
        check.saved_area(fig, drawing.renderer, drawing.tight).bounds
        == check.saved_area(fig, fig.canvas.get_renderer()).bounds
    )


def test_a_label_that_fits_its_box_passes():
    fig, ax = plt.subplots(figsize=(4.0, 2.0))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    ax.axis("off")
    ax.add_patch(FancyBboxPatch((1, 1), 8, 2, boxstyle="round,pad=0", alpha=0.3))
    ax.text(5, 2, "Attention", ha="center", va="center")
    assert check.defects(fig) == []


def test_a_text_cut_off_by_its_axes_is_caught():
    fig, ax = plt.subplots(figsize=(4.4, 3.0))
    ax.plot(X, np.sin(X))
    ax.text(9.8, 0, "축 밖으로 나가는 긴 글자", clip_on=True)
    only(check.defects(fig), "cut off by its axes")


def test_a_text_left_out_of_the_saved_area_is_caught():
    fig = clean_figure()
    fig.text(1.3, 0.5, "그림 밖", in_layout=False)
    only(check.defects(fig), "runs out of the figure")


def test_a_legend_over_a_line_is_caught_with_its_share():
    fig, ax = plt.subplots(figsize=(4.4, 3.0))
    ax.plot(X, np.full_like(X, 0.9), label="가려지는 선")
    ax.plot(X, np.full_like(X, -0.9), label="아래 선")
    ax.set_ylim(-1, 1)
    ax.legend(loc="upper right")
    message = only(check.defects(fig), "the legend covers")
    assert "가려지는 선" in message and "아래 선" not in message


def test_a_legend_over_markers_and_bars_is_caught():
    fig, ax = plt.subplots(figsize=(4.4, 3.0))
    ax.bar([0, 1, 2, 3], [1, 1, 1, 4], label="막대")
    ax.legend(loc="upper right")
    only(check.defects(fig), "the legend covers")


def test_a_legend_over_a_tick_label_is_caught():
    fig, ax = plt.subplots(figsize=(4.4, 3.0))
    ax.plot(X, np.sin(X), label="선")
    ax.legend(loc="center left", bbox_to_anchor=(-0.25, 0.5))
    found = check.defects(fig)
    assert any("the legend covers tick label" in item for item in found), found


def test_a_legend_beside_the_data_passes():
    fig, ax = plt.subplots(figsize=(4.4, 3.0))
    ax.plot(X, np.full_like(X, -0.9), label="아래 선")
    ax.set_ylim(-1, 1)
    ax.legend(loc="upper right")
    assert check.defects(fig) == []


def test_math_split_by_wrapping_is_raw_tex():
    fig = clean_figure()
    fig.axes[0].set_title(r"§5.3: $d^{-0.5} \cdot \min(a,\ b)$", wrap=True)
    fig.set_size_inches(1.8, 3.0)
    found = check.defects(fig, phone_column_px=1000)
    assert any("unpaired $" in item for item in found), found


def test_a_backslash_outside_math_is_raw_tex():
    fig = clean_figure()
    fig.axes[0].set_xlabel(r"warmup\_steps")
    only([item for item in check.defects(fig) if "TeX" in item], "backslash shows as ₩")


def test_tex_braces_outside_math_are_raw_tex():
    fig = clean_figure()
    fig.axes[0].set_xlabel("d_{model} = 512")
    assert any("TeX outside" in item for item in check.defects(fig))


def test_proper_math_is_not_raw_tex():
    fig = clean_figure()
    fig.axes[0].set_xlabel(r"$\mathrm{lrate} = d_{\mathrm{model}}^{-0.5}$, 단위 \$")
    assert check.defects(fig) == []


def test_a_text_below_the_legibility_floor_is_caught():
    fig = clean_figure()
    fig.axes[0].text(1, 0, "작은 글자", fontsize=5)
    message = only(check.defects(fig), "below the legibility floor")
    assert "작은 글자" in message


def test_a_wide_figure_shrunk_into_a_phone_column_is_illegible():
    fig = clean_figure()
    fig.set_size_inches(9.0, 3.6)
    assert check.defects(fig, phone_column_px=1000) == []
    only(check.defects(fig, phone_column_px=358), "below the legibility floor")


def legend_over_a_line():
    fig, ax = plt.subplots(figsize=(4.4, 3.0))
    ax.plot(X, np.full_like(X, 0.9), label="가려지는 선")
    ax.set_ylim(-1, 1)
    ax.legend(loc="upper right")
    return fig


def test_save_figure_refuses_a_defective_figure_and_names_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SNIPPET_OUTPUT_DIR", str(tmp_path))

    with pytest.raises(FigureDefect, match=r"figure 'legend-check' \(only layout, light palette\): the legend covers"):
        save_figure("legend-check", legend_over_a_line, alt="범례 확인용 그림")
    assert not list(tmp_path.rglob("legend-check*")), "a defective figure was written"


def test_save_figure_records_every_check(tmp_path, monkeypatch):
    monkeypatch.setenv("SNIPPET_OUTPUT_DIR", str(tmp_path))

    def draw(narrow=False):
        return clean_figure()

    save_figure("checked", draw, alt="확인된 그림", narrow=True)
    meta = json.loads((tmp_path / "figures" / "checked.json").read_text(encoding="utf-8"))
    assert meta["checked"] == ["wide-light", "wide-dark", "narrow-light", "narrow-dark"]


def texts_apart_until_shrunk(narrow=False):
    """Two labels side by side that clear each other at the drawn width but overlap once the
    figure is shrunk (fonts keep their size) to fit a phone's column."""
    fig, ax = plt.subplots(figsize=(7.0, 3.0), layout="constrained")
    ax.plot(X, np.sin(X))
    ax.set_ylim(-3, 3)
    for x in (0.05, 0.45):
        ax.text(x, 0.85, "한 줄로 늘어선 아주 긴 설명 글자", transform=ax.transAxes)
    return fig


def test_save_figure_checks_the_figure_at_its_fitted_size(tmp_path, monkeypatch):
    monkeypatch.setenv("SNIPPET_OUTPUT_DIR", str(tmp_path))
    assert check.defects(texts_apart_until_shrunk(), phone_column_px=1000) == []

    with pytest.raises(FigureDefect, match=r"figure 'fitted-check' \(only layout, light palette\): text .* overlaps"):
        save_figure("fitted-check", texts_apart_until_shrunk, alt="맞춘 크기 확인용 그림")


def test_a_learners_run_outside_the_build_warns_and_still_draws(tmp_path, monkeypatch, capsys):
    from snippets import _figures

    monkeypatch.delenv("SNIPPET_OUTPUT_DIR", raising=False)
    monkeypatch.setattr(_figures, "DEFAULT_OUTPUT_DIR", tmp_path)

    written = save_figure("learner-check", legend_over_a_line, alt="학습자 실행 확인용 그림")
    assert all(path.exists() for path in written)
    assert (
        "figure check: figure 'learner-check' (only layout, light palette): the legend covers"
        in capsys.readouterr().out
    )
