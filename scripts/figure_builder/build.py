"""Bring every snippet's outputs up to date: decide what is stale, run it, install what succeeded.

Each stale snippet runs in a runner process of its own (``runner.py``) with a
private staging folder; only when every cell succeeded are its figures, values
and executed notebook moved into ``.cache/generated/`` (rename, so a reader never
sees half a file). A failure leaves the last good output untouched.

Faults: Ctrl-C or SIGTERM stops every runner and kernel at once and removes their
staging folders; one lock per checkout serialises builders, and the lock holder
sweeps staging folders that dead builders left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts import citations
from scripts.figure_builder import runner
from scripts.figure_builder.common import (
    SnippetError,
    cache_key,
    cited_values,
    discover_snippets,
    resolve_name,
)
from scripts.figure_builder.config import BuilderConfig
from scripts.figure_builder.manifest import (
    checkout_lock,
    figure_files,
    has_outputs,
    load_manifest,
    output_hashes,
    published_values,
    save_manifest,
    staleness,
)
from scripts.sources import read_text


@dataclass
class Outcome:
    name: str
    seconds: float = 0.0
    figures: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    staging: Path | None = None  # where a run left its outputs, until installed


def build(
    config: BuilderConfig, force: bool = False, only: str | None = None, missing_only: bool = False
) -> list[Outcome]:
    """Bring every snippet's outputs up to date; raise SnippetError naming every snippet that failed
    (the others' outputs are installed). ``missing_only`` runs only snippets that have no
    outputs at all (a fresh clone) and keeps stale ones as they are."""
    try:
        with _sigterm_as_interrupt(), checkout_lock(config.lock, config.log):
            _sweep_staging(config)
            return _build(config, force, only, missing_only)
    except OSError as error:  # a read-only or full disk: say which file, not a traceback
        where = config.relative(error.filename) if error.filename else "the build folders"
        raise SnippetError(f"cannot write {where}: {error.strerror or error}; the last good outputs are kept") from None


def _build(config: BuilderConfig, force, only, missing_only) -> list[Outcome]:
    log = config.log
    snippets = discover_snippets(config)
    manifest = load_manifest(config, warn=log)
    if only is not None:
        only = resolve_name(only, snippets)
    stale, keys, outcomes, failures = [], {}, [], []
    for name, path in snippets.items():
        started = time.perf_counter()
        try:
            keys[name] = cache_key(config, name, path)
            if missing_only:
                run = not has_outputs(config, name, manifest)
            else:
                run = name == only or (only is None and (force or staleness(config, name, path, manifest) is not None))
        except SnippetError as error:  # does not parse: this snippet's failure, the others go on
            failures.append(error)
            log(f"[figures] {error}")
            continue
        if run:
            stale.append(name)
        elif only is None:
            seconds = time.perf_counter() - started
            outcomes.append(Outcome(name, seconds, figures=manifest[name]["figures"]))
            log(f"[figures] {name:<22} cached {seconds:5.1f} s")
    cites = {name: cited_values(config, path) for name, path in snippets.items() if name in keys}
    _check_no_cycle(cites, manifest)
    done: set[str] = set()
    while stale:
        before = published_values(config, manifest, warn=log)
        for result in _run_round(config, stale, cites, keys, manifest):
            (failures if isinstance(result, SnippetError) else outcomes).append(result)
        done |= set(stale)
        # A snippet that cites a value this round changed runs again: its notebook and alt texts
        # show the value as it was when it ran.
        changed = _changed(before, published_values(config, manifest, warn=log))
        failed = {error.snippet for error in failures if getattr(error, "snippet", None)}
        stale = [name for name in cites if name not in done and name not in failed and cites[name] & changed]
        for name in stale:
            outcomes = [o for o in outcomes if o.name != name]
            log(f"[figures] {name:<22} cites a value that changed: runs again")
        if missing_only:
            break
    _remove_orphans(config, snippets, manifest)
    if failures:
        raise SnippetError("\n".join(str(f) for f in failures))
    return outcomes


def _run_round(config: BuilderConfig, names: list[str], cites: dict, keys: dict, manifest: dict):
    """Run ``names`` (longest first, in parallel) and install each that succeeded, a snippet that
    cites another's value only after that one is installed. Yields each Outcome or SnippetError."""
    names = sorted(names, key=lambda name: -manifest.get(name, {}).get("seconds", 0.0))
    producers = _producers(manifest)
    waiting: list[Outcome] = []
    unfinished = set(names)

    def ready(outcome: Outcome) -> bool:
        others = unfinished - {outcome.name}
        for value in cites[outcome.name] - set(outcome.values):
            producer = producers.get(value)
            # Wait for the producer of a cited value; for a value no run has published yet, for all.
            if producer in others or (producer is None and others):
                return False
        return True

    def finish(outcome: Outcome):
        unfinished.discard(outcome.name)
        try:
            _install_one(config, outcome, cites, keys, manifest)
        except SnippetError as error:
            shutil.rmtree(outcome.staging, ignore_errors=True)
            error.snippet = outcome.name
            log(f"[figures] {error}")
            return error
        producers.update({value: outcome.name for value in outcome.values})
        return outcome

    files = _tree_snapshot(config.root)
    log = config.log
    for result in _run_all(config, names):
        strays, files = _stray_writes(config, files)
        if strays and not isinstance(result, SnippetError):
            shutil.rmtree(result.staging, ignore_errors=True)
            running = sorted(unfinished - {result.name})
            result = SnippetError(
                f"snippet '{result.name}' wrote {', '.join(strays)} outside its output folder"
                + (f" (while {', '.join(running)} also ran)" if running else "")
                + f"; snippets write only through save_figure/publish. Moved to {config.relative(config.stray_dir)}/"
            )
        if isinstance(result, SnippetError):
            result.snippet = _snippet_of(result, names)
            unfinished.discard(result.snippet)
            log(f"[figures] {result}")
            yield result
        else:
            waiting.append(result)
        progressed = True
        while progressed:
            progressed = False
            for outcome in [o for o in waiting if ready(o)]:
                waiting.remove(outcome)
                progressed = True
                yield finish(outcome)
    cycle = _cycle(
        {o.name: cites[o.name] - set(o.values) for o in waiting}, {value: o.name for o in waiting for value in o.values}
    )
    for outcome in waiting:  # what is left waits on a snippet that failed, on an unknown name, or in a cycle
        if outcome.name in cycle:
            shutil.rmtree(outcome.staging, ignore_errors=True)
            error = SnippetError(_cycle_message(cycle))
            error.snippet = outcome.name
            log(f"[figures] {error}")
            yield error
        else:
            yield finish(outcome)


def _install_one(config: BuilderConfig, outcome: Outcome, cites: dict, keys: dict, manifest: dict) -> None:
    _check_unique(config, outcome, manifest)
    others = published_values(config, manifest, skip=(outcome.name,), warn=config.log)
    _finish_outputs(config, outcome, {**others, **outcome.values})
    _install(config, outcome, manifest)
    cited = {value: others[value] for value in sorted(cites[outcome.name] - set(outcome.values)) if value in others}
    manifest[outcome.name] = {
        "key": keys[outcome.name],
        "figures": outcome.figures,
        "values": sorted(outcome.values),
        "seconds": round(outcome.seconds, 1),
        "outputs": output_hashes(config, outcome.name, outcome.figures),
        "cited": cited,
    }
    save_manifest(config, manifest)
    config.log(
        f"[figures] {outcome.name:<22} ran    {outcome.seconds:5.1f} s  "
        f"({_count(len(outcome.figures), 'figure')}, {_count(len(outcome.values), 'value')})"
    )


# What a snippet may not touch: every file of the checkout outside these folders.
_NOT_WATCHED = {".git", ".venv", ".cache", "site", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}
_AUTHORED = {".md", ".py", ".yml", ".yaml", ".toml", ".in", ".txt", ".css", ".js", ".html", ".json", ".ipynb"}


def _tree_snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file of the checkout (outside build folders): path -> (size, mtime)."""
    files = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [d for d in subfolders if d not in _NOT_WATCHED and not d.startswith(".venv")]
        for name in names:
            path = Path(folder) / name
            with contextlib.suppress(OSError):
                stat = path.stat()
                files[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return files


def _stray_writes(config: BuilderConfig, before: dict) -> tuple[list[str], dict]:
    """Files that appeared since ``before``, moved out of the way (kept in the stray folder, so
    nothing is lost, and a strict build is not broken by a page nobody wrote); and the new snapshot."""
    now = _tree_snapshot(config.root)
    # Files of the kinds people write (a page, a snippet, a setting) stay where they are: under
    # `mkdocs serve` someone may add one while a snippet runs.
    strays = sorted(file for file in set(now) - set(before) if Path(file).suffix not in _AUTHORED)
    for file in strays:
        target = config.stray_dir / file
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.replace(config.root / file, target)
    return strays, {file: stat for file, stat in now.items() if file not in strays}


def _snippet_of(error: SnippetError, names: list[str]) -> str | None:
    message = str(error)
    return next((name for name in names if message.startswith(f"snippet '{name}'")), None)


def _producers(manifest: dict) -> dict[str, str]:
    """Value name -> the snippet that published it in the last good runs."""
    return {value: name for name, entry in manifest.items() for value in entry.get("values", [])}


def _changed(before: dict, after: dict) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def _check_no_cycle(cites: dict[str, set[str]], manifest: dict) -> None:
    """Snippets that cite each other's values cannot be built in any order: name them."""
    cycle = _cycle(cites, _producers(manifest))
    if cycle:
        raise SnippetError(_cycle_message(cycle))


def _cycle(cites: dict[str, set[str]], producers: dict[str, str]) -> list[str]:
    """A cycle of snippets that cite each other's values (first and last the same), or []."""
    depends = {
        name: {producers[v] for v in values if producers.get(v) not in (None, name)} for name, values in cites.items()
    }
    visiting, done = [], set()

    def visit(name: str) -> list[str]:
        if name in visiting:
            return visiting[visiting.index(name) :] + [name]
        if name in done:
            return []
        visiting.append(name)
        for other in sorted(depends.get(name, ())):
            found = visit(other)
            if found:
                return found
        visiting.pop()
        done.add(name)
        return []

    for name in sorted(depends):
        found = visit(name)
        if found:
            return found
    return []


def _cycle_message(cycle: list[str]) -> str:
    return (
        "snippets cite each other's values in a cycle: "
        + " → ".join(f"snippets/{n}.py" for n in cycle)
        + "; compute the shared value in one of them"
    )


def _check_unique(config: BuilderConfig, outcome: Outcome, manifest: dict) -> None:
    """A figure or value name belongs to one snippet: a second one would silently replace it.
    A snippet whose file is gone (deleted or renamed) no longer owns anything."""
    live = discover_snippets(config)
    for other, entry in manifest.items():
        if other == outcome.name or other not in live:
            continue
        for kind, names in (("figure", outcome.figures), ("value", outcome.values)):
            clash = sorted(set(names) & set(entry.get(f"{kind}s", [])))
            if clash:
                raise SnippetError(
                    f"snippet '{outcome.name}' makes {kind} '{clash[0]}', which snippet '{other}' "
                    f"already makes (snippets/{other}.py); give one of them another name"
                )


# ---------------------------------------------------------------- running


class _Job:
    """One snippet's run: its staging folder, the runner that ``config.start_runner`` started
    (``runner.RunnerProcess``, a process of its own), and what the runner left there."""

    def __init__(self, config: BuilderConfig, name: str):
        self.name = name
        self.staging = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=config.staging_dir))
        self.started = time.monotonic()
        self.reported = self.started
        self.runner = config.start_runner(config, name, self.staging)

    def result(self) -> Outcome | SnippetError:
        try:
            data = json.loads((self.staging / runner.RESULT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            tail = (self.staging / runner.LOG).read_text(encoding="utf-8", errors="replace").strip()
            last = tail.splitlines()[-1] if tail else "no output"
            self.remove()
            return SnippetError(
                f"snippet '{self.name}' failed: its runner exited with code {self.runner.returncode} ({last})"
            )
        if not data["ok"]:
            self.remove()
            return SnippetError(data["error"])
        for extra in (runner.RESULT, runner.KERNEL_PID, runner.LOG):
            (self.staging / extra).unlink(missing_ok=True)
        return Outcome(self.name, data["seconds"], data["figures"], data["values"], self.staging)

    def stop(self) -> None:
        """Stop the runner and its kernel now; nothing of theirs is kept."""
        self.runner.stop()
        self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _run_all(config: BuilderConfig, names: list[str]):
    """Run the snippets, as many at once as the cores allow; yield each result when ready."""
    if not names:
        return
    log = config.log
    config.staging_dir.mkdir(parents=True, exist_ok=True)
    # Kernels share the cores: more busy threads than cores makes every snippet slower.
    workers = max(1, min(len(names), (os.cpu_count() or 1) // config.threads))
    pending, running = list(names), []
    try:
        while pending or running:
            while pending and len(running) < workers:
                running.append(_Job(config, pending.pop(0)))
            time.sleep(0.1)
            now = time.monotonic()
            for job in list(running):
                if job.runner.poll() is not None:
                    running.remove(job)
                    yield job.result()
                elif now - job.reported >= config.progress_seconds:
                    job.reported = now
                    log(f"[figures] {job.name:<22} running {now - job.started:5.0f} s")
    finally:
        if running:
            for job in running:
                job.stop()
            log(f"[figures] stopped: {', '.join(job.name for job in running)} (their last good outputs are kept)")


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (a cancelled job, `timeout`) stops the build as Ctrl-C does, with the same clean-up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _sweep_staging(config: BuilderConfig) -> None:
    """Staging folders of builders that died (SIGKILL, power cut): the lock holder is the only
    live builder of this checkout, so every folder there is a leftover."""
    if config.staging_dir.exists():
        for leftover in config.staging_dir.iterdir():
            shutil.rmtree(leftover, ignore_errors=True)


# ---------------------------------------------------------------- finishing and installing


def _finish_outputs(config: BuilderConfig, outcome: Outcome, values: dict) -> None:
    """Resolve citations in the notebook's Markdown cells and the figures' alt texts."""
    import nbformat

    name, staging = outcome.name, outcome.staging
    path = config.snippet_dir / f"{name}.py"
    where = config.relative(path)
    source_lines = read_text(path).splitlines()
    notebook_path = staging / f"{name}.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and "{{" in cell.source:  # a citation, or a mistyped one
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


def _install(config: BuilderConfig, outcome: Outcome, manifest: dict) -> None:
    """Move one successful run's outputs into .cache/generated, atomically per file."""
    name, staging = outcome.name, outcome.staging
    for folder in (config.figure_dir, config.notebook_dir, config.value_dir):
        folder.mkdir(parents=True, exist_ok=True)
    new_figures = set()
    for source in sorted((staging / "figures").iterdir()):
        _replace_if_changed(source, config.figure_dir / source.name)
        new_figures.add(source.name)
    for suffix in (".ipynb", ".py"):
        _replace_if_changed(staging / f"{name}{suffix}", config.notebook_dir / f"{name}{suffix}")
    _replace_if_changed(staging / "values.json", config.value_dir / f"{name}.json")
    # Figures this snippet made before but no longer makes.
    for old in manifest.get(name, {}).get("figures", []):
        for stale in figure_files(old):
            if stale not in new_figures:
                (config.figure_dir / stale).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _replace_if_changed(source: Path, target: Path) -> None:
    """Rename into place, unless the bytes are equal (keeps `mkdocs serve` from reloading)."""
    if target.exists() and target.read_bytes() == source.read_bytes():
        source.unlink()
        return
    os.replace(source, target)


def _remove_orphans(config: BuilderConfig, snippets: dict[str, Path], manifest: dict) -> None:
    """Forget snippets that were deleted, with their outputs (a renamed snippet's new file
    keeps the figures it makes under the same names)."""
    claimed = {fig for name, entry in manifest.items() if name in snippets for fig in entry.get("figures", [])}
    for name in [n for n in manifest if n not in snippets]:
        for fig in set(manifest.pop(name).get("figures", [])) - claimed:
            for file in figure_files(fig):
                (config.figure_dir / file).unlink(missing_ok=True)
        for suffix in (".ipynb", ".py"):
            (config.notebook_dir / f"{name}{suffix}").unlink(missing_ok=True)
        (config.value_dir / f"{name}.json").unlink(missing_ok=True)
        save_manifest(config, manifest)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
