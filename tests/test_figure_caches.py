"""The per-process caches of snippets/_text_layout_caches.py (math layouts, text sizes, line
heights) give the layouts matplotlib computes without them: the same text boxes and SVG bytes."""

from __future__ import annotations

import io

import matplotlib
import matplotlib.text

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import RendererAgg  # noqa: E402
from matplotlib.backends.backend_svg import RendererSVG  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.ft2font import LoadFlags  # noqa: E402
from matplotlib.mathtext import MathTextParser  # noqa: E402

from snippets._figures import figure_style  # noqa: E402  (importing it installs the caches)

TEXTS = [
    ("위치 pos", {}),
    ("두 줄로\n나뉜 글자", {"fontsize": 13}),
    (r"$\sqrt{d_k}$로 나눈 값", {"fontsize": 8}),
    ("굵은 제목", {"fontweight": "bold"}),
    (r"$\mathdefault{10^{\text{-}7}}$", {}),
]


def figure_of_texts(dpi: float = 100):
    fig = plt.figure(figsize=(4.0, 3.0), dpi=dpi)
    artists = [fig.text(0.05, 0.05 + 0.18 * i, text, **style) for i, (text, style) in enumerate(TEXTS)]
    return fig, artists


def svg_bytes(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def site_style():
    with figure_style("light"):
        yield
    plt.close("all")


@pytest.mark.parametrize("dpi", (100, 150))
def test_text_boxes_are_those_without_the_line_height_cache(monkeypatch, dpi):
    assert hasattr(RendererAgg, "_get_font_height_metrics") and hasattr(RendererSVG, "_get_font_height_metrics")
    fig, artists = figure_of_texts(dpi)
    renderer = fig.canvas.get_renderer()
    cached = [text.get_window_extent(renderer).bounds for text in artists]
    monkeypatch.delattr(RendererAgg, "_get_font_height_metrics")
    fig, artists = figure_of_texts(dpi)
    renderer = fig.canvas.get_renderer()
    assert [text.get_window_extent(renderer).bounds for text in artists] == cached


def test_text_boxes_and_svg_bytes_are_those_without_the_shared_text_sizes(monkeypatch):
    fig, artists = figure_of_texts()
    cached_boxes = [text.get_window_extent(fig.canvas.get_renderer()).bounds for text in artists]
    cached_svg = svg_bytes(fig)
    monkeypatch.setattr(
        matplotlib.text, "_get_text_metrics_with_cache", matplotlib.text._get_text_metrics_with_cache.__wrapped__
    )
    fig, artists = figure_of_texts()
    assert [text.get_window_extent(fig.canvas.get_renderer()).bounds for text in artists] == cached_boxes
    assert svg_bytes(figure_of_texts()[0]) == cached_svg


def test_a_text_is_measured_once_per_kind_of_renderer_and_dpi():
    sizes = matplotlib.text._get_text_metrics_with_cache.sizes
    prop = FontProperties(size=11)
    first, second, sharper = RendererAgg(300, 200, 100), RendererAgg(400, 300, 100), RendererAgg(300, 200, 200)
    before = len(sizes)
    size = matplotlib.text._get_text_metrics_with_cache(first, "한 번만 잰다", prop, False, 100)
    assert matplotlib.text._get_text_metrics_with_cache(second, "한 번만 잰다", prop, False, 100) == size
    assert len(sizes) == before + 1
    assert size == first.get_text_width_height_descent("한 번만 잰다", prop, False)
    doubled = matplotlib.text._get_text_metrics_with_cache(sharper, "한 번만 잰다", prop, False, 200)
    assert len(sizes) == before + 2 and doubled[0] > 1.9 * size[0]


def test_svg_bytes_are_those_without_the_line_height_cache(monkeypatch):
    cached = svg_bytes(figure_of_texts()[0])
    monkeypatch.delattr(RendererAgg, "_get_font_height_metrics")
    monkeypatch.delattr(RendererSVG, "_get_font_height_metrics")
    assert svg_bytes(figure_of_texts()[0]) == cached


def test_math_layouts_are_shared_by_every_renderer():
    prop = FontProperties(size=10)
    first, second = RendererAgg(100, 100, 100), RendererAgg(200, 100, 100)
    assert first.mathtext_parser is not second.mathtext_parser
    label = r"$\mathdefault{10^{\text{-}7}}$"
    layout = first.mathtext_parser.parse(label, 100, prop)
    assert second.mathtext_parser.parse(label, 100, prop) is layout
    # The same layout as a parser computes on its own; another size or kind of output is another one.
    alone = MathTextParser._parse_cached.__wrapped__
    antialiased = matplotlib.rcParams["text.antialiased"]
    own = alone(MathTextParser("path"), label, 100, prop.copy(), antialiased, LoadFlags.NO_HINTING)
    assert own == layout and own is not layout
    assert first.mathtext_parser.parse(label, 72, prop) is not layout
    assert MathTextParser("agg").parse(label, 100, prop) is not layout


def test_svg_bytes_are_those_without_the_shared_math_layouts(monkeypatch):
    cached = svg_bytes(figure_of_texts()[0])
    monkeypatch.setattr(MathTextParser, "_parse_cached", MathTextParser._parse_cached.__wrapped__)
    assert svg_bytes(figure_of_texts()[0]) == cached
