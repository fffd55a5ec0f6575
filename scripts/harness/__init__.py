"""One harness for the tests and the benchmarks.

    from scripts.harness import ROOT, build_site, serve, parse_page, site_prefix

- ``site``: the repository (``ROOT``, ``copy_repository``), ``build_site`` (the one wrapper around
  ``mkdocs build --strict``, with the NOTES_SKIP_FIGURES / NOTES_STOCK_SEARCH switches),
  ``site_prefix`` (the URL path of ``site_url`` in mkdocs.yml), ``parse_page`` (a built page as a
  BeautifulSoup document), the page budget, a copy without Material's bundle
- ``serve``: a built site on 127.0.0.1 under its prefix (gzip optional), ``mkdocs serve`` on a free port
- ``browser``: Debian's Chromium, the viewports (desktop, the 390 px phone, Lighthouse's phone) and
  the main-thread summary of a traced page load
- ``search_box``: the query set and Material's search box driven in Chromium
- ``lighthouse``: Lighthouse from npm (``npm ci``) and the CPU slowdown per device class

Tests and benchmarks import this; tests import no benchmark.
"""

from scripts.harness.browser import CHROMIUM, DESKTOP, LIGHTHOUSE_PHONE, PHONE, launch_chromium
from scripts.harness.serve import free_port, serve, start_mkdocs_serve
from scripts.harness.site import (
    PAGE_BUDGET_BYTES,
    ROOT,
    Build,
    build_site,
    copy_repository,
    html_pages,
    parse_page,
    site_prefix,
)

__all__ = [
    "CHROMIUM",
    "DESKTOP",
    "LIGHTHOUSE_PHONE",
    "PAGE_BUDGET_BYTES",
    "PHONE",
    "ROOT",
    "Build",
    "build_site",
    "copy_repository",
    "free_port",
    "html_pages",
    "launch_chromium",
    "parse_page",
    "serve",
    "site_prefix",
    "start_mkdocs_serve",
]
