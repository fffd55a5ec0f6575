"""Citations of computed values: ``{{ name }}`` or ``{{ name:format }}`` in Markdown.

A snippet publishes a value with ``publish("post_ln_last", value)``; a page, a
caption, an alt text or a snippet's own Markdown cell cites it by name, and the
build writes the number in its place. An unknown name is an error that names
the file and the line.

The format is Python's format specification, written the Korean way:

    {{ post_ln_last:.2f }}      1.20          fixed digits
    {{ padding_random:.0% }}    73%           percent
    {{ rnn_ratio:.1e }}         3.2 × 10⁻¹⁸   scientific: "e" becomes "× 10" and superscripts
    {{ sequences:, }}           10,000        comma digit grouping
    {{ sequences }}             10,000        an integer, grouped; a float as {:.3g}
"""

from __future__ import annotations

import re
from pathlib import Path

# `{{ name }}` / `{{ name:spec }}`: a lowercase identifier, then an optional format spec.
CITATION = re.compile(r"\{\{\s*(?P<name>[a-z_][a-z0-9_]*)\s*(?::(?P<spec>[^{}]*?))?\s*\}\}")
_SCIENTIFIC = re.compile(r"^(?P<mantissa>-?[\d.]+)[eE](?P<exponent>[+-]?\d+)$")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class CitationError(ValueError):
    """A citation that cannot be resolved; the message names the file and line."""


def format_value(value: float | int, spec: str | None = None) -> str:
    """One value written with a Python format spec, the Korean way (see the module doc)."""
    if spec is None or spec == "":
        spec = "," if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15 else ".3g"
        if spec == ",":
            value = int(value)
    text = format(value, spec)
    scientific = _SCIENTIFIC.match(text)
    if scientific:
        mantissa, exponent = scientific["mantissa"], int(scientific["exponent"])
        power = f"10{str(exponent).translate(_SUPERSCRIPT)}"
        return power if mantissa in ("1", "1.0") else f"{mantissa} × {power}"
    return text


def resolve(text: str, values: dict[str, float | int], where: str, first_line: int = 1) -> str:
    """Replace every citation in ``text``; ``where`` (a file) and ``first_line`` locate errors."""

    def replace(match: re.Match) -> str:
        name, spec = match["name"], match["spec"]
        line = first_line + text.count("\n", 0, match.start())
        if name not in values:
            raise CitationError(f"{where}:{line}: unknown value '{name}' in '{match[0]}'; {_known(values)}")
        try:
            return format_value(values[name], spec)
        except ValueError as error:
            raise CitationError(f"{where}:{line}: bad format '{spec}' for '{name}': {error}") from None

    return CITATION.sub(replace, text)


def cited_names(text: str) -> set[str]:
    return {match["name"] for match in CITATION.finditer(text)}


def _known(values: dict) -> str:
    names = sorted(values)
    if not names:
        return "no snippet has published a value yet"
    return f"{len(names)} published values, e.g. {', '.join(names[:8])}"


def relative(path: str | Path, root: Path) -> str:
    """A path as the user would type it from the repository root."""
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)
