"""The glossary (``data/glossary.yml``): load and validate it, render the 용어집 page,
the abbreviation tooltips, and check pages' tags against it.

One data file lists every topic term in Korean and English with the spellings
learners type (층 정규화 / 레이어 정규화 / layer normalization / LN) and the page
(and heading) that explains it. ``load()`` rejects, naming the file and line:
an unknown key, a missing ``term``/``english``/``page``, the same ``term`` twice,
a spelling claimed by two terms, a ``page`` that is not a Markdown file of the
site and a ``#heading-id`` that is not a heading of that page (same slugifier as
mkdocs.yml). ``check_tags()`` rejects a front-matter tag that is no spelling of a
term. The site's plugin (``scripts/site_plugin/glossary.py``) calls these once per build
and hands the terms it loaded to the search enrichment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError
from pymdownx.slugs import slugify

from scripts.sources import SourceError, read_text

ROOT = Path(__file__).resolve().parents[1]
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
    page: str  # docs path, e.g. "qna/layer-norm-warmup.md"
    anchor: str = ""  # heading id on that page, "" for the page itself
    abbr: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    tooltip: str = ""
    note: str = ""
    title: str = field(default="", compare=False)  # title of `page`
    heading: str = field(default="", compare=False)  # text of the heading `anchor` names

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every way of writing the term: headword, English, abbreviations, aliases."""
        seen: dict[str, str] = {}
        for spelling in (self.term, self.english, *self.abbr, *self.aliases):
            seen.setdefault(spelling.casefold(), spelling)
        return tuple(seen.values())


def load(path: Path = GLOSSARY, docs_dir: Path | None = None) -> list[Term]:
    """Parse and validate the glossary; raise PluginError naming the file, line and problem."""
    docs_dir = docs_dir or ROOT / "docs"
    shown = shown_path(path)
    try:
        text = read_text(path, shown)
        raw = yaml.safe_load(text)
        nodes = yaml.compose(text)
    except SourceError as error:
        raise PluginError(str(error)) from None
    except yaml.YAMLError as error:
        raise PluginError(f"{shown}: {error}") from None
    if not isinstance(raw, list) or not raw:
        raise PluginError(f"{shown}: expected a list of terms")
    lines = [item.start_mark.line + 1 for item in nodes.value]
    terms = [_term(entry, f"{shown}:{line}", docs_dir) for entry, line in zip(raw, lines)]
    defined: dict[str, int] = {}
    owner: dict[str, str] = {}
    for term, line in zip(terms, lines):
        key = term.term.casefold()
        if key in defined:
            raise PluginError(f"{shown}:{line}: term {term.term!r} is already defined at line {defined[key]}")
        defined[key] = line
        for spelling in term.spellings:
            key = spelling.casefold()
            if key in owner and owner[key] != term.term:
                raise PluginError(
                    f"{shown}:{line}: spelling {spelling!r} of {term.term!r} already belongs to {owner[key]!r}"
                )
            owner[key] = term.term
    return terms


def check_tags(source: str, where: str, terms: list[Term]) -> None:
    """Raise PluginError if a tag in the front matter of the Markdown `source` is not a
    spelling of a glossary term; `where` is the page's path as shown in the error."""
    front = re.match(r"^---\n(.*?)\n---\n", source, re.DOTALL)
    try:
        meta = (yaml.safe_load(front[1]) if front else None) or {}
    except yaml.YAMLError as error:
        raise PluginError(f"{where}: front matter: {error}") from None
    tags = meta.get("tags") if isinstance(meta, dict) else None
    if tags is None:
        return
    if not isinstance(tags, list):
        raise PluginError(f"{where}: 'tags' must be a list")
    spellings = {s.casefold() for term in terms for s in term.spellings}
    for tag in tags:
        if str(tag).casefold() not in spellings:
            line = _tag_line(source, str(tag))
            raise PluginError(
                f"{where}{f':{line}' if line else ''}: tag {tag!r} is not a term or alias in {shown_path(GLOSSARY)}"
            )


def _tag_line(source: str, tag: str) -> int | None:
    front = re.match(r"^---\n(.*?)\n---\n", source, re.DOTALL)
    if not front:
        return None
    for number, line in enumerate(front[1].splitlines(), 2):
        if re.match(rf"^\s*(-\s*|tags:\s*\[?.*)['\"]?{re.escape(tag)}['\"]?\s*(,|\]|$)", line):
            return number
    return None


def shown_path(path: Path) -> str:
    """`path` relative to the repository when it is inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _term(entry: object, where: str, docs_dir: Path) -> Term:
    if not isinstance(entry, dict):
        raise PluginError(f"{where}: expected a mapping")
    unknown = set(entry) - KEYS
    if unknown:
        raise PluginError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("term", "english", "page"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise PluginError(f"{where}: '{key}' is required")
    where = f"{where}: term {entry['term']!r}"
    for key in ("term", "english"):  # they make the tooltip when it is not given
        _plain_line(entry[key], where, key)
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
        tooltip=_plain_line(entry.get("tooltip"), where, "tooltip"),
        note=str(entry.get("note") or "").strip(),
        title=title,
        heading=headings.get(anchor, ""),
    )


def _plain_line(value: object, where: str, key: str) -> str:
    """A tooltip is one line of plain text: Markdown's abbreviation syntax ends at the line's end
    (a second line would land on every page), and Material's tooltip renders markup."""
    text = str(value or "").strip()
    if "\n" in text:
        raise PluginError(f"{where}: '{key}' must be one line (write it on one line, without '|')")
    if re.search(r"[<>&]", text):
        raise PluginError(f"{where}: '{key}' must be plain text, without '<', '>' or '&'")
    return text


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
    try:
        text = read_text(path, shown_path(path))
    except SourceError as error:
        raise PluginError(str(error)) from None
    title = ""
    front = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    if front:
        meta = yaml.safe_load(front[1]) or {}
        title = str(meta.get("title") or "") if isinstance(meta, dict) else ""
        text = text[front.end() :]
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
