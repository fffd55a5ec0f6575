"""Lay texts out once per process: caches for what matplotlib recomputes at every layout.

A figure of the site is laid out many times: at each size it is fitted to, for its check,
and twice more while its SVG is written, in both palettes. Matplotlib caches the sizes of
texts per renderer, and every one of those steps has a renderer of its own; some facts it
does not cache at all. ``install()`` keeps three of them for the whole process:

* math layouts (``$\\mathdefault{10^{3}}$``, the labels of log axes): per kind of output,
  not per parser (``MathTextParser._parse_cached``);
* the sizes of texts: per kind of renderer (Agg at its DPI; SVG), not per renderer
  (``matplotlib.text._get_text_metrics_with_cache``);
* a font's line height (ascent, descent, line gap), which ``Text._get_layout`` reads from
  the font file's tables at every layout unless the renderer answers it
  (``_get_font_height_metrics``, the hook the PDF and PS renderers use): per font and DPI.

Each answer is what matplotlib computes without the cache (the same calls, the same
arithmetic), so figures keep their bytes; tests/test_figure_caches.py checks it. A
matplotlib whose internals differ keeps its own ways: each cache is installed only where
the thing it replaces is as expected.
"""

from __future__ import annotations

import inspect

import matplotlib
import matplotlib.text
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.font_manager import fontManager, get_font
from matplotlib.mathtext import MathTextParser

# Entries kept per cache (the oldest goes first): far more than a snippet's figures use.
KEPT = 4096
# The font tables a text's line height comes from, in the order matplotlib reads them.
_LINE_HEIGHT_TABLES = (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"), ("hhea", "lineGap", "ascent", "descent"))


def install() -> None:
    """Install the three caches (again: nothing changes)."""
    _share_math_layouts()
    _share_text_sizes()
    _cache_line_heights()


def _remember(cache: dict, key, compute):
    if key not in cache:
        if len(cache) >= KEPT:
            del cache[next(iter(cache))]  # the oldest
        cache[key] = compute()
    return cache[key]


def _share_math_layouts() -> None:
    """A math layout depends only on the kind of output (vector or raster) and the arguments of
    ``_parse_cached``, never on the parser that asks (its fonts and grammar are the class's).
    Matplotlib keeps the last 50 layouts of each parser, and each renderer has a parser."""
    cached = MathTextParser.__dict__.get("_parse_cached")
    parse = getattr(cached, "__wrapped__", None)
    if parse is None or hasattr(cached, "layouts"):
        return  # a matplotlib without that cache; or already shared
    layouts: dict = {}

    def _parse_cached(self, *args):  # (s, dpi, prop, antialiased, load_glyph_flags) in matplotlib 3.11
        return _remember(layouts, (self._output_type, *args), lambda: parse(self, *args))

    _parse_cached.layouts = layouts
    _parse_cached.__wrapped__ = parse  # the parse itself, uncached
    MathTextParser._parse_cached = _parse_cached


def _share_text_sizes() -> None:
    """A text's size (width, height, descent) depends on the kind of renderer that measures it
    and its DPI, on the text, its font properties and whether it is math, and on the hinting
    settings; not on which renderer of that kind asks. An SVG is written through a mixed-mode
    renderer: what measures there is the renderer it draws with at the time."""
    measure = getattr(matplotlib.text, "_get_text_metrics_with_cache", None)
    if measure is None or hasattr(measure, "sizes"):
        return  # a matplotlib without it; or already shared
    if list(inspect.signature(measure).parameters) != ["renderer", "text", "fontprop", "ismath", "dpi"]:
        return  # another matplotlib (a notebook run elsewhere): its own way
    sizes: dict = {}

    def _get_text_metrics_with_cache(renderer, text, fontprop, ismath, dpi):
        target = renderer._renderer if isinstance(renderer, MixedModeRenderer) else renderer
        fontprop = fontprop.copy()  # a key of its own: FontProperties is mutable
        rc = matplotlib.rcParams
        key = (type(target), target.points_to_pixels(72), rc["text.hinting"], rc["text.hinting_factor"],
               text, fontprop, ismath, dpi)
        return _remember(sizes, key, lambda: renderer.get_text_width_height_descent(text, fontprop, ismath))

    _get_text_metrics_with_cache.sizes = sizes
    _get_text_metrics_with_cache.__wrapped__ = measure
    matplotlib.text._get_text_metrics_with_cache = _get_text_metrics_with_cache


def _cache_line_heights() -> None:
    """The Agg and SVG renderers answer ``_get_font_height_metrics`` with the lookup and arithmetic
    of ``Text._get_layout``, for the figure's DPI (the Agg canvas's; 72 while an SVG is written)."""
    if hasattr(RendererAgg, "_get_font_height_metrics") or hasattr(RendererSVG, "_get_font_height_metrics"):
        return  # a matplotlib whose renderers answer it themselves; or already done
    heights: dict = {}

    def line_height(prop, dpi: float) -> tuple:
        key = (tuple(prop.get_family()), prop.get_slant(), prop.get_variant(), prop.get_weight(),
               prop.get_stretch(), prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily(), dpi)
        return _remember(heights, key, lambda: _read_line_height(prop, dpi))

    RendererAgg._get_font_height_metrics = lambda self, prop: line_height(prop, self.dpi)
    RendererSVG._get_font_height_metrics = lambda self, prop: line_height(prop, 72)


def _read_line_height(prop, dpi: float) -> tuple:
    """(ascent, descent, line gap) in pixels from the font's tables, as ``Text._get_layout`` reads
    them; (None, None, None) when it has neither table (matplotlib then goes its own way)."""
    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap_key, ascent_key, descent_key in _LINE_HEIGHT_TABLES:
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
    return None, None, None
