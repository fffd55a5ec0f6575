"""Run the snippets, install their figures and executed notebooks, skip what is up to date.

    python -m scripts.figure_builder            # run stale snippets (in parallel)
    python -m scripts.figure_builder --list     # show every snippet, fresh or stale, and its figures
    python -m scripts.figure_builder --only pe  # run one snippet (name or unique prefix), even if fresh
    python -m scripts.figure_builder --force    # run every snippet
    python -m scripts.figure_builder --threads 2  # torch threads per kernel (default 1)

A snippet is ``snippets/<name>.py`` (jupytext percent format; files starting
with ``_`` are helpers). It is executed as a notebook in a kernel whose
``SNIPPET_OUTPUT_DIR`` points at a private staging folder; only when every cell
succeeded are its figures, published values and executed notebook moved into
``.cache/generated/`` (rename, so a reader never sees half a file). The figure
hook adds that folder to the site as ``generated/...``; nothing is written under
``docs/``. A failure leaves the last good output untouched.

Citations (``{{ name:.2f }}``) in the snippet's Markdown cells and alt texts are
resolved here, so the published notebook shows the numbers the page shows.

The cache key of a snippet covers its source, the local modules it imports,
the versions of the libraries that draw the figures and this builder's source.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from scripts import citations

ROOT = Path(__file__).resolve().parent.parent
SNIPPET_DIR = ROOT / "snippets"
GENERATED_DIR = ROOT / ".cache" / "generated"   # published on the site as generated/...
FIGURE_DIR = GENERATED_DIR / "figures"
NOTEBOOK_DIR = GENERATED_DIR / "notebooks"
VALUE_DIR = GENERATED_DIR / "values"
CACHE_DIR = ROOT / ".cache" / "figure-builder"
MANIFEST = CACHE_DIR / "manifest.json"
# One torch thread per kernel: snippets run in parallel instead, and every figure and value
# must come out the same whatever the machine (tests use the same setting).
DEFAULT_THREADS = 1
VERSIONED_LIBRARIES = ("torch", "matplotlib", "numpy", "koreanize-matplotlib", "jupytext", "nbclient")
SNIPPET_TIMEOUT_SECONDS = 600


class SnippetError(RuntimeError):
    """A snippet raised; the message names the snippet and its failing line."""


@dataclass
class Outcome:
    name: str
    seconds: float = 0.0
    figures: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    staging: Path | None = None  # where a run left its outputs, until installed


# ---------------------------------------------------------------- discovery


def discover_snippets() -> dict[str, Path]:
    """All experiment snippets by name, in a stable order."""
    return {
        path.stem: path
        for path in sorted(SNIPPET_DIR.glob("*.py"))
        if not path.name.startswith("_")
    }


def resolve_name(query: str, snippets: dict[str, Path]) -> str:
    if query in snippets:
        return query
    matches = [name for name in snippets if name.startswith(query)]
    if len(matches) != 1:
        known = ", ".join(snippets)
        raise SystemExit(f"unknown snippet {query!r} (known: {known})")
    return matches[0]


def local_dependencies(path: Path, seen: set[Path] | None = None) -> set[Path]:
    """Files under snippets/ that ``path`` imports, transitively."""
    seen = set() if seen is None else seen
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        for module in _imported_modules(node):
            parts = module.split(".")
            if parts[0] != "snippets" or len(parts) < 2:
                continue
            dep = SNIPPET_DIR / f"{parts[1]}.py"
            if dep.exists() and dep not in seen and dep != path:
                seen.add(dep)
                local_dependencies(dep, seen)
    return seen


def _imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        if node.module == "snippets":  # from snippets import x
            return [f"snippets.{alias.name}" for alias in node.names]
        return [node.module]
    return []


# ---------------------------------------------------------------- cache


def cache_key(path: Path) -> str:
    digest = hashlib.sha256()
    for dep in [path, *sorted(local_dependencies(path))]:
        digest.update(dep.name.encode())
        digest.update(dep.read_bytes())
    for library in VERSIONED_LIBRARIES:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def load_manifest() -> dict:
    try:
        return json.loads(MANIFEST.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def save_manifest(manifest: dict) -> None:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    _write_atomic(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())


def is_fresh(name: str, path: Path, manifest: dict) -> bool:
    entry = manifest.get(name)
    if not entry or entry.get("key") != cache_key(path):
        return False
    return all(p.exists() for p in outputs_of(name, entry))


def outputs_of(name: str, entry: dict) -> list[Path]:
    outputs = [NOTEBOOK_DIR / f"{name}.ipynb", NOTEBOOK_DIR / f"{name}.py", VALUE_DIR / f"{name}.json"]
    outputs += [FIGURE_DIR / f"{fig}.json" for fig in entry.get("figures", [])]
    outputs += [figure_path(fig, v) for fig in entry.get("figures", []) for v in ("light", "dark")]
    return outputs


def figure_path(figure: str, variant: str) -> Path:
    return FIGURE_DIR / f"{figure}-{variant}.svg"


def known_figures(manifest: dict | None = None) -> dict[str, str]:
    """Figure name -> the snippet that makes it (from the last good runs)."""
    manifest = load_manifest() if manifest is None else manifest
    return {fig: name for name, entry in manifest.items() for fig in entry["figures"]}


def figure_meta(figure: str) -> dict:
    """The installed figure's alt text (citations resolved) and whether it is volatile."""
    return json.loads((FIGURE_DIR / f"{figure}.json").read_text(encoding="utf-8"))


def published_values(manifest: dict | None = None) -> dict[str, float | int]:
    """Every value the last good runs published, by name."""
    manifest = load_manifest() if manifest is None else manifest
    values = {}
    for name in manifest:
        path = VALUE_DIR / f"{name}.json"
        if path.exists():
            values.update(json.loads(path.read_text(encoding="utf-8")))
    return values


# ---------------------------------------------------------------- running


def build(force: bool = False, only: str | None = None, log=print,
          threads: int = DEFAULT_THREADS, missing_only: bool = False) -> list[Outcome]:
    """Bring every snippet's outputs up to date; raise SnippetError naming every snippet that failed
    (the others' outputs are installed). ``missing_only`` runs only snippets that have no
    outputs at all (a fresh clone) and keeps stale ones as they are."""
    snippets = discover_snippets()
    manifest = load_manifest()
    if only is not None:
        only = resolve_name(only, snippets)
    stale, outcomes = [], []
    for name, path in snippets.items():
        started = time.perf_counter()
        if missing_only:
            run = name not in manifest or not all(p.exists() for p in outputs_of(name, manifest[name]))
        else:
            run = name == only or (only is None and (force or not is_fresh(name, path, manifest)))
        if run:
            stale.append(name)
        elif only is None:
            seconds = time.perf_counter() - started
            outcomes.append(Outcome(name, seconds, figures=manifest[name]["figures"]))
            log(f"[figures] {name:<22} cached {seconds:5.1f} s")
    # Longest first (by the last run's time), so the slowest snippet does not start last.
    stale.sort(key=lambda name: -manifest.get(name, {}).get("seconds", 0.0))
    failures = []
    for result in _run_in_parallel(stale, threads):
        if isinstance(result, SnippetError):
            failures.append(result)
            log(f"[figures] {result}")
            continue
        outcome, key = result
        try:
            _check_unique(outcome, manifest)
            _finish_outputs(outcome, {**published_values(manifest), **outcome.values})
        except SnippetError as error:
            shutil.rmtree(outcome.staging, ignore_errors=True)
            failures.append(error)
            log(f"[figures] {error}")
            continue
        _install(outcome, manifest)
        manifest[outcome.name] = {"key": key, "figures": outcome.figures, "values": sorted(outcome.values),
                                  "seconds": round(outcome.seconds, 1)}
        save_manifest(manifest)
        outcomes.append(outcome)
        log(f"[figures] {outcome.name:<22} ran    {outcome.seconds:5.1f} s  "
            f"({len(outcome.figures)} figures, {len(outcome.values)} values)")
    _remove_orphans(snippets, manifest)
    if failures:
        raise SnippetError("\n".join(str(f) for f in failures))
    return outcomes


def _check_unique(outcome: Outcome, manifest: dict) -> None:
    """A figure or value name belongs to one snippet: a second one would silently replace it."""
    for other, entry in manifest.items():
        if other == outcome.name:
            continue
        for kind, names in (("figure", outcome.figures), ("value", outcome.values)):
            clash = sorted(set(names) & set(entry.get(f"{kind}s", [])))
            if clash:
                raise SnippetError(
                    f"snippet '{outcome.name}' makes {kind} '{clash[0]}', which snippet '{other}' "
                    f"already makes (snippets/{other}.py); give one of them another name"
                )


def _run_in_parallel(names: list[str], threads: int = DEFAULT_THREADS):
    """Run the snippets; yield each result as soon as it is ready (for live progress)."""
    if not names:
        return
    cores = os.cpu_count() or 1
    # Kernels share the cores: more busy threads than cores makes every snippet slower.
    workers = max(1, min(len(names), cores // threads))
    if workers == 1:
        for name in names:
            yield _run_safely(name, threads)
        return
    # spawn: the caller may be `mkdocs serve`, whose threads make fork unsafe.
    # Spawned workers copy sys.path to import this module; MkDocs loads hooks with
    # the repo root on sys.path only while loading them, so put it back.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_run_safely, name, threads) for name in names]
        for future in as_completed(futures):
            yield future.result()


def _run_safely(name: str, threads: int):
    try:
        return run_snippet(name, threads)
    except SnippetError as error:
        return error


def run_snippet(name: str, threads: int | None = None) -> tuple[Outcome, str]:
    """Execute one snippet into its staging folder; nothing outside staging is touched."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    path = discover_snippets()[name]
    key = cache_key(path)
    staging = _staging_dir(name)
    os.environ["SNIPPET_OUTPUT_DIR"] = str(staging)
    os.environ.setdefault("MPLBACKEND", "Agg")
    threads = threads or DEFAULT_THREADS
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)
    started = time.perf_counter()
    notebook = jupytext.read(path)
    # Unix sockets: no open TCP port (and no warning about one). A short path of its own,
    # because a socket path may not exceed ~100 characters.
    sockets = tempfile.mkdtemp(prefix="nb-")
    client = NotebookClient(
        notebook,
        timeout=SNIPPET_TIMEOUT_SECONDS,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(ROOT)}},
        config=Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/kernel"}}),
    )
    try:
        client.execute()
    except CellExecutionError:
        shutil.rmtree(staging, ignore_errors=True)
        raise SnippetError(describe_failure(name, path, notebook)) from None
    except Exception as error:  # kernel died, timeout, ...
        shutil.rmtree(staging, ignore_errors=True)
        raise SnippetError(f"snippet '{name}' failed ({path.relative_to(ROOT)}): {error}") from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    values_file = staging / "values.json"
    values = json.loads(values_file.read_text(encoding="utf-8")) if values_file.exists() else {}
    values_file.unlink(missing_ok=True)
    _add_download_cell(notebook, name)
    _drop_section_markers(notebook)
    _number_cells(notebook, name)
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, staging / f"{name}.ipynb")
    shutil.copyfile(path, staging / f"{name}.py")
    figures = sorted(p.name[: -len("-light.svg")] for p in (staging / "figures").glob("*-light.svg")
                     if not p.name.endswith("-narrow-light.svg"))  # narrow variants belong to their figure
    return Outcome(name, time.perf_counter() - started, figures, values, staging), key


def _number_cells(notebook, name: str) -> None:
    """Stable cell ids (nbformat draws random ones): the same run gives the same notebook bytes."""
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"{name[:40]}-{index}"


def _finish_outputs(outcome: Outcome, values: dict) -> None:
    """Resolve citations in the notebook's Markdown cells and the figures' alt texts."""
    import nbformat

    name, staging = outcome.name, outcome.staging
    path = SNIPPET_DIR / f"{name}.py"
    where = citations.relative(path, ROOT)
    source_lines = path.read_text(encoding="utf-8").splitlines()
    notebook_path = staging / f"{name}.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and citations.CITATION.search(cell.source):
            cell.source = _resolve(cell.source, values, where, _markdown_line(cell.source, source_lines))
    nbformat.write(notebook, notebook_path)
    (staging / "values.json").write_text(json.dumps(outcome.values, indent=1, sort_keys=True) + "\n")
    for figure in outcome.figures:
        meta_path = staging / "figures" / f"{figure}.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        line = next((i + 1 for i, text in enumerate(source_lines) if f'"{figure}"' in text), 1)
        meta["alt"] = _resolve(meta["alt"], values, f"{where} (alt text of '{figure}')", line)
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _resolve(text: str, values: dict, where: str, line: int) -> str:
    try:
        return citations.resolve(text, values, where, line)
    except citations.CitationError as error:
        raise SnippetError(f"snippet cites what no run published: {error}") from None


def _markdown_line(source: str, lines: list[str]) -> int:
    """The line of the .py file where a Markdown cell begins (jupytext writes it as '# ...')."""
    first = "# " + source.splitlines()[0]
    return next((i + 1 for i, text in enumerate(lines) if text.rstrip() == first.rstrip()), 1)


def _staging_dir(name: str) -> Path:
    (CACHE_DIR / "staging").mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=CACHE_DIR / "staging"))
    (staging / "figures").mkdir()
    return staging


def _add_download_cell(notebook, name: str) -> None:
    from nbformat.v4 import new_markdown_cell

    links = f"[`{name}.py` 내려받기](../{name}.py) · [`{name}.ipynb` 내려받기]({name}.ipynb)"
    notebook.cells.insert(1, new_markdown_cell(f"**소스:** {links}"))


# Pages include parts of a snippet with pymdownx.snippets' "# --8<-- [start:name]" lines;
# they mean nothing to a reader of the notebook.
_SECTION_MARKER = re.compile(r"^\s*# --8<-- \[(?:start|end):[\w-]+\]\s*$")


def _drop_section_markers(notebook) -> None:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            lines = cell.source.splitlines()
            cell.source = "\n".join(line for line in lines if not _SECTION_MARKER.match(line))


# ---------------------------------------------------------------- failure report

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")


def describe_failure(name: str, path: Path, notebook) -> str:
    """'snippet X failed at snippets/X.py:LINE: Error: message' from the executed notebook."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                line = _failing_line(path, notebook, output["traceback"])
                where = f"{path.relative_to(ROOT)}:{line}" if line else str(path.relative_to(ROOT))
                return f"snippet '{name}' failed at {where}: {output['ename']}: {output['evalue']}"
    return f"snippet '{name}' failed ({path.relative_to(ROOT)})"


def _failing_line(path: Path, notebook, traceback: list[str]) -> int | None:
    """Map the innermost 'Cell In[n], line m' frame back to a line of the .py file."""
    frames = _CELL_FRAME.findall(_ANSI.sub("", "\n".join(traceback)))
    if not frames:
        return None
    execution_count, line_in_cell = (int(x) for x in frames[-1])
    starts = code_cell_start_lines(path, notebook)
    for cell, start in starts:
        if cell.get("execution_count") == execution_count:
            return start + line_in_cell - 1
    return None


def code_cell_start_lines(path: Path, notebook) -> list[tuple[dict, int]]:
    """Each code cell with the 1-based line of the .py file where its source begins."""
    lines = path.read_text(encoding="utf-8").splitlines()
    result, cursor = [], 0
    for cell in notebook.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        first = cell.source.splitlines()[0]
        while cursor < len(lines) and lines[cursor] != first:
            cursor += 1
        result.append((cell, cursor + 1))
        cursor += 1
    return result


# ---------------------------------------------------------------- installing


def _install(outcome: Outcome, manifest: dict) -> None:
    """Move one successful run's outputs into .cache/generated, atomically per file."""
    name, staging = outcome.name, outcome.staging
    for folder in (FIGURE_DIR, NOTEBOOK_DIR, VALUE_DIR):
        folder.mkdir(parents=True, exist_ok=True)
    new_figures = set()
    for source in sorted((staging / "figures").iterdir()):
        _replace_if_changed(source, FIGURE_DIR / source.name)
        new_figures.add(source.name)
    for suffix in (".ipynb", ".py"):
        _replace_if_changed(staging / f"{name}{suffix}", NOTEBOOK_DIR / f"{name}{suffix}")
    _replace_if_changed(staging / "values.json", VALUE_DIR / f"{name}.json")
    # Figures this snippet made before but no longer makes.
    for old in manifest.get(name, {}).get("figures", []):
        for stale in _figure_files(old):
            if stale not in new_figures:
                (FIGURE_DIR / stale).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _figure_files(figure: str) -> tuple[str, ...]:
    return (f"{figure}-light.svg", f"{figure}-dark.svg", f"{figure}.json")


def _replace_if_changed(source: Path, target: Path) -> None:
    """Rename into place, unless the bytes are equal (keeps `mkdocs serve` from reloading)."""
    if target.exists() and target.read_bytes() == source.read_bytes():
        source.unlink()
        return
    os.replace(source, target)


def _write_atomic(target: Path, data: bytes) -> None:
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _remove_orphans(snippets: dict[str, Path], manifest: dict) -> None:
    """Forget snippets that were deleted, with their outputs."""
    for name in [n for n in manifest if n not in snippets]:
        for fig in manifest.pop(name)["figures"]:
            for file in _figure_files(fig):
                (FIGURE_DIR / file).unlink(missing_ok=True)
        for suffix in (".ipynb", ".py"):
            (NOTEBOOK_DIR / f"{name}{suffix}").unlink(missing_ok=True)
        (VALUE_DIR / f"{name}.json").unlink(missing_ok=True)
        save_manifest(manifest)


# ---------------------------------------------------------------- command line


def list_snippets(log=print) -> None:
    manifest = load_manifest()
    for name, path in discover_snippets().items():
        state = "fresh" if is_fresh(name, path, manifest) else "stale"
        entry = manifest.get(name, {})
        figures = ", ".join(entry.get("figures", [])) or "-"
        log(f"{name:<22} {state:<6} {figures}  ({len(entry.get('values', []))} values)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--list", action="store_true", help="list snippets and their state")
    group.add_argument("--only", metavar="NAME", help="run one snippet, even if fresh")
    group.add_argument("--force", action="store_true", help="run every snippet")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, metavar="N",
                        help=f"torch threads per kernel (default {DEFAULT_THREADS}; results do not depend on it)")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    if args.list:
        list_snippets()
        return 0
    started = time.perf_counter()
    try:
        build(force=args.force, only=args.only, threads=args.threads)
    except SnippetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"[figures] done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
