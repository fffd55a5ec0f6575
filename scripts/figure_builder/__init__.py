"""Run the snippets, install their figures and executed notebooks, skip what is up to date.

    python -m scripts.figure_builder            # run stale snippets (in parallel)
    python -m scripts.figure_builder --list     # show every snippet, fresh or stale (and why), and its figures
    python -m scripts.figure_builder --only pe  # run one snippet (name or unique prefix), even if fresh
    python -m scripts.figure_builder --force    # run every snippet
    python -m scripts.figure_builder --threads 2  # torch threads per kernel (default 1)
    python -m scripts.figure_builder --progress-seconds 2  # a running snippet says so every 2 s (default 10)
    python -m scripts.figure_builder --sheet    # then every figure on one local page, for review

A snippet is ``snippets/<name>.py`` (jupytext percent format; files starting
with ``_`` are helpers). It is executed as a notebook in a kernel whose
``SNIPPET_OUTPUT_DIR`` points at a private staging folder; only when every cell
succeeded are its figures, published values and executed notebook moved into
``.cache/generated/``. The figure hook adds that folder to the site as
``generated/...``; nothing is written under ``docs/``.

Citations (``{{ name:.2f }}``) in the snippet's Markdown cells and alt texts are
resolved here, so the published notebook shows the numbers the page shows.

A snippet is fresh when its cache key (its source, the local modules it imports,
the versions of the libraries that draw the figures and this builder's source)
is unchanged and every output still has the bytes the last run installed.

Every function that reads or writes the project's files takes a ``BuilderConfig`` (``config``):
the project root (whose ``snippets/`` and ``.cache/`` it works on), torch threads per kernel, how
often a running snippet reports and where lines go. The command line makes one for the checkout
the package lives in, the site's plugin one for the folder of ``mkdocs.yml``.

Modules: ``config`` (the project's folders, how snippets run), ``common`` (discovery, cache
keys), ``files`` (the atomic write, the checkout lock), ``manifest`` (the record of the last
good runs, freshness), ``build`` (scheduling, interruption, installing), ``runner`` (one snippet
in a kernel, in a process of its own), ``sheet`` (the contact sheet), ``cli``.
"""

from scripts.figure_builder.build import Outcome, build
from scripts.figure_builder.cli import list_snippets, main
from scripts.figure_builder.common import (
    SnippetError,
    cache_key,
    discover_snippets,
    local_dependencies,
)
from scripts.figure_builder.config import DEFAULT_THREADS, BuilderConfig
from scripts.figure_builder.manifest import (
    figure_meta,
    known_figures,
    load_manifest,
    published_values,
    save_manifest,
    staleness,
)

__all__ = [
    "DEFAULT_THREADS",
    "BuilderConfig",
    "Outcome",
    "SnippetError",
    "build",
    "cache_key",
    "discover_snippets",
    "figure_meta",
    "known_figures",
    "list_snippets",
    "load_manifest",
    "local_dependencies",
    "main",
    "published_values",
    "save_manifest",
    "staleness",
]
