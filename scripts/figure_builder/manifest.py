"""The manifest of the last good runs and output freshness (the lock and the atomic write: ``files``).

``.cache/figure-builder/manifest.json`` maps each snippet to its cache key, the
figures and values it made, its last run time and the sha256 of every output file.
A snippet is fresh when its key matches and every output still has the recorded
bytes (a direct edit, a truncated file or a missing one makes it stale).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from scripts.figure_builder.common import (
    CACHE_DIR,
    FIGURE_DIR,
    MANIFEST,
    NOTEBOOK_DIR,
    ROOT,
    VALUE_DIR,
    cache_key,
    relative,
)
from scripts.figure_builder.files import checkout_lock, write_atomic  # noqa: F401  (checkout_lock: re-exported)


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def load_manifest(warn=_warn) -> dict:
    """The manifest, or {} (everything re-runs) if there is none or it is damaged."""
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError) as error:
        warn(f"warning: {relative(MANIFEST)} is damaged ({error}); every snippet runs again")
        return {}
    if not isinstance(manifest, dict) or not all(isinstance(e, dict) for e in manifest.values()):
        warn(f"warning: {relative(MANIFEST)} is damaged (not a snippet table); every snippet runs again")
        return {}
    return manifest


def save_manifest(manifest: dict) -> None:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    write_atomic(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())


# ---------------------------------------------------------------- outputs and freshness


def figure_files(figure: str, narrow: bool = True) -> tuple[str, ...]:
    """A figure's files; with ``narrow``, also the phone layout that some figures have."""
    files = (f"{figure}-light.svg", f"{figure}-dark.svg", f"{figure}.json")
    return files + (f"{figure}-narrow-light.svg", f"{figure}-narrow-dark.svg") if narrow else files


def outputs_of(name: str, figures: list[str]) -> list[Path]:
    outputs = [NOTEBOOK_DIR / f"{name}.ipynb", NOTEBOOK_DIR / f"{name}.py", VALUE_DIR / f"{name}.json"]
    outputs += [FIGURE_DIR / file for fig in figures for file in figure_files(fig, _has_narrow_layout(fig))]
    return outputs


def _has_narrow_layout(figure: str) -> bool:
    """The figure's meta JSON records a narrow layout when save_figure drew one."""
    try:
        return "narrow" in json.loads((FIGURE_DIR / f"{figure}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def output_hashes(name: str, figures: list[str]) -> dict[str, str]:
    """sha256 of each installed output, by path relative to the repository."""
    return {relative(path): _sha256(path) for path in outputs_of(name, figures)}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def staleness(name: str, path: Path, manifest: dict) -> str | None:
    """Why the snippet must run again, or None when its outputs are up to date.
    Raises SnippetError when the snippet (or a helper it imports) does not parse."""
    key = cache_key(name, path)
    entry = manifest.get(name)
    if not entry:
        return "never ran"
    if entry.get("key") != key:
        return "source changed"
    recorded = entry.get("outputs")
    if not recorded:
        return "no output hashes recorded"
    for file, digest in recorded.items():
        output = ROOT / file
        if not output.exists():
            return f"missing {file}"
        if _sha256(output) != digest:
            return f"changed {file}"
    cited = entry.get("cited", {})
    if cited:
        current = published_values(manifest, skip=(name,), warn=lambda message: None)
        for value, was in cited.items():
            if current.get(value) != was:
                return f"cites '{value}', which changed"
    return None


def has_outputs(name: str, manifest: dict) -> bool:
    entry = manifest.get(name)
    return bool(entry) and all(p.exists() for p in outputs_of(name, entry.get("figures", [])))


def known_figures(manifest: dict | None = None) -> dict[str, str]:
    """Figure name -> the snippet that makes it (from the last good runs)."""
    manifest = load_manifest() if manifest is None else manifest
    return {fig: name for name, entry in manifest.items() for fig in entry.get("figures", [])}


def figure_meta(figure: str) -> dict:
    """The installed figure's alt text (citations resolved) and whether it is volatile."""
    return json.loads((FIGURE_DIR / f"{figure}.json").read_text(encoding="utf-8"))


def read_json_output(path: Path, warn=_warn) -> dict | None:
    """An installed JSON output (values, figure meta), or None with a one-line warning when it is
    damaged: its snippet's recorded hash no longer matches, so the next build reruns it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        warn(f"warning: {relative(path)} is damaged ({error}); its snippet runs again")
        return None
    if not isinstance(data, dict):
        warn(f"warning: {relative(path)} is damaged (not a table); its snippet runs again")
        return None
    return data


def published_values(manifest: dict | None = None, skip: tuple[str, ...] = (), warn=_warn) -> dict[str, float | int]:
    """Every value the last good runs published, by name (snippets in ``skip`` left out)."""
    manifest = load_manifest() if manifest is None else manifest
    values = {}
    for name in manifest:
        if name not in skip:
            values.update(read_json_output(VALUE_DIR / f"{name}.json", warn) or {})
    return values


__all__ = ["load_manifest", "save_manifest", "known_figures", "figure_meta", "published_values"]
