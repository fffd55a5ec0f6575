"""MkDocs hook: the glossary (``data/glossary.yml``) as the 용어집 page and as tooltips.

One data file lists every topic term in Korean and English with the spellings
learners type (층 정규화 / 레이어 정규화 / layer normalization / LN) and the page
(and heading) that explains it. This hook

- validates it when the config is loaded: required keys, no spelling claimed by
  two terms, every ``page`` an existing Markdown file and every ``#heading-id``
  a heading of that file (same slugifier as mkdocs.yml), else the build fails;
- renders it into ``docs/glossary.md`` in place of ``<!-- glossary -->``:
  one definition per term, 가나다순, linking to where the term is explained;
- appends an abbreviation definition (``*[LN]: Layer Normalization, 층 정규화``)
  for every ``abbr`` to every Markdown page, so recurring abbreviations get
  Material's tooltips (this replaces the hand-written ``includes/abbreviations.md``).

The search hook (``search_morphology.py``) reads the same data through ``load()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError
from pymdownx.slugs import slugify

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "data" / "glossary.yml"
MARKER = "<!-- glossary -->"
KEYS = {"term", "english", "abbr", "tooltip", "aliases", "page", "note"}
SLUGIFY = slugify(case="lower")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Term:
    term: str
    english: str
    page: str                      # docs path, e.g. "qna/layer-norm-warmup.md"
    anchor: str = ""               # heading id on that page, "" for the page itself
    abbr: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    tooltip: str = ""
    note: str = ""
    title: str = field(default="", compare=False)    # title of `page`
    heading: str = field(default="", compare=False)  # text of the heading `anchor` names

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every way of writing the term: headword, English, abbreviations, aliases."""
        seen: dict[str, str] = {}
        for spelling in (self.term, self.english, *self.abbr, *self.aliases):
            seen.setdefault(spelling.casefold(), spelling)
        return tuple(seen.values())


def load(path: Path = GLOSSARY, docs_dir: Path | None = None) -> list[Term]:
    """Parse and validate the glossary; raise PluginError naming the first problem."""
    docs_dir = docs_dir or ROOT / "docs"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PluginError(f"glossary {path}: {error}") from None
    if not isinstance(raw, list) or not raw:
        raise PluginError(f"glossary {path}: expected a list of terms")
    terms = [_term(entry, number, docs_dir) for number, entry in enumerate(raw, 1)]
    owner: dict[str, str] = {}
    for term in terms:
        for spelling in term.spellings:
            key = spelling.casefold()
            if key in owner and owner[key] != term.term:
                raise PluginError(f"glossary: spelling {spelling!r} belongs to both {owner[key]!r} and {term.term!r}")
            owner[key] = term.term
    return terms


def _term(entry: object, number: int, docs_dir: Path) -> Term:
    where = f"glossary entry {number}"
    if not isinstance(entry, dict):
        raise PluginError(f"{where}: expected a mapping")
    unknown = set(entry) - KEYS
    if unknown:
        raise PluginError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("term", "english", "page"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise PluginError(f"{where}: '{key}' is required")
    where = f"glossary term {entry['term']!r}"
    page, _, anchor = entry["page"].partition("#")
    found = _read_page(docs_dir / page)
    if found is None:
        raise PluginError(f"{where}: page {page!r} does not exist in {docs_dir}")
    title, headings = found
    if anchor and anchor not in headings:
        raise PluginError(f"{where}: {page} has no heading with id {anchor!r} (ids: {', '.join(headings)})")
    return Term(
        term=entry["term"].strip(),
        english=entry["english"].strip(),
        page=page,
        anchor=anchor,
        abbr=_strings(entry.get("abbr"), where, "abbr"),
        aliases=_strings(entry.get("aliases"), where, "aliases"),
        tooltip=str(entry.get("tooltip") or "").strip(),
        note=str(entry.get("note") or "").strip(),
        title=title,
        heading=headings.get(anchor, ""),
    )


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise PluginError(f"{where}: '{key}' must be a string or a list of non-empty strings")
    return tuple(v.strip() for v in values)


def _read_page(path: Path) -> tuple[str, dict[str, str]] | None:
    """A Markdown file's title (front matter, else first heading) and its heading id -> text
    (ids as the toc extension makes them)."""
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    title = ""
    front = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    if front:
        meta = yaml.safe_load(front[1]) or {}
        title = str(meta.get("title") or "") if isinstance(meta, dict) else ""
        text = text[front.end():]
    headings: dict[str, str] = {}
    used: dict[str, int] = {}
    fenced = False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match:
            heading = match[2].strip()
            anchor = SLUGIFY(heading, "-")
            count = used.get(anchor, 0)
            used[anchor] = count + 1
            headings[anchor if count == 0 else f"{anchor}_{count}"] = heading
            title = title or heading
    return title or path.stem, headings


# ---------------------------------------------------------------- MkDocs events

_terms: list[Term] = []


def on_config(config):
    _terms[:] = load(GLOSSARY, Path(config.docs_dir))
    return config


def on_page_markdown(markdown, page, config, files):
    if not page.file.src_uri.endswith(".md"):
        return markdown
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, render_page(_terms, page, files))
    return markdown + "\n\n" + abbreviations(_terms) + "\n"


def abbreviations(terms: list[Term]) -> str:
    """Markdown abbreviation definitions: every page's tooltips for the glossary's abbreviations."""
    lines = []
    for term in terms:
        for abbr in term.abbr:
            lines.append(f"*[{abbr}]: {term.tooltip or f'{term.english}, {term.term}'}")
    return "\n".join(lines)


def render_page(terms: list[Term], page, files) -> str:
    """The 용어집 as a definition list, 가나다순, each term linking to where it is explained."""
    blocks = []
    for term in sorted(terms, key=lambda t: t.term.casefold()):
        if files.get_file_from_path(term.page) is None:
            raise PluginError(f"glossary term {term.term!r}: {term.page} is not a page of this site")
        label = f"{term.title} › {term.heading}" if term.heading else term.title
        link = _relative(page.file.src_uri, term.page) + (f"#{term.anchor}" if term.anchor else "")
        shown = [a for a in term.abbr if a not in (term.term, term.english)]
        english = term.english + (f" ({', '.join(shown)})" if shown else "")
        others = [s for s in term.spellings if s not in (term.term, term.english, *term.abbr)]
        body = [_escape(term.note)] if term.note else []
        if others:
            body.append("다른 표기: " + ", ".join(_escape(s) for s in others))
        body.append(f"설명: [{_escape(label)}]({link})")
        blocks.append(
            f"**{_escape(term.term)}** · {_escape(english)}\n"
            + "\n".join(f":   {line}" if i == 0 else f"    {line}" for i, line in enumerate(_paragraphs(body)))
        )
    return "\n\n".join(blocks)


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines of one definition, separated by blank lines (one paragraph each)."""
    out: list[str] = []
    for line in lines:
        if out:
            out.append("")
        out.append(line)
    return out


def _relative(from_uri: str, to_uri: str) -> str:
    depth = from_uri.count("/")
    return "../" * depth + to_uri


def _escape(text: str) -> str:
    """Text as literal Markdown: no emphasis, links or HTML from the data file."""
    text = re.sub(r"([\\`*_\[\]])", r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
