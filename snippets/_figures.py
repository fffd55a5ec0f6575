"""Shared figure output for every snippet.

One call, ``save_figure(name, draw)``, writes ``<name>-light.svg`` and
``<name>-dark.svg``. The figure builder points ``SNIPPET_FIGURE_DIR`` at a
staging folder and installs the files only when the whole snippet succeeded.
Outside the builder (a plain ``python snippets/x.py`` or Jupyter) figures land
in ``docs/generated/figures``.

Guarantees the pages rely on:
* Hangul is drawn with NanumGothic, shipped by the ``koreanize-matplotlib``
  wheel, and embedded as paths: no system font is needed to view the SVG.
* The same inputs give the same bytes (fixed hash salt, no date metadata).
* Backgrounds are transparent; text and axes colours suit Material's light
  (``default``) and dark (``slate``) palettes.
"""

from __future__ import annotations

import html
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import matplotlib

matplotlib.use("Agg")  # headless and deterministic; inline display is handled below

import koreanize_matplotlib  # noqa: F401,E402  registers NanumGothic with matplotlib
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import Formatter, LogFormatterSciNotation  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FIGURE_DIR = REPO_ROOT / "docs" / "generated" / "figures"
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


def figure_dir() -> Path:
    return Path(os.environ.get("SNIPPET_FIGURE_DIR", DEFAULT_FIGURE_DIR))


def save_figure(
    name: str, draw: Callable[[], Figure], *, alt: str, volatile: bool = False
) -> list[Path]:
    """Draw the figure once per palette and write ``<name>-light.svg`` / ``<name>-dark.svg``.

    ``draw`` takes no argument and returns a new matplotlib Figure; it is called
    inside ``figure_style(variant)``, so it should not hard-code text colours.
    ``alt`` is the Korean alt text shown with the figure in the rendered notebook.
    ``volatile=True`` marks a figure of measured wall times: its bytes differ
    between runs by nature, so it is exempt from the byte-identity check.
    """
    if not alt.strip():
        raise ValueError(f"figure {name!r} needs Korean alt text")
    if not name or not all(c.isalnum() or c == "-" for c in name):
        raise ValueError(f"figure name {name!r} must be non-empty, letters/digits/'-' only")
    out_dir = figure_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for variant in VARIANTS:
        with figure_style(variant):
            fig = draw()
            _hyphenate_log_ticks(fig)
            path = out_dir / f"{name}-{variant}.svg"
            # No "Date" metadata: the same data must give the same bytes.
            fig.savefig(path, format="svg", metadata={"Date": None})
            plt.close(fig)
        written.append(path)
    marker = out_dir / f"{name}.volatile"
    if volatile:
        marker.write_text("measured wall times: bytes differ between runs\n")
    elif marker.exists():
        marker.unlink()
    _show_in_notebook(name, alt)
    return written


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


def _show_in_notebook(name: str, alt: str) -> None:
    """In an executed notebook, show the saved SVGs by reference instead of inlining them.

    Inlined SVGs with embedded glyphs would push notebook pages past the page
    size budget, so the builder passes the figures' URL relative to the page.
    """
    url = os.environ.get("SNIPPET_FIGURE_URL")
    if not url or not _in_ipython():
        return
    from IPython.display import HTML, display

    alt = html.escape(alt, quote=True)
    display(HTML(
        f'<img src="{url}/{name}-light.svg#only-light" alt="{alt}" loading="lazy">'
        f'<img src="{url}/{name}-dark.svg#only-dark" alt="{alt}" loading="lazy">'
    ))


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None
