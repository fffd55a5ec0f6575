"""Snippet discovery and cache keys: what every part of the builder shares (its folders: ``config``)."""

from __future__ import annotations

import ast
import functools
import hashlib
import re
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from scripts.sources import SourceError, read_text

if TYPE_CHECKING:
    from scripts.figure_builder.config import BuilderConfig

VERSIONED_LIBRARIES = ("torch", "matplotlib", "numpy", "koreanize-matplotlib", "jupytext", "nbclient")


NOTEBOOK_BRANCH = "notebooks"  # the Pages workflow pushes the executed notebooks there, for Colab


def site_url(root: Path) -> str:
    """The site's address (the project's mkdocs.yml's site_url): a notebook run outside the
    repository fetches the experiment code from there."""
    match = re.search(r"^site_url:\s*(\S+)\s*$", read_text(root / "mkdocs.yml"), re.MULTILINE)
    url = match[1] if match else ""
    return url if url.endswith("/") else url + "/"


def colab_url(notebook: str, site: str) -> str | None:
    """Colab's address of an executed notebook, derived from the GitHub Pages site_url
    (https://OWNER.github.io/REPO/ -> github.com/OWNER/REPO, branch NOTEBOOK_BRANCH);
    None when the site is not on GitHub Pages."""
    match = re.fullmatch(r"https://([A-Za-z0-9-]+)\.github\.io/([^/]*)/?", site)
    if not match:
        return None
    owner, repository = match[1], match[2] or f"{match[1]}.github.io"
    return f"https://colab.research.google.com/github/{owner}/{repository}/blob/{NOTEBOOK_BRANCH}/{notebook}.ipynb"


class SnippetError(RuntimeError):
    """A snippet failed; the message names the snippet and, where known, its failing line."""


def discover_snippets(config: BuilderConfig) -> dict[str, Path]:
    """All experiment snippets by name, in a stable order (files starting with ``_`` are helpers)."""
    return {path.stem: path for path in sorted(config.snippet_dir.glob("*.py")) if not path.name.startswith("_")}


def resolve_name(query: str, snippets: dict[str, Path]) -> str:
    if query in snippets:
        return query
    matches = [name for name in snippets if name.startswith(query)]
    if len(matches) != 1:
        known = ", ".join(snippets)
        raise SystemExit(f"unknown snippet {query!r} (known: {known})")
    return matches[0]


def local_dependencies(config: BuilderConfig, path: Path, seen: set[Path] | None = None) -> set[Path]:
    """Files under snippets/ that ``path`` imports, transitively. Raises SyntaxError."""
    seen = set() if seen is None else seen
    for name in _snippet_imports(path, config.relative(path), path.stat().st_mtime_ns, path.stat().st_size):
        dep = config.snippet_dir / f"{name}.py"
        if dep.exists() and dep not in seen and dep != path:
            seen.add(dep)
            local_dependencies(config, dep, seen)
    return seen


@functools.lru_cache(maxsize=256)
def _snippet_imports(path: Path, shown: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    """The snippets/ modules one file imports (parsed once per version of the file: every snippet
    imports the same helpers, and a build asks for each snippet's key more than once); ``shown``
    is how an error names the file."""
    tree = ast.parse(read_text(path, shown), filename=str(path))
    names = []
    for node in ast.walk(tree):
        for module in _imported_modules(node):
            parts = module.split(".")
            if parts[0] == "snippets" and len(parts) >= 2:
                names.append(parts[1])
    return tuple(names)


def cited_values(config: BuilderConfig, path: Path) -> set[str]:
    """Names of the values a snippet's source cites as {{ name }} (Markdown cells, alt texts)."""
    from scripts.citations import CITATION

    return {match["name"] for match in CITATION.finditer(read_text(path, config.relative(path)))}


def _imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        if node.module == "snippets":  # from snippets import x
            return [f"snippets.{alias.name}" for alias in node.names]
        return [node.module]
    return []


def cache_key(config: BuilderConfig, name: str, path: Path) -> str:
    """Source, local imports, library versions and the builder's own code.
    A snippet (or a helper it imports) that does not parse is that snippet's failure."""
    try:
        dependencies = sorted(local_dependencies(config, path))
    except SyntaxError as error:
        where = config.relative(error.filename or path) + (f":{error.lineno}" if error.lineno else "")
        raise SnippetError(f"snippet '{name}' failed at {where}: SyntaxError: {error.msg}") from None
    except SourceError as error:
        raise SnippetError(f"snippet '{name}' failed: {error}") from None
    digest = hashlib.sha256()
    for dep in [path, *dependencies]:
        digest.update(dep.name.encode())
        digest.update(dep.read_bytes())
    for library in VERSIONED_LIBRARIES:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    digest.update(site_url(config.root).encode())  # the notebook's first cells name the site
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()
