"""``data/glossary.yml`` as the 용어집 page, abbreviation tooltips and the tag check
(the logic is in ``scripts/glossary.py``). The terms are loaded once per build and handed to the
search concern through ``Glossary.terms``."""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError

from scripts import glossary
from scripts.glossary import Term
from scripts.sources import SourceError, read_text


class Glossary:
    def __init__(self, path: Path):
        self.path = path
        self.terms: list[Term] = []

    def on_config(self, config) -> None:
        """Load and validate the glossary once per build."""
        self.terms = glossary.load(self.path, Path(config.docs_dir))

    def on_files(self, files) -> None:
        """Every page's tags must be glossary terms: checked before any page is rendered."""
        for file in files.documentation_pages():
            if file.src_uri.endswith(".md") and file.abs_src_path:
                path = Path(file.abs_src_path)
                try:
                    source = read_text(path, glossary.shown_path(path))
                except SourceError as error:
                    raise PluginError(str(error)) from None
                glossary.check_tags(source, glossary.shown_path(path), self.terms)

    def on_page_markdown(self, markdown: str, page, files) -> str:
        """Render the 용어집 in place of its marker; append the abbreviations to every page."""
        if not page.file.src_uri.endswith(".md"):
            return markdown
        if glossary.MARKER in markdown:
            markdown = markdown.replace(glossary.MARKER, glossary.render_page(self.terms, page, files))
        return markdown + "\n\n" + glossary.abbreviations(self.terms) + "\n"
