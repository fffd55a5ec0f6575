"""The plugin's typed configuration: ``mkdocs.yml`` → ``plugins: - notes: {...}``.

Switches come from the environment through ``!ENV`` in mkdocs.yml, not from code:

    - notes:
        figures:
          only_missing: !ENV [NOTES_SKIP_FIGURES, false]
        search:
          stock: !ENV [NOTES_STOCK_SEARCH, false]
"""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class Flag(c.Type):
    """A switch that an environment variable may set as true/false or 1/0 (``!ENV`` reads "1" as 1)."""

    def __init__(self, default: bool = False):
        super().__init__((bool, int), default=default)

    def run_validation(self, value):
        return bool(super().run_validation(value))


class FiguresConfig(base.Config):
    # Run only snippets that never ran (a fresh clone) and keep stale outputs: the benchmarks' baseline.
    only_missing = Flag()
    # torch threads per snippet kernel (results do not depend on it).
    threads = c.Type(int, default=1)
    # A running snippet says so this often (seconds).
    progress_seconds = c.Type(float, default=10.0)


class SearchConfig(base.Config):
    # Stock Material search (lang ko) instead of the Korean index: the search benchmark's baseline.
    stock = Flag()


class NotesConfig(base.Config):
    figures = c.SubConfig(FiguresConfig)
    search = c.SubConfig(SearchConfig)
    glossary = c.Type(str, default="data/glossary.yml")
    original_log = c.Type(str, default="source/week7-log.md")
