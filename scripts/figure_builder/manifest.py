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

from scripts.figure_builder.common import cache_key
from scripts.figure_builder.config import BuilderConfig
from scripts.figure_builder.files import checkout_lock, write_atomic  # noqa: F401  (checkout_lock: re-exported)


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def load_manifest(config: BuilderConfig, warn=_warn) -> dict:
    """The manifest, or {} (everything re-runs) if there is none or it is damaged."""
    shown = config.relative(config.manifest)
    try:
        manifest = json.loads(config.manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError) as error:
        warn(f"warning: {shown} is damaged ({error}); every snippet runs again")
        return {}
    if not isinstance(manifest, dict) or not all(isinstance(e, dict) for e in manifest.values()):
        warn(f"warning: {shown} is damaged (not a snippet table); every snippet runs again")
        return {}
    return manifest


def save_manifest(config: BuilderConfig, manifest: dict) -> None:
    config.cache_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(config.manifest, json.dumps(manifest, indent=2, sort_keys=True).encode())


# ---------------------------------------------------------------- outputs and freshness


def figure_files(figure: str, narrow: bool = True) -> tuple[str, ...]:
    """A figure's files; with ``narrow``, also the phone layout that some figures have."""
    files = (f"{figure}-light.svg", f"{figure}-dark.svg", f"{figure}.json")
    return files + (f"{figure}-narrow-light.svg", f"{figure}-narrow-dark.svg") if narrow else files


def outputs_of(config: BuilderConfig, name: str, figures: list[str]) -> list[Path]:
    notebooks, figure_dir = config.notebook_dir, config.figure_dir
    outputs = [notebooks / f"{name}.ipynb", notebooks / f"{name}.py", config.value_dir / f"{name}.json"]
    outputs += [figure_dir / file for fig in figures for file in figure_files(fig, _has_narrow_layout(config, fig))]
    return outputs


def _has_narrow_layout(config: BuilderConfig, figure: str) -> bool:
    """The figure's meta JSON records a narrow layout when save_figure drew one."""
    try:
        return "narrow" in json.loads((config.figure_dir / f"{figure}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def output_hashes(config: BuilderConfig, name: str, figures: list[str]) -> dict[str, str]:
    """sha256 of each installed output, by path relative to the repository."""
    return {config.relative(path): _sha256(path) for path in outputs_of(config, name, figures)}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def staleness(config: BuilderConfig, name: str, path: Path, manifest: dict) -> str | None:
    """Why the snippet must run again, or None when its outputs are up to date.
    Raises SnippetError when the snippet (or a helper it imports) does not parse."""
    key = cache_key(config, name, path)
    entry = manifest.get(name)
    if not entry:
        return "never ran"
    if entry.get("key") != key:
        return "source changed"
    recorded = entry.get("outputs")
    if not recorded:
        return "no output hashes recorded"
    for file, digest in recorded.items():
        output = config.root / file
        if not output.exists():
            return f"missing {file}"
        if _sha256(output) != digest:
            return f"changed {file}"
    cited = entry.get("cited", {})
    if cited:
        current = published_values(config, manifest, skip=(name,), warn=lambda message: None)
        for value, was in cited.items():
            if current.get(value) != was:
                return f"cites '{value}', which changed"
    return None


def has_outputs(config: BuilderConfig, name: str, manifest: dict) -> bool:
    entry = manifest.get(name)
    return bool(entry) and all(p.exists() for p in outputs_of(config, name, entry.get("figures", [])))


def known_figures(config: BuilderConfig, manifest: dict | None = None) -> dict[str, str]:
    """Figure name -> the snippet that makes it (from the last good runs)."""
    manifest = load_manifest(config) if manifest is None else manifest
    return {fig: name for name, entry in manifest.items() for fig in entry.get("figures", [])}


def figure_meta(config: BuilderConfig, figure: str) -> dict:
    """The installed figure's alt text (citations resolved) and whether it is volatile."""
    return json.loads((config.figure_dir / f"{figure}.json").read_text(encoding="utf-8"))


def read_json_output(config: BuilderConfig, path: Path, warn=_warn) -> dict | None:
    """An installed JSON output (values, figure meta), or None with a one-line warning when it is
    damaged: its snippet's recorded hash no longer matches, so the next build reruns it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        warn(f"warning: {config.relative(path)} is damaged ({error}); its snippet runs again")
        return None
    if not isinstance(data, dict):
        warn(f"warning: {config.relative(path)} is damaged (not a table); its snippet runs again")
        return None
    return data


def published_values(
    config: BuilderConfig, manifest: dict | None = None, skip: tuple[str, ...] = (), warn=_warn
) -> dict[str, float | int]:
    """Every value the last good runs published, by name (snippets in ``skip`` left out)."""
    manifest = load_manifest(config) if manifest is None else manifest
    values = {}
    for name in manifest:
        if name not in skip:
            values.update(read_json_output(config, config.value_dir / f"{name}.json", warn) or {})
    return values


__all__ = ["load_manifest", "save_manifest", "known_figures", "figure_meta", "published_values"]
