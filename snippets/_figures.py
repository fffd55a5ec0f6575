"""Shared figure output for every snippet.

One call, ``save_figure(name, draw, alt=...)``, writes ``<name>-light.svg`` and
``<name>-dark.svg`` and the figure's alt text; ``publish(name, value)`` records a
number that pages cite as ``{{ name:.2f }}`` (``scripts/citations.py``). The
figure builder points ``SNIPPET_OUTPUT_DIR`` at a staging folder and installs
its contents only when the whole snippet succeeded. Outside the builder (a plain
``python -m snippets.x`` or Jupyter) outputs go to ``.cache/direct-run/``, so
a direct run never changes what the site shows.

Guarantees the pages rely on:
* Hangul is drawn with NanumGothic, shipped by the ``koreanize-matplotlib``
  wheel, and embedded as paths: no system font is needed to view the SVG.
* The same inputs give the same bytes (fixed hash salt, no date metadata).
* Backgrounds are transparent; text and axes colours suit Material's light
  (``default``) and dark (``slate``) palettes.
"""

from __future__ import annotations

import io
import json
import math
import numbers
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless and deterministic; inline display is handled below

import koreanize_matplotlib  # noqa: F401,E402  registers NanumGothic with matplotlib
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import Formatter, LogFormatterSciNotation  # noqa: E402

from snippets import _figure_check as figure_check  # noqa: E402
from snippets import _svg_compact as svg_compact  # noqa: E402
from snippets import _text_layout_caches as text_layout_caches  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT_DIR = REPO_ROOT / ".cache" / "direct-run"
VALUES_FILE = "values.json"
# Published values keep 12 significant digits: enough for any citation, and the
# last bits of a float reduction may differ between BLAS builds and thread counts.
SIGNIFICANT_DIGITS = 12
VARIANTS = ("light", "dark")

# Line colours chosen to stay distinguishable (and above 3:1 contrast) on both
# white and Material's slate background (#1e2129).
_LIGHT_CYCLE = ["#1f5fbf", "#c2410c", "#15803d", "#7e22ce", "#b45309", "#0e7490"]
_DARK_CYCLE = ["#6ea8ff", "#ff9b5e", "#5fd68a", "#cf9bff", "#f5c04a", "#4fd1e8"]

_COMMON_RC = {
    "font.family": "NanumGothic",
    "axes.unicode_minus": False,  # NanumGothic has no U+2212 glyph
    "svg.fonttype": "path",  # embed glyph outlines: no font needed to view
    "svg.hashsalt": "transformer-notes",  # stable element ids
    "figure.figsize": (7.0, 4.2),
    "figure.dpi": 100,
    "savefig.transparent": True,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.35,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "image.cmap": "viridis",
}


# Texts are laid out once per process (the sizes of texts, math layouts, line heights), not
# again at every layout of every figure: snippets/_text_layout_caches.py.
text_layout_caches.install()


def _theme_rc(variant: str) -> dict:
    if variant == "light":
        fg, grid, cycle = "#1f2328", "#9aa0a6", _LIGHT_CYCLE
    elif variant == "dark":
        fg, grid, cycle = "#e3e6eb", "#6b7280", _DARK_CYCLE
    else:
        raise ValueError(f"unknown figure variant {variant!r}; expected one of {VARIANTS}")
    return {
        **_COMMON_RC,
        "text.color": fg,
        "axes.labelcolor": fg,
        "axes.edgecolor": fg,
        "xtick.color": fg,
        "ytick.color": fg,
        "grid.color": grid,
        "axes.prop_cycle": matplotlib.cycler(color=cycle),
    }


@contextmanager
def figure_style(variant: str) -> Iterator[None]:
    """Apply the light or dark style to every figure created inside the block."""
    with plt.rc_context(_theme_rc(variant)):
        yield


def output_dir() -> Path:
    return Path(os.environ.get("SNIPPET_OUTPUT_DIR", DEFAULT_OUTPUT_DIR))


def figure_dir() -> Path:
    return output_dir() / "figures"


# Values published by this process (one snippet's run): a name gets one value. Publishing the
# same value again (a notebook cell run twice) is fine.
_published: dict[str, float | int] = {}


def publish(name: str, value) -> float | int:
    """Record a computed number under ``name`` for pages to cite as ``{{ name }}``; returns it.

    ``value`` may be a Python, NumPy or 0-d torch number. Names are lowercase
    identifiers, unique across all snippets (the builder checks).
    """
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"value name {name!r} must be a lower-case ASCII identifier (a-z, 0-9, _), "
                         "the only names a page can cite as {{ name }}")
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"value {name!r} must be a number, got {type(value).__name__}")
    if isinstance(value, numbers.Integral):
        value = int(value)
    elif not math.isfinite(value):
        raise ValueError(f"value {name!r} is {value}: a page cannot cite that")
    else:
        value = float(f"{float(value):.{SIGNIFICANT_DIGITS}g}")
    if _published.get(name, value) != value:
        raise ValueError(f"value {name!r} was already published as {_published[name]!r} in this run; "
                         "a second value needs a name of its own")
    _published[name] = value
    path = output_dir() / VALUES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    values = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    values[name] = value
    path.write_text(json.dumps(values, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if _in_ipython() and not _built_by_the_site():
        print(f"{name} = {value}")  # a learner's own run shows the number the page cites under this name
    return value


def _built_by_the_site() -> bool:
    """The figure builder runs snippets with SNIPPET_OUTPUT_DIR set; a learner's run does not."""
    return "SNIPPET_OUTPUT_DIR" in os.environ


def save_figure(
    name: str, draw: Callable[..., Figure], *, alt: str, volatile: bool = False, narrow: bool = False
) -> list[Path]:
    """Draw the figure once per palette and write ``<name>-light.svg`` / ``<name>-dark.svg``,
    and the narrow variants ``<name>-narrow-light.svg`` / ``<name>-narrow-dark.svg`` for phones.

    ``draw`` returns a new matplotlib Figure; it is called inside
    ``figure_style(variant)``, so it should not hard-code text colours.
    ``alt`` is the figure's Korean alt text, its one source: pages and the notebook
    page take it from here. It may cite published values (``{{ name:.2f }}``).
    ``volatile=True`` marks a figure of measured wall times: its bytes differ
    between runs by nature, so it is exempt from the byte-identity check.
    ``narrow=True`` says that ``draw(narrow=True)`` lays the figure out for a
    phone (panels stacked): it is written as the narrow variant, and ``draw()``
    stays as drawn for wide screens. Without it the one layout is ``draw()``
    shrunk (fonts keep their size) until its smallest text is legible in a
    phone's column (``NARROW_COLUMN_PX``); so is the narrow variant. The meta JSON
    records each layout's size (CSS px) and smallest font size (pt).

    Each layout is checked in each palette before it is written (``_figure_check``):
    overlapping texts, a text out of its box, a legend over data, raw TeX or a text below
    the legibility floor raise ``FigureDefect`` naming the figure, layout and defect.
    """
    if not alt.strip():
        raise ValueError(f"figure {name!r} needs Korean alt text")
    if not name or not all(c.isalnum() or c == "-" for c in name) or name.endswith("-narrow"):
        raise ValueError(f"figure name {name!r} must be non-empty, letters/digits/'-' only, not ending in -narrow")
    # Draw and check every layout in both palettes before writing any file: a defect in
    # one leaves nothing half-written. One layout, fitted to a phone, unless the snippet
    # has a narrow layout of its own.
    drawn = []
    try:
        for layout in ("wide", "narrow") if narrow else ("wide",):
            for variant in VARIANTS:
                with figure_style(variant):
                    fig = draw(narrow=True) if (layout == "narrow" and narrow) else draw()
                    drawn.append((layout, variant, fig))
                    _hyphenate_log_ticks(fig)
                    _unsampled_images(fig)
                    if layout == "narrow" or not narrow:
                        _fit_narrow(fig)
                    _check(fig, name, layout if narrow else "only", variant)
        return _write(name, drawn, {"alt": alt.strip(), "volatile": volatile})
    finally:
        for _, _, fig in drawn:
            plt.close(fig)


def _write(name: str, drawn: list, meta: dict) -> list[Path]:
    """Write the checked SVGs and the figure's meta JSON (alt text, sizes, the checks passed)."""
    out_dir = figure_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    written, sizes = [], {}
    for layout, variant, fig in drawn:
        with figure_style(variant):
            suffix = "-narrow" if layout == "narrow" else ""
            path = out_dir / f"{name}{suffix}-{variant}.svg"
            # No "Date" metadata: the same data must give the same bytes. The title
            # names the figure for whoever opens the SVG file on its own.
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None, "Title": name})
            svg = svg_compact.compact(buffer.getvalue())
            path.write_text(svg, encoding="utf-8")
            if layout not in sizes:  # both palettes have the same sizes
                sizes[layout] = {"min_font_pt": _smallest_font(fig), **svg_compact.css_size(svg)}
            written.append(path)
    meta = {**meta, **sizes, "checked": [f"{layout}-{variant}" for layout, variant, _ in drawn]}
    (out_dir / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _show_in_notebook(written[0], name)
    return written


class FigureDefect(ValueError):
    """What a reader would see wrong in a figure: overlapping texts, a legend over data, raw TeX…"""


# Where each layout is shown: the one layout and the narrow one in a phone's column; the
# wide one of a figure with both from 45em (720 px) up, where the column is 687 px or wider.
CHECK_COLUMN_PX = {"only": figure_check.PHONE_COLUMN_PX, "narrow": figure_check.PHONE_COLUMN_PX, "wide": 687}


def _check(fig: Figure, name: str, layout: str, variant: str) -> None:
    """Fail on any defect a reader would see (``snippets/_figure_check.py``)."""
    found = figure_check.defects(fig, CHECK_COLUMN_PX[layout])
    if not found:
        return
    message = f"figure '{name}' ({layout} layout, {variant} palette): " + "; ".join(found)
    if not _built_by_the_site():
        # A learner's run (Colab, another matplotlib) still draws the figure; the site's build fails on it.
        print(f"figure check: {message}")
        return
    raise FigureDefect(message)


def legend_below(owner, ncols: int = 1, **kwargs):
    """The legend of ``owner`` (a figure or subfigure with ``layout="constrained"``) under its
    plots, outside every axes, so that it covers no data at any width. It lists the entries of
    all of the owner's panels, each label once, in the order they were drawn."""
    handles, labels = [], []
    for ax in owner.axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    return owner.legend(handles, labels, loc="outside lower center", ncols=ncols, **kwargs)


# A 390 px wide phone shows Material's content column 390 - 2 x 16 px wide; aim a bit
# narrower (scrollbars, rounding) and a bit above the 10 px legibility floor.
NARROW_COLUMN_PX = 350
LEGIBLE_PX = 10.5
_PX_PER_PT = 4 / 3  # an SVG "pt" is 4/3 CSS px


def _texts(fig: Figure) -> list:
    return [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]


def _smallest_font(fig: Figure, texts: list | None = None) -> float:
    """Smallest font size (pt) of the figure's visible texts (mathtext sub/superscripts aside);
    ``texts`` is ``_texts(fig)`` when the caller has it (finding them walks every artist)."""
    return min((t.get_fontsize() for t in (_texts(fig) if texts is None else texts)), default=10.0)


def _fit_narrow(fig: Figure) -> None:
    """Shrink the figure (fonts keep their size) until its smallest text, at the width of a
    phone's column, is at least LEGIBLE_PX: the saved (tight) width must stay below
    min_font * NARROW_COLUMN_PX / LEGIBLE_PX points. Titles wrap at the figure's edge, but
    not those with math: wrapping would split a $…$ span and show its TeX."""
    texts = _texts(fig)
    for text in texts:
        if any(text is ax.title or text is ax._left_title or text is ax._right_title for ax in fig.axes):
            text.set_wrap("$" not in text.get_text())
    limit_pt = _smallest_font(fig, texts) * NARROW_COLUMN_PX / LEGIBLE_PX
    placed_by_hand = any(ax.get_subplotspec() is None for ax in fig.axes)
    if fig.get_layout_engine() is None and not placed_by_hand and not any(hasattr(ax, "_colorbar") for ax in fig.axes):
        # Re-lay the smaller figure out (a colorbar added without a layout engine has a grid that
        # constrained layout cannot take over, and axes placed with add_axes have none: those
        # figures keep their fractions).
        fig.set_layout_engine("constrained")
    for _ in range(6):
        width_pt = _laid_out_width_pt(fig)
        if width_pt <= limit_pt:
            return
        factor = max(0.6, limit_pt / width_pt * 0.98)
        w, h = fig.get_size_inches()
        fig.set_size_inches(w * factor, h * factor)
    raise ValueError(f"figure {fig.get_label() or ''!r}: cannot fit a phone's column ({width_pt:.0f} > {limit_pt:.0f} pt)")


def _laid_out_width_pt(fig: Figure) -> float:
    """The width (pt) that savefig(bbox_inches="tight") would write, padding included. The
    figure's layout engine lays it out, as a draw would first do, and its tight box is measured;
    no artist is drawn: fitting needs only the sizes of its parts (the check draws the figure
    once it has its final size)."""
    renderer = fig.canvas.get_renderer()
    engine = fig.get_layout_engine()
    if fig.axes and engine is not None:
        try:
            engine.execute(fig)
        except ValueError:
            pass  # as Figure.draw does: a layout that cannot be solved leaves the axes where they are
    return fig.get_tightbbox(renderer).width * 72 + 2 * plt.rcParams["savefig.pad_inches"] * 72


def _unsampled_images(fig: Figure) -> None:
    """Heatmaps keep one pixel per value (drawn pixelated by the viewer): sharp at any zoom and
    far smaller than a resampled raster."""
    for ax in fig.axes:
        for image in ax.get_images():
            if image.get_interpolation() in ("nearest", "none", "antialiased", "auto"):
                image.set_interpolation("none")


def _hyphenate_log_ticks(fig: Figure) -> None:
    """Give log axes tick labels a minus sign that NanumGothic can draw.

    Log ticks are mathtext (``$\\mathdefault{10^{-2}}$``), where "-" becomes U+2212,
    and mathtext draws it with the text font, which has no such glyph (it would
    silently become a blank box). ``\\text{-}`` keeps an ASCII hyphen-minus.
    """
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_formatter(), LogFormatterSciNotation):
                axis.set_major_formatter(_HyphenMinus(axis.get_major_formatter()))
            if isinstance(axis.get_minor_formatter(), LogFormatterSciNotation):
                axis.set_minor_formatter(_HyphenMinus(axis.get_minor_formatter()))


class _HyphenMinus(Formatter):
    """Wraps a log formatter; replaces the math minus of negative exponents."""

    def __init__(self, inner: Formatter):
        self.inner = inner

    def set_axis(self, axis) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs) -> None:
        self.inner.set_locs(locs)

    def format_ticks(self, values) -> list[str]:
        return [self._fix(label) for label in self.inner.format_ticks(values)]

    def __call__(self, x, pos=None) -> str:
        return self._fix(self.inner(x, pos))

    @staticmethod
    def _fix(label: str) -> str:
        return label.replace("^{-", "^{\\text{-}")


# The output metadata key that names a figure in the executed notebook (the site's notebook
# page reads it to swap the inline SVG for the figure's files).
NOTEBOOK_METADATA_KEY = "notes_figure"


def _show_in_notebook(svg: Path, name: str) -> None:
    """In a notebook, show the light SVG itself: a downloaded .ipynb then shows its
    figures anywhere, offline. The output's metadata names the figure, so the site's
    notebook page can swap it for the light/dark pair."""
    if not _in_ipython():
        return
    from IPython.display import SVG, display

    display(SVG(filename=str(svg)), metadata={NOTEBOOK_METADATA_KEY: name})


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None
