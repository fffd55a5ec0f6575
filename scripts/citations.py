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

A particle after a citation is written in both forms, the one after a final consonant in
parentheses, and the build picks the form that the number's Korean reading takes
(``0.73`` is read 영 점 칠삼, so 이; ``0.086`` ends in 육, so 이; ``72%`` ends in 퍼센트, so 가):

    {{ padding:.2f }}(이)가  {{ x }}(은)는  {{ x }}(을)를  {{ x }}(과)와  {{ x }}(으)로
    {{ ratio:.2f }}(이)다    {{ x }}(이)며  {{ x }}(이)고   (이) before any ending: the copula
"""

from __future__ import annotations

import re
from pathlib import Path

# `{{ name }}` / `{{ name:spec }}`: a lowercase identifier, then an optional format spec;
# then, optionally, a particle in its two forms: (이)가, (은)는, (을)를, (과)와, (으)로, (이)다 …
CITATION = re.compile(
    r"\{\{\s*(?P<name>[a-z_][a-z0-9_]*)\s*(?::(?P<spec>[^{}]*?))?\s*\}\}"
    r"(?P<particle>\((?:이|은|을|과|으)\)[가-힣]+)?"
)
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


# Code is shown as written: fenced blocks (``` or ~~~, at any indent) and inline `code`.
CODE = re.compile(r"^([ \t]*)(```|~~~).*?^\1\2[ \t]*$|`[^`\n]+`", re.DOTALL | re.MULTILINE)
NAME = re.compile(r"[a-z_][a-z0-9_]*")


def prose_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every stretch of ``text`` outside code, in order."""
    spans, position = [], 0
    for code in CODE.finditer(text):
        spans.append((position, code.start()))
        position = code.end()
    spans.append((position, len(text)))
    return spans


def resolve(text: str, values: dict[str, float | int], where: str, first_line: int = 1) -> str:
    """Replace every citation in ``text`` outside code; ``where`` (a file) and ``first_line`` locate
    errors. Any other ``{{`` outside code is an error: a citation that would reach the reader raw."""

    def line_of(position: int) -> int:
        return first_line + text.count("\n", 0, position)

    def replace(match: re.Match, offset: int) -> str:
        name, spec = match["name"], match["spec"]
        line = line_of(offset + match.start())
        if name not in values:
            raise CitationError(f"{where}:{line}: unknown value '{name}' in '{match[0]}'; {_known(values)}")
        try:
            number = format_value(values[name], spec)
        except ValueError as error:
            raise CitationError(f"{where}:{line}: bad format '{spec}' for '{name}': {error}") from None
        if not match["particle"]:
            return number
        try:
            return number + particle_after(number, match["particle"])
        except ValueError as error:
            raise CitationError(f"{where}:{line}: {error} in '{match[0]}'") from None

    parts, previous_end = [], 0
    for start, end in prose_spans(text):
        parts.append(text[previous_end:start])  # the code before this stretch, as written
        stretch = text[start:end]
        _check_no_stray_braces(CITATION.sub("", stretch), stretch, start, line_of, where)
        parts.append(CITATION.sub(lambda match, start=start: replace(match, start), stretch))
        previous_end = end
    return "".join(parts)


def _check_no_stray_braces(leftover: str, stretch: str, start: int, line_of, where: str) -> None:
    """``{{`` that is not a whole citation: a wrong case, a hyphen, a missing brace."""
    if "{{" not in leftover:
        return
    # Locate the first stray "{{" in the original stretch (citations removed, offsets kept).
    masked = CITATION.sub(lambda m: " " * len(m[0]), stretch)
    position = masked.index("{{")
    fragment = stretch[position : position + 40].split("\n", 1)[0]
    raise CitationError(
        f"{where}:{line_of(start + position)}: '{fragment}' is not a citation; write {{{{ name }}}} or "
        f"{{{{ name:format }}}} with a lower-case ASCII name (a-z, 0-9, _), closed by '}}}}'; "
        f"in TeX, put a space between braces ('{{ {{')"
    )


# The final sound of each digit's Sino-Korean reading: 영 일 이 삼 사 오 육 칠 팔 구.
_DIGIT_CODA = {"0": "ㅇ", "1": "ㄹ", "2": "", "3": "ㅁ", "4": "", "5": "", "6": "ㄱ", "7": "ㄹ", "8": "ㄹ", "9": ""}
# A whole number that ends in zeros is read with its last unit: 십 백 천 만 … 만 억 … 조.
_ZEROS_CODA = ["", "ㅂ", "ㄱ", "ㄴ", "ㄴ", "ㄴ", "ㄴ", "ㄴ", "ㄱ", "ㄱ", "ㄱ", "ㄱ", ""]
_SUPERSCRIPTS = "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"


def final_sound(number: str) -> str:
    """The final consonant ('' for a vowel) of a number as it is read aloud in Korean."""
    text = number.strip()
    if text.endswith("%"):
        return ""  # 퍼센트
    if text and text[-1] in _SUPERSCRIPTS:
        return "ㅇ"  # 10⁻¹⁸: 십의 마이너스 십팔 승
    match = re.search(r"(\d[\d,]*)(\.\d+)?$", text)
    if not match:
        raise ValueError(f"cannot tell how {number!r} is read, for the particle after it")
    if match[2]:  # a decimal is read digit by digit after the point
        return _DIGIT_CODA[match[2][-1]]
    digits = match[1].replace(",", "")
    stripped = digits.rstrip("0")
    if not stripped:
        return "ㅇ"  # 영
    zeros = len(digits) - len(stripped)
    return _DIGIT_CODA[stripped[-1]] if zeros == 0 else _ZEROS_CODA[min(zeros, len(_ZEROS_CODA) - 1)]


def particle_after(number: str, written: str) -> str:
    """The form of a particle written as '(이)가', '(은)는', '(을)를', '(과)와', '(으)로' or
    '(이)…' (the copula) that follows ``number``."""
    coda = final_sound(number)
    first, rest = written[1], written[3:]
    if first == "이" and rest == "가":
        return "이" if coda else "가"
    if first == "이":
        return ("이" + rest) if coda else rest
    pairs = {"은": "는", "을": "를", "과": "와", "으": "로"}
    if not rest.startswith(pairs[first]):
        raise ValueError(f"'{written}' is not a particle in its two forms (e.g. (은)는, (을)를, (으)로)")
    if first == "으":
        return ("으" + rest) if coda and coda != "ㄹ" else rest
    return (first + rest[1:]) if coda else rest


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
