"""Make matplotlib's SVG small without changing what it shows: ``compact(svg) -> svg``.

* Path data becomes relative commands on a fixed grid: 0.1 pt for drawing
  coordinates, 1/100 em for glyph outlines (0.1 pt for 10 pt text) (a glyph is still a path: no font is
  needed to view the file). Both stay below half a device pixel at 2x zoom.
  Rounding happens on absolute coordinates, so errors never accumulate.
* Ids nothing refers to, comments, the RDF metadata (``<title>`` stays: it names
  the figure) and the whitespace between tags are dropped.
* Embedded PNGs (heatmaps) are re-encoded as palette PNGs when they have at most
  256 colours, which a colormap lookup always has: lossless and smaller.

Pure string and integer work: the same input gives the same bytes.
"""

from __future__ import annotations

import base64
import io
import re

# Glyph outlines come in 1/64 font units ("scale(0.015625)"), 6,400 to the em.
GLYPH_SCALE = 'transform="scale(0.015625)"'
GLYPH_GRID = 64  # -> 1/100 em: 0.1 pt for 10 pt text
POINT_DECIMALS = 1  # 0.1 pt: a quarter of a device pixel at 2x zoom

_PATH_D = re.compile(r'<path ((?:[^>]*? )?)d="([^"]*)"([^>]*)/>')
_COMMAND = re.compile(r"[MLQCZmlqcz]|-?\d+(?:\.\d+)?(?:e-?\d+)?")
_NUMBER_ATTR = re.compile(r'\b(x|y|width|height)="(-?\d+\.\d{2,})"')
_TRANSLATE = re.compile(r"translate\((-?[\d.]+)(?: (-?[\d.]+))?\)")
_ID = re.compile(r' id="([^"]+)"')
_GLYPH_USE = re.compile(r'(<use xlink:href="#(?!m[0-9a-f]{10}")[^"]*" transform="translate\()(-?[\d.]+)((?: -?[\d.]+)?\)")')
_REFERENCE = re.compile(r'(?:url\(#|href="#)([^")]+)')
_PNG = re.compile(r'data:image/png;base64,\s*([A-Za-z0-9+/=\s]+)')


def compact(svg: str) -> str:
    svg = re.sub(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = _merge_rectangles(svg)
    # Unfilled, unstroked shapes (matplotlib's transparent backgrounds) paint nothing.
    svg = re.sub(r'<path d="[^"]*" style="fill: ?none"/>', "", svg)
    svg = _PATH_D.sub(_path_element, svg)
    svg = _NUMBER_ATTR.sub(lambda m: f'{m[1]}="{_fmt(round(float(m[2]) * 10 ** POINT_DECIMALS), POINT_DECIMALS)}"', svg)
    svg = _TRANSLATE.sub(_translate, svg)
    # Glyph placements inside a text run are in glyph space (a tenth of a point for 10 pt
    # text): whole units are as fine as the rest of the drawing.
    svg = _GLYPH_USE.sub(lambda m: m[1] + str(round(float(m[2]))) + m[3], svg)
    # A <use> moved by translate(x y) alone is the same as x=, y=.
    svg = re.sub(r'(<use [^>]*?)transform="translate\((-?[\d.]+)(?: (-?[\d.]+))?\)"',
                 lambda m: (m[1] + (f'x="{m[2]}"' if m[2] not in ("0", "-0") else "")
                            + (f' y="{m[3]}"' if m[3] and m[3] not in ("0", "-0") else "")).replace("  ", " "), svg)
    svg = svg.replace(' "/>', '/>').replace(" />", "/>")
    svg = re.sub(r'style="([^"]*)"', lambda m: 'style="' + re.sub(r"\s*([:;])\s*", r"\1", m[1]) + '"', svg)
    svg = _PNG.sub(_palette_png, svg)
    referenced = set(_REFERENCE.findall(svg))
    svg = _ID.sub(lambda m: m[0] if m[1] in referenced else "", svg)
    svg = re.sub(r">\s+<", "><", svg)
    svg = _short_ids(svg)
    svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "").replace("xlink:href=", "href=")
    svg = _style_classes(svg)
    svg = _drop_bare_groups(svg)
    return svg.strip() + "\n"


def _short_ids(svg: str) -> str:
    """Every id (all are referenced by now) -> a short name, in order of appearance."""
    names = {}
    for old in _ID.findall(svg):
        names.setdefault(old, _base36(len(names)))
    svg = _ID.sub(lambda m: f' id="{names[m[1]]}"', svg)
    return _REFERENCE.sub(lambda m: m[0][: -len(m[1])] + names.get(m[1], m[1]), svg)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return "i" + text


def _style_classes(svg: str) -> str:
    """A style used more than once becomes a class, defined once in the file's <style>."""
    counts: dict[str, int] = {}
    for style in re.findall(r' style="([^"]*)"', svg):
        counts[style] = counts.get(style, 0) + 1
    repeated = [style for style, count in counts.items() if count > 1]
    if not repeated:
        return svg
    names = {style: f"s{_base36(i)[1:]}" for i, style in enumerate(repeated)}
    svg = re.sub(r' style="([^"]*)"', lambda m: f' class="{names[m[1]]}"' if m[1] in names else m[0], svg)
    rules = "".join(f".{name}{{{style}}}" for style, name in names.items())
    if "</style>" not in svg:
        raise ValueError("matplotlib SVG without a <style> element")
    return svg.replace("</style>", rules + "</style>", 1)


def _drop_bare_groups(svg: str) -> str:
    """<g> without attributes changes nothing: drop it and its </g>."""
    out, stack = [], []
    for token in re.split(r"(<g>|<g [^>]*>|</g>)", svg):
        if token == "<g>":
            stack.append(False)
        elif token.startswith("<g "):
            stack.append(True)
            out.append(token)
        elif token == "</g>":
            if stack.pop():
                out.append(token)
        else:
            out.append(token)
    return "".join(out)


_NUM = r"(-?[\d.]+)"
_RECT_PATCH = re.compile(
    rf'<g id="patch_\d+">\s*<path d="M {_NUM} {_NUM}\s*L {_NUM} {_NUM}\s*L {_NUM} {_NUM}\s*L {_NUM} {_NUM}\s*z\s*"'
    r'(?P<clip> clip-path="[^"]*")? style="(?P<style>[^"]*)"/>\s*</g>\s*'
)


def _merge_rectangles(svg: str) -> str:
    """A run of filled, unstroked rectangles (a bar chart's bars) that do not overlap can be
    painted in any order: each colour becomes one path. Same pixels, far fewer elements."""
    out, position = [], 0
    runs: list[list[re.Match]] = []
    for match in _RECT_PATCH.finditer(svg):
        if runs and runs[-1][-1].end() == match.start():
            runs[-1].append(match)
        else:
            runs.append([match])
    for run in runs:
        rects = [_rectangle(m) for m in run]
        if len(run) < 3 or None in rects or any("stroke" in m["style"] for m in run) or _overlap(rects):
            continue
        groups: dict[tuple, list[str]] = {}
        for m in run:
            d = m.group(0)[m.group(0).index(' d="') + 4:]
            groups.setdefault((m["clip"] or "", m["style"]), []).append(d[: d.index('"')].strip())
        merged = "".join(f'<g><path d="{" ".join(ds)}"{clip} style="{style}"/></g>'
                         for (clip, style), ds in groups.items())
        out.append(svg[position:run[0].start()] + merged)
        position = run[-1].end()
    out.append(svg[position:])
    return "".join(out)


def _rectangle(match: re.Match):
    xs = [float(match[i]) for i in (1, 3, 5, 7)]
    ys = [float(match[i]) for i in (2, 4, 6, 8)]
    corners = {(x, y) for x, y in zip(xs, ys)}
    box = (min(xs), min(ys), max(xs), max(ys))
    if corners != {(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])}:
        return None
    return box


def _overlap(rects: list[tuple]) -> bool:
    """Whether two rectangles share interior (touching edges do not count)."""
    ordered = sorted(rects)
    for i, (x0, y0, x1, y1) in enumerate(ordered):
        for a0, b0, a1, b1 in ordered[i + 1:]:
            if a0 >= x1:
                break
            if b0 < y1 and y0 < b1 and a0 < x1 and x0 < a1:
                return True
    return False


def css_size(svg: str) -> dict:
    """The figure's size in CSS px (matplotlib writes it in pt)."""
    match = re.search(r'<svg [^>]*?width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not match:
        raise ValueError("not a matplotlib SVG: no width/height in pt")
    return {"width": round(float(match[1]) * 4 / 3), "height": round(float(match[2]) * 4 / 3)}


def _path_element(match: re.Match) -> str:
    before, data, after = match[1], match[2], match[3]
    if GLYPH_SCALE in before + after:
        path = relative_path(data, unit=GLYPH_GRID, decimals=0)
        scale = f'transform="scale({GLYPH_GRID / 64:g})"'
        before, after = before.replace(GLYPH_SCALE, scale), after.replace(GLYPH_SCALE, scale)
    else:
        path = relative_path(data, unit=10 ** -POINT_DECIMALS, decimals=POINT_DECIMALS)
    return f'<path {before}d="{path}"{after}/>'


def relative_path(data: str, unit: float, decimals: int) -> str:
    """Absolute M/L/Q/C/Z path data -> relative commands with coordinates rounded to ``unit``.

    Integers count grid steps; ``decimals`` says how to print them (``unit = 10**-decimals``,
    or ``decimals = 0`` with the output in grid units)."""
    tokens = _COMMAND.findall(data)
    out: list[str] = []
    x = y = start_x = start_y = 0
    control = (0, 0)
    last = ""
    i = 0
    while i < len(tokens):
        command = tokens[i]
        i += 1
        if command in "Zz":
            out.append("z")
            x, y, last = start_x, start_y, "z"
            continue
        count = {"M": 1, "L": 1, "Q": 2, "C": 3}[command.upper()]
        if command.islower():
            raise ValueError("relative path data is not expected from matplotlib")
        points = []
        for _ in range(count):
            px = round(float(tokens[i]) / unit)
            py = round(float(tokens[i + 1]) / unit)
            i += 2
            points.append((px, py))
        end_x, end_y = points[-1]
        if command == "Q" and last in ("q", "t"):
            # TrueType outlines chain quadratic curves through implied midpoints: a control
            # point that mirrors the previous one (within a grid step) is a shorter "t".
            mirror_x, mirror_y = 2 * x - control[0], 2 * y - control[1]
            if abs(points[0][0] - mirror_x) <= 1 and abs(points[0][1] - mirror_y) <= 1:
                command, points = "T", [(mirror_x, mirror_y), points[1]]
        if command in ("Q", "T"):
            control = points[0]
        if command == "T":
            word, numbers = "t", [end_x - x, end_y - y]
        elif command == "M":
            word, numbers = "m", [end_x - x, end_y - y]
            start_x, start_y = end_x, end_y
        elif command == "L" and end_y == y and end_x != x:
            word, numbers = "h", [end_x - x]
        elif command == "L" and end_x == x and end_y != y:
            word, numbers = "v", [end_y - y]
        elif command == "L":
            word, numbers = "l", [end_x - x, end_y - y]
        else:
            word = command.lower()
            numbers = [value for px, py in points for value in (px - x, py - y)]
        # After "m" further pairs are implicit "l"; after any other command, more of the same.
        implicit = (last == word and word != "m") or (last == "m" and word == "l")
        text = _join([_fmt(n, decimals) for n in numbers])
        if implicit and not text.startswith("-"):
            out.append(" " + text)
        elif implicit:
            out.append(text)
        else:
            out.append(word + text)
        x, y, last = end_x, end_y, ("l" if word == "m" else word)
    return "".join(out)


def _join(numbers: list[str]) -> str:
    text = numbers[0]
    for number in numbers[1:]:
        text += number if number.startswith("-") else " " + number
    return text


def _fmt(steps: int, decimals: int) -> str:
    """Grid steps as a short decimal: 150, 2 -> '1.5'; -5, 2 -> '-.05'."""
    if decimals == 0:
        return str(steps)
    sign = "-" if steps < 0 else ""
    whole, frac = divmod(abs(steps), 10 ** decimals)
    frac_text = f"{frac:0{decimals}d}".rstrip("0")
    if not frac_text:
        return f"{sign}{whole}"
    return f"{sign}{whole if whole else ''}.{frac_text}"


def _translate(match: re.Match) -> str:
    parts = [_fmt(round(float(value) * 100), 2) for value in match.groups() if value is not None]
    return f"translate({' '.join(parts)})"


def _palette_png(match: re.Match) -> str:
    import numpy as np
    from PIL import Image

    raw = base64.b64decode("".join(match[1].split()))
    image = Image.open(io.BytesIO(raw))
    image.load()
    keep = "data:image/png;base64," + base64.b64encode(raw).decode("ascii")
    if image.mode not in ("RGB", "RGBA"):
        return keep
    pixels = np.asarray(image)
    channels = pixels.shape[2]
    colours, index = np.unique(pixels.reshape(-1, channels), axis=0, return_inverse=True)
    if len(colours) > 256:
        return keep
    palette = Image.fromarray(index.reshape(pixels.shape[:2]).astype(np.uint8), mode="L").convert("P")
    palette.putpalette(colours[:, :3].astype(np.uint8).tobytes())
    options = {"optimize": True}
    if channels == 4 and (colours[:, 3] < 255).any():
        options["transparency"] = colours[:, 3].astype(np.uint8).tobytes()
    buffer = io.BytesIO()
    palette.save(buffer, format="png", **options)
    if len(buffer.getvalue()) >= len(raw):
        return keep
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
