"""Formulas as search tokens: one reading of TeX and of formulas as learners type them.

Pages show formulas as MathML, whose text in the index ("diag(p)−pp⊤", "dk=1024") no query
spells the same way. ``normalise`` reads a formula written in TeX (``QK^\\top/\\sqrt{d_k}``), in
Unicode (``QK⊤/√d_k``) or in words (``Q K transpose``, ``sqrt(d_k)``) into the same tokens:

- Unicode math symbols and TeX commands fold to one ASCII name (√ and \\sqrt -> sqrt, ∂ -> partial,
  σ and \\sigma -> sigma, ⊤, ᵀ, \\top and the word "transpose" -> a superscript T, ² -> ^2);
  layout commands (\\left, \\, \\mathrm{...}) and multiplication signs (·, \\cdot, *, ×) vanish;
- superscripts and subscripts are written flat onto their base: d_k -> dk,
  d_{model}^{-0.5} -> dmodel05, QK^T -> qkt;
- short symbols (one or two letters, or a number) side by side form one product: Q K^T -> qkt,
  n^2 \\cdot d -> n2d; the product's factors of two characters or more are tokens too (kt);
- anything else (operators, parentheses, Hangul) separates tokens; tokens are lowercase ASCII
  letters and digits, two characters at least.

The browser's query rewriter (docs/assets/javascripts/korean-search/query.js, ``formulaTokens``)
implements the same rules; tests/formula_examples.yml holds the examples both must agree on.
"""

from __future__ import annotations

import html
import re

from scripts import tex_to_mathml
from scripts.search import sections

# Unicode symbols and the words a learner types for them, as TeX.
UNICODE = {
    "√": r"\sqrt ",
    "∂": r"\partial ",
    "⊤": "^T",
    "ᵀ": "^T",
    "⁻": "^-",
    "−": "-",
    "‖": "|",
    "∑": r"\sum ",
    "∏": r"\prod ",
    "∞": r"\infty ",
    "·": " ",
    "⋅": " ",
    "∙": " ",
    "×": " ",
    "*": " ",
    "α": r"\alpha ",
    "β": r"\beta ",
    "γ": r"\gamma ",
    "δ": r"\delta ",
    "Δ": r"\delta ",
    "ε": r"\epsilon ",
    "η": r"\eta ",
    "θ": r"\theta ",
    "λ": r"\lambda ",
    "μ": r"\mu ",
    "π": r"\pi ",
    "ρ": r"\rho ",
    "σ": r"\sigma ",
    "τ": r"\tau ",
    "φ": r"\phi ",
    "ω": r"\omega ",
    "ζ": r"\zeta ",
    "ξ": r"\xi ",
    "ψ": r"\psi ",
    "χ": r"\chi ",
    "ν": r"\nu ",
    "κ": r"\kappa ",
    "Σ": r"\sigma ",
    "Ω": r"\omega ",
    "Θ": r"\theta ",
    "Λ": r"\lambda ",
    "Φ": r"\phi ",
    "Γ": r"\gamma ",
    "∇": r"\nabla ",
    "≤": r"\le ",
    "≥": r"\ge ",
    "≈": r"\approx ",
    "≠": r"\ne ",
    "→": r"\to ",
    "∈": r"\in ",
    "∼": r"\sim ",
}
# TeX spellings of the same relation.
ALIASES = {"leq": "le", "geq": "ge", "neq": "ne", "rightarrow": "to"}
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"
# TeX commands that only lay a formula out, and multiplication signs: a space.
SPACES = {
    "left",
    "right",
    "big",
    "bigl",
    "bigr",
    "Big",
    "Bigl",
    "Bigr",
    "cdot",
    "times",
    "cdots",
    "dots",
    "ldots",
    "quad",
    "qquad",
    "displaystyle",
}
# TeX commands whose group is the text itself (\mathrm{diag} -> diag).
WRAPPERS = {"mathrm", "text", "operatorname", "mathbf", "mathbb", "mathit", "mathsf", "boldsymbol", "textrm"}
TRANSPOSE = {"top", "intercal"}  # TeX commands
TRANSPOSE_WORDS = {"transpose", "transposed"}
NORMS = {"lvert", "rvert", "lVert", "rVert", "vert", "Vert", "mid"}
# Words that name the same thing (after folding).
SYNONYMS = {"root": "sqrt", "루트": "sqrt", "제곱근": "sqrt", "전치": "transpose"}

_WORD = re.compile(r"[A-Za-z]+|[0-9]+(?:\.[0-9]+)?")


def fold(text: str) -> str:
    """Unicode symbols as TeX, so that one reader handles both."""
    out = []
    for char in text.replace("**", "^"):
        if char in UNICODE:
            out.append(UNICODE[char])
        elif char in SUPERSCRIPTS:
            out.append("^" + str(SUPERSCRIPTS.index(char)))
        elif char in SUBSCRIPTS:
            out.append("_" + str(SUBSCRIPTS.index(char)))
        else:
            out.append(char)
    folded = "".join(out).replace(r"\_", "_")
    for word, name in SYNONYMS.items():
        folded = re.sub(rf"(?<![A-Za-z]){word}(?![A-Za-z])", f" {name} ", folded)
    return folded


def normalise(formula: str) -> list[str]:
    """The search tokens of a formula (TeX, Unicode or typed), in order, without repeats."""
    tokens: list[str] = []
    for product in _products(fold(formula)):
        if len(product) > 1:
            tokens.append("".join(product))
        tokens.extend(product)
    # A bare number is in the page's text already (MathML keeps it as it is).
    return list(dict.fromkeys(t for t in tokens if len(t) >= 2 and not t.isdigit()))


def _products(text: str) -> list[list[str]]:
    """Groups of atoms that multiply (side by side, short ones only), in order."""
    groups: list[list[str]] = []
    current: list[str] = []  # the product being read
    last_short = False  # whether the last atom of `current` may take a neighbour
    i, n = 0, len(text)

    def close() -> None:
        nonlocal current, last_short
        if current:
            groups.append(current)
        current, last_short = [], False

    while i < n:
        char = text[i]
        if char in "^_":
            script, i = _script(text, i + 1)
            if script == "" and char == "^":
                continue
            if current:
                current[-1] += script
            else:
                current = [script]
                last_short = False
            continue
        if char == "\\":
            name, i = _command(text, i + 1)
            if name in SPACES or name == "":
                continue
            if name in WRAPPERS:
                continue  # its group is read as text
            if name in TRANSPOSE:
                _transpose(current)
                continue
            if name in NORMS:
                close()
                continue
            if name in ("frac", "tfrac", "dfrac"):
                close()
                continue
            close()  # a function or a Greek letter: a word of its own, which may take scripts
            current = [ALIASES.get(name, name).lower()]
            continue
        match = _WORD.match(text, i)
        if match:
            word = match[0].lower().replace(".", "")
            i = match.end()
            if word in TRANSPOSE_WORDS:
                _transpose(current)
                continue
            short = len(word) <= 2 or word.isdigit()
            if short and last_short:
                current.append(word)
            else:
                close()
                current = [word]
            last_short = short
            continue
        if char.isspace() or char in "{}'":
            i += 1
            continue
        close()  # an operator, a parenthesis, Hangul: the product ends
        i += 1
    close()
    return groups


def _transpose(product: list[str]) -> None:
    """A superscript T on the product's last atom (or a lone T: a script's content)."""
    if product:
        product[-1] += "t"
    else:
        product.append("t")


def _command(text: str, i: int) -> tuple[str, int]:
    """A TeX command's name after its backslash (a symbol command like \\, has none)."""
    match = re.compile(r"[A-Za-z]+").match(text, i)
    if match:
        return match[0], match.end()
    return "", i + 1


def _script(text: str, i: int) -> tuple[str, int]:
    """A superscript or subscript starting at `i`, flat: a group's letters and digits, or an
    optionally signed number, or a word, or a TeX command's name; and where it ends."""
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        return "", i
    opening = text[i]
    if opening in "{(":
        closing = "}" if opening == "{" else ")"
        depth, j = 0, i
        while j < len(text):
            if text[j] == opening:
                depth += 1
            elif text[j] == closing:
                depth -= 1
                if depth == 0:
                    break
            j += 1
        return _flat(text[i + 1 : j]), j + 1
    if opening == "\\":
        name, j = _command(text, i + 1)
        if name in WRAPPERS:  # d_\text{model}: the wrapped group is the script
            return _script(text, j)
        return ("t" if name in TRANSPOSE else name.lower()), j
    match = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|[A-Za-z]+)").match(text, i)
    if match:
        return _flat(match[0]), match.end()
    return "", i


def _flat(script: str) -> str:
    """A script's tokens run together: ^{-0.5} -> 05, _{i-1} -> i1, ^{2i/d_{model}} -> 2idmodel."""
    return "".join(t for group in _products(script) for t in group)


# ---------------------------------------------------------------- the formulas of a page's sections


def by_section(page_html: str) -> dict[str, list[str]]:
    """The TeX of each formula in a Markdown page's HTML (before it becomes MathML), by the anchor
    of the section Material's search puts it in ("" for the page's first section)."""
    found = sections.by_section(page_html, tex_to_mathml.ARITHMATEX)
    return {anchor: [html.unescape(m["tex"]) for m in matches] for anchor, matches in found.items()}
