"""MkDocs hook: ``data/glossary.yml`` as the 용어집 page, abbreviation tooltips and tag check.

The logic is in ``scripts/glossary.py``; this module only wires it to MkDocs events.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Hooks are loaded by file path; make `scripts` importable from the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from mkdocs.exceptions import PluginError  # noqa: E402

from scripts import glossary  # noqa: E402
from scripts.sources import SourceError, read_text  # noqa: E402


# ---------------------------------------------------------------- MkDocs events


def on_config(config):
    """Load and validate the glossary once per build (the search step reuses it)."""
    glossary.remember(glossary.load(glossary.GLOSSARY, Path(config.docs_dir)))
    return config


def on_files(files, config):
    """Every page's tags must be glossary terms: checked before any page is rendered."""
    terms = glossary.current()
    for file in files.documentation_pages():
        if file.src_uri.endswith(".md") and file.abs_src_path:
            path = Path(file.abs_src_path)
            try:
                source = read_text(path, glossary.shown_path(path))
            except SourceError as error:
                raise PluginError(str(error)) from None
            glossary.check_tags(source, glossary.shown_path(path), terms)
    return files


def on_page_markdown(markdown, page, config, files):
    """Render the 용어집 in place of its marker; append the abbreviations to every page."""
    if not page.file.src_uri.endswith(".md"):
        return markdown
    terms = glossary.current()
    if glossary.MARKER in markdown:
        markdown = markdown.replace(glossary.MARKER, glossary.render_page(terms, page, files))
    return markdown + "\n\n" + glossary.abbreviations(terms) + "\n"
