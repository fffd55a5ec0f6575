"""What a reader sees in a figure, checked before it is saved.

``defects(fig, phone_column_px)`` draws the figure and returns what a reader would
see at once, one sentence each:

* two painted texts overlap (tick labels, axis labels, titles, legend entries,
  annotations, labels in diagram boxes);
* a text runs out of the box it labels (a patch that holds the text's centre) or out
  of its clip box (the axes that cut it off);
* a legend's box lies on a text that is not its own (a tick label, another panel's title);
* a legend covers plotted data: lines are sampled along their segments (markers at
  their points), areas (bars, fills, images) on a pixel grid, and the share of the
  samples under any legend's box may not pass ``SLIVER``;
* a text shows raw TeX: an odd number of ``$`` on a painted line (a ``$…$`` span split
  by wrapping), a backslash or ``_{``/``^{`` outside math (a Korean font draws ``\\`` as
  ₩), or math that mathtext cannot parse;
* a text is smaller than ``LEGIBLE_PX`` once the figure is shown in a column
  ``phone_column_px`` wide.

Only texts that are actually painted count: the check records each text as
matplotlib draws it (ticks outside the view limits, empty or hidden texts are never
drawn), with the lines as painted, wrapping included. Geometry is in display
pixels of the figure's own DPI; one pixel of slack absorbs rounding.

The check draws the figure once (``draw``): on its Agg canvas, with the same layout,
tick placement and text wrapping as ``canvas.draw()``, but with painting turned off,
since the check needs where things are, not their pixels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from matplotlib import cbook, collections, image, patches, text
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.mathtext import MathTextParser
from matplotlib.transforms import Bbox

# A 390 px phone shows Material's content column 390 - 2 x 16 px wide.
PHONE_COLUMN_PX = 358
# Smallest text a reader can read, in CSS px, as displayed.
LEGIBLE_PX = 10.0
# Share of a data series that a legend may hide before a reader misses it.
SLIVER = 0.01
# Boxes are the fonts' full line boxes (ascent to descent), wider than the ink: any
# overlap beyond rounding is a defect.
SLACK_PX = 0.5
_PX_PER_PT = 4 / 3  # an SVG "pt" is 4/3 CSS px
_RAW_TEX_OUTSIDE_MATH = re.compile(r"\\|[_^]\{")


@dataclass(frozen=True)
class Painted:
    """One text as drawn: the artist, its painted lines and its box in display pixels."""

    artist: text.Text
    lines: tuple[str, ...]
    box: Bbox

    @property
    def label(self) -> str:
        return " / ".join(line for line in self.lines if line.strip())


@dataclass(frozen=True)
class Drawing:
    """A figure as drawn on its canvas: the texts painted, the renderer whose geometry they
    have, and the figure's tight bounding box (inches, as savefig takes it)."""

    painted: list[Painted]
    renderer: object
    tight: Bbox


def defects(fig: Figure, phone_column_px: float = PHONE_COLUMN_PX) -> list[str]:
    """Every defect a reader would see in ``fig`` (empty when the figure is clean)."""
    drawing = draw(fig)
    painted, renderer = drawing.painted, drawing.renderer
    saved = saved_area(fig, renderer, drawing.tight)
    found = []
    found += overlapping_texts(painted)
    found += texts_out_of_their_box(fig, painted, renderer, saved)
    found += legends_over_data(fig, renderer)
    found += legends_over_texts(fig, painted, renderer)
    found += raw_tex(painted)
    found += illegible_texts(fig, painted, renderer, phone_column_px, saved)
    return found


# ---------------------------------------------------------------- what is painted


@contextmanager
def _recording_text_draws(record: list) -> Iterator[None]:
    """Wrap ``Text.draw`` so that every text that gets painted is recorded with its layout."""
    original = text.Text.draw

    def draw(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text() != "" and renderer is not None:
            box, info, _ = self._get_layout(renderer)
            extent = self.get_window_extent(renderer)
            if np.all(np.isfinite(extent.get_points())):
                record.append(Painted(self, tuple(line for line, _, _ in info), extent))

    text.Text.draw = draw
    try:
        yield
    finally:
        text.Text.draw = original


def draw(fig: Figure) -> Drawing:
    """Draw ``fig`` on its Agg canvas as ``canvas.draw()`` would (layout engine, tick placement,
    text wrapping: the same geometry) but with the renderer's painting turned off, record the
    texts it paints and measure its tight bounding box."""
    record: list[Painted] = []
    renderer = fig.canvas.get_renderer()
    with _recording_text_draws(record), renderer._draw_disabled():
        fig.draw(renderer)
    unique: dict[int, Painted] = {}
    for item in record:
        unique[id(item.artist)] = item
    painted = [item for item in unique.values() if item.label.strip()]
    return Drawing(painted, renderer, fig.get_tightbbox(renderer))


def painted_texts(fig: Figure) -> list[Painted]:
    """The texts that a draw of ``fig`` paints, in drawing order (each artist once)."""
    return draw(fig).painted


def _role(artist: text.Text) -> str:
    """A few words on what the text is, for the defect's sentence."""
    for ax in artist.get_figure(root=True).axes:
        if artist in (ax.title, ax._left_title, ax._right_title):
            return "title"
        if artist is ax.xaxis.label or artist is ax.yaxis.label:
            return "axis label"
        for axis in (ax.xaxis, ax.yaxis):
            ticks = axis.get_major_ticks() + axis.get_minor_ticks()
            if any(artist in (tick.label1, tick.label2) for tick in ticks):
                return "tick label"
            if artist is axis.offsetText:
                return "axis offset"
    if any(artist in legend.texts for legend in _legends(artist.get_figure(root=True))):
        return "legend entry"
    if isinstance(artist, text.Annotation):
        return "annotation"
    return "text"


def _describe(item: Painted) -> str:
    return f"{_role(item.artist)} {item.label!r}"


# ---------------------------------------------------------------- overlaps


def _overlap(a: Bbox, b: Bbox) -> tuple[float, float]:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width, height


def overlapping_texts(painted: list[Painted]) -> list[str]:
    found = []
    for i, first in enumerate(painted):
        for second in painted[i + 1:]:
            width, height = _overlap(first.box, second.box)
            if width > SLACK_PX and height > SLACK_PX:
                found.append(f"{_describe(first)} overlaps {_describe(second)} ({width:.0f} × {height:.0f} px)")
    return found


# ---------------------------------------------------------------- boxes


def _boxes(fig: Figure) -> list[patches.Patch]:
    """Closed shapes that can hold a label: diagram boxes, bars, spans (not arrows)."""
    found = list(fig.patches)
    for ax in fig.axes:
        found += ax.patches
    return [p for p in found if p.get_visible() and not isinstance(p, patches.FancyArrowPatch)]


def _name(artist, kind: str) -> str:
    """'line "사인"', or 'an unlabelled line'; a bar takes the label of its bar container."""
    label = artist.get_label() or ""
    axes = getattr(artist, "axes", None)
    for container in getattr(axes, "containers", []):
        if artist in container:
            label = container.get_label() or label
    return f"{kind} {label!r}" if label and not label.startswith("_") else f"an unlabelled {kind}"


def _inside(inner: Bbox, outer: Bbox) -> bool:
    return (inner.x0 >= outer.x0 - SLACK_PX and inner.x1 <= outer.x1 + SLACK_PX
            and inner.y0 >= outer.y0 - SLACK_PX and inner.y1 <= outer.y1 + SLACK_PX)


def texts_out_of_their_box(fig: Figure, painted: list[Painted], renderer, saved: Bbox | None = None) -> list[str]:
    """A text whose centre lies in a box must fit in it (the smallest such box); a text that
    its axes clip must fit in the clip box (else the reader sees it cut)."""
    found = []
    saved = saved_area(fig, renderer) if saved is None else saved
    # Each box's outline in display pixels, once: a bar chart has hundreds of boxes and every
    # text is tested against all of them.
    boxes = []
    for patch in _boxes(fig):
        transform = patch.get_transform()
        boxes.append((patch.get_path(), transform.frozen(), patch.get_path().get_extents(transform)))
    legend_texts = {id(text) for legend in _legends(fig) for text in legend.texts}
    for item in painted:
        if id(item.artist) in legend_texts:
            continue  # a legend over a box is a legend over data (legends_over_data)
        centre = item.box.x0 + item.box.width / 2, item.box.y0 + item.box.height / 2
        holders = [(extent.width * extent.height, extent) for path, transform, extent in boxes
                   if _near(centre, extent) and path.contains_point(centre, transform)]
        if holders:
            _, holder = min(holders, key=lambda pair: pair[0])
            if not _inside(item.box, holder):
                found.append(f"{_describe(item)} runs out of the box it labels")
        clip = item.artist.get_clip_box() if item.artist.get_clip_on() else None
        if clip is not None and not _inside(item.box, clip):
            found.append(f"{_describe(item)} is cut off by its axes")
        elif not _inside(item.box, saved):
            found.append(f"{_describe(item)} runs out of the figure")
    return found


def _near(point: tuple[float, float], extent: Bbox) -> bool:
    """Whether ``point`` lies in ``extent`` (a shape's bounding box) give or take a pixel: only
    then can the shape hold it."""
    return extent.x0 - 1 <= point[0] <= extent.x1 + 1 and extent.y0 - 1 <= point[1] <= extent.y1 + 1


def saved_area(fig: Figure, renderer, tight: Bbox | None = None) -> Bbox:
    """The part of the canvas that ``savefig(bbox_inches='tight')`` writes, in display pixels
    (texts left out of the layout may fall outside it). ``tight`` is the figure's tight
    bounding box in inches when it was just measured."""
    from matplotlib import rcParams

    pad = rcParams["savefig.pad_inches"] * fig.dpi
    inches = fig.get_tightbbox(renderer) if tight is None else tight
    return Bbox.from_extents(inches.x0 * fig.dpi - pad, inches.y0 * fig.dpi - pad,
                             inches.x1 * fig.dpi + pad, inches.y1 * fig.dpi + pad)


# ---------------------------------------------------------------- legends over data


def _legends(fig: Figure) -> list[Legend]:
    found = list(fig.legends)
    found += [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return [legend for legend in found if legend.get_visible()]


def _sample_segments(points: np.ndarray, step_px: float = 1.0) -> np.ndarray:
    """Points every ``step_px`` along a polyline (NaNs break it, as matplotlib draws it)."""
    samples = []
    for start, end in zip(points[:-1], points[1:]):
        if not (np.all(np.isfinite(start)) and np.all(np.isfinite(end))):
            continue
        count = max(2, int(np.hypot(*(end - start)) / step_px) + 1)
        samples.append(np.linspace(start, end, count))
    return np.concatenate(samples) if samples else np.empty((0, 2))


def _sample_area(path, transform, clip: Bbox, step_px: float = 2.0) -> np.ndarray:
    """Grid points inside a filled shape (in display pixels), within ``clip``."""
    extent = path.get_extents(transform)
    x0, x1 = max(extent.x0, clip.x0), min(extent.x1, clip.x1)
    y0, y1 = max(extent.y0, clip.y0), min(extent.y1, clip.y1)
    if x1 <= x0 or y1 <= y0:
        return np.empty((0, 2))
    xs, ys = np.meshgrid(np.arange(x0, x1, step_px) + step_px / 2, np.arange(y0, y1, step_px) + step_px / 2)
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    display_path = transform.transform_path(path)
    return grid[display_path.contains_points(grid)] if len(grid) else grid


def _within(points: np.ndarray, box: Bbox) -> np.ndarray:
    return ((points[:, 0] >= box.x0) & (points[:, 0] <= box.x1)
            & (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1))


def _data_series(ax) -> Iterator[tuple[str, np.ndarray]]:
    """(name, sample points in display pixels) for every plotted series of ``ax``."""
    clip = ax.bbox
    for line in ax.lines:
        if not line.get_visible():
            continue
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
        samples = []
        if line.get_linestyle() not in ("None", "none", "", " "):
            samples.append(_sample_segments(xy))
        if line.get_marker() not in ("None", "none", "", " ", None):
            samples.append(xy[np.all(np.isfinite(xy), axis=1)])
        points = np.concatenate(samples) if samples else np.empty((0, 2))
        yield _name(line, "line"), points[_within(points, clip)] if len(points) else points
    for collection in ax.collections:
        if not collection.get_visible():
            continue
        kind = {collections.PathCollection: "point set", collections.LineCollection: "line set"}
        name = _name(collection, kind.get(type(collection), "area"))
        if isinstance(collection, collections.LineCollection):
            points = [_sample_segments(collection.get_transform().transform(segment))
                      for segment in collection.get_segments() if len(segment) > 1]
            points = np.concatenate(points) if points else np.empty((0, 2))
        elif isinstance(collection, collections.PathCollection) and len(collection.get_offsets()):
            points = collection.get_offset_transform().transform(np.asarray(collection.get_offsets(), dtype=float))
        elif isinstance(collection, collections.PolyCollection):
            areas = [_sample_area(path, collection.get_transform(), clip) for path in collection.get_paths()]
            points = np.concatenate(areas) if areas else np.empty((0, 2))
        else:
            continue
        yield name, points[_within(points, clip)] if len(points) else points
    grouped = set()
    for container in ax.containers:  # the bars of one ax.bar call are one series
        shapes = [p for p in container if isinstance(p, patches.Patch) and p.get_visible()]
        grouped |= {id(p) for p in shapes}
        if shapes:
            areas = [_sample_area(p.get_path(), p.get_transform(), clip) for p in shapes]
            yield _name(shapes[0], "bar set"), np.concatenate(areas)
    for patch in ax.patches:  # other bars, spans, diagram boxes
        if patch.get_visible() and id(patch) not in grouped and not isinstance(patch, patches.FancyArrowPatch):
            yield _name(patch, "shape"), _sample_area(patch.get_path(), patch.get_transform(), clip)
    for picture in ax.images:
        if picture.get_visible() and isinstance(picture, image.AxesImage):
            extent = Bbox(picture.get_window_extent())
            corners = patches.Rectangle((extent.x0, extent.y0), extent.width, extent.height)
            yield "image", _sample_area(corners.get_path(), corners.get_transform(), clip)


def legends_over_texts(fig: Figure, painted: list[Painted], renderer) -> list[str]:
    """A legend's box (frame, handles and entries) may not lie on another text."""
    found = []
    for legend in _legends(fig):
        box = legend.get_window_extent(renderer)
        own = {id(artist) for artist in (*legend.texts, legend.get_title())}
        for item in painted:
            width, height = _overlap(box, item.box)
            if id(item.artist) not in own and width > SLACK_PX and height > SLACK_PX:
                found.append(f"the legend covers {_describe(item)}")
    return found


def legends_over_data(fig: Figure, renderer) -> list[str]:
    found = []
    for legend in _legends(fig):
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            for name, points in _data_series(ax):
                if not len(points):
                    continue
                share = float(np.mean(_within(points, box)))
                if share > SLIVER:
                    found.append(f"the legend covers {share:.0%} of {name}")
    return found


# ---------------------------------------------------------------- raw TeX

_mathtext = MathTextParser("path")


def _unescaped_dollars(line: str) -> int:
    return len(re.findall(r"(?<!\\)\$", line))


def raw_tex(painted: list[Painted]) -> list[str]:
    found = []
    for item in painted:
        if item.artist.get_usetex():
            continue
        problems = dict.fromkeys(problem for line in item.lines if (problem := _raw_tex_in_line(line, item.artist)))
        found += [f"{_describe(item)}: {problem}" for problem in problems]
    return found


def _raw_tex_in_line(line: str, artist: text.Text) -> str | None:
    """Why a painted line would show TeX source instead of math (None when it does not)."""
    dollars = _unescaped_dollars(line)
    if dollars % 2:
        return "an unpaired $ shows raw TeX (a $…$ span split across lines?)"
    outside = re.sub(r"(?<!\\)\$.*?(?<!\\)\$", "", line) if dollars else line
    if _RAW_TEX_OUTSIDE_MATH.search(outside.replace("\\$", "")):
        return "TeX outside $…$ is drawn as is (a backslash shows as ₩)"
    if dollars and cbook.is_math_text(line):
        try:
            _mathtext.parse(line, 72, artist.get_fontproperties())
        except ValueError as error:
            return f"mathtext cannot parse it ({str(error).splitlines()[0]})"
    return None


# ---------------------------------------------------------------- legibility


def saved_width_px(fig: Figure, renderer, saved: Bbox | None = None) -> float:
    """CSS width of the figure saved with ``bbox_inches='tight'``."""
    saved = saved_area(fig, renderer) if saved is None else saved
    return saved.width / fig.dpi * 72 * _PX_PER_PT


def illegible_texts(
    fig: Figure, painted: list[Painted], renderer, column_px: float, saved: Bbox | None = None
) -> list[str]:
    """Texts below the floor, as one sentence naming the smallest (they usually share a cause)."""
    scale = min(1.0, column_px / saved_width_px(fig, renderer, saved))
    shown = sorted((item.artist.get_fontsize() * _PX_PER_PT * scale, _describe(item)) for item in painted)
    small = [(size, name) for size, name in shown if size < LEGIBLE_PX - 1e-6]
    if not small:
        return []
    size, name = small[0]
    others = f" and {len(small) - 1} more texts" if len(small) > 1 else ""
    return [f"{name}{others} below the legibility floor: {size:.1f} px high when the figure is shown in a "
            f"{column_px:.0f} px column (floor {LEGIBLE_PX:.0f} px)"]
