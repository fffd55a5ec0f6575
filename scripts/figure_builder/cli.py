"""Command line: ``python -m scripts.figure_builder [--list | --sheet | --only NAME | --force] [--threads N]
[--progress-seconds S]``, on the checkout the package lives in."""

from __future__ import annotations

import argparse
import os
import sys
import time

from scripts.figure_builder.build import build
from scripts.figure_builder.common import SnippetError, discover_snippets
from scripts.figure_builder.config import DEFAULT_THREADS, PROGRESS_SECONDS, BuilderConfig
from scripts.figure_builder.manifest import load_manifest, staleness


def list_snippets(config: BuilderConfig) -> None:
    manifest = load_manifest(config)
    for name, path in discover_snippets(config).items():
        try:
            reason = staleness(config, name, path, manifest)
            state = "fresh" if reason is None else "stale"
        except SnippetError as error:
            state, reason = "error", str(error)
        entry = manifest.get(name, {})
        figures = ", ".join(entry.get("figures", [])) or "-"
        note = f"  [{reason}]" if reason else ""
        config.log(f"{name:<22} {state:<6} {figures}  ({len(entry.get('values', []))} values){note}")


def main(argv: list[str] | None = None) -> int:
    from scripts import figure_builder

    parser = argparse.ArgumentParser(description=figure_builder.__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--list", action="store_true", help="list snippets and their state")
    group.add_argument("--only", metavar="NAME", help="run one snippet, even if fresh")
    group.add_argument("--force", action="store_true", help="run every snippet")
    group.add_argument(
        "--sheet",
        action="store_true",
        help="after running stale snippets, write a contact sheet of every figure (phone and "
        "desktop width, both palettes, captions and alt texts) and print its path",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        metavar="N",
        help=f"torch threads per kernel (default {DEFAULT_THREADS}; results do not depend on it)",
    )
    parser.add_argument(
        "--progress-seconds",
        type=float,
        default=PROGRESS_SECONDS,
        metavar="S",
        help=f"a running snippet says so every S seconds (default {PROGRESS_SECONDS:g})",
    )
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    if not 1 <= args.threads <= cores:
        parser.error(f"--threads must be between 1 and the {cores} cores of this machine")
    if args.list:
        list_snippets(BuilderConfig.for_checkout())
        return 0
    started = time.perf_counter()
    log = lambda line: print(line, flush=True)  # noqa: E731  progress shows up live in a pipe too
    config = BuilderConfig.for_checkout(threads=args.threads, progress_seconds=args.progress_seconds, log=log)
    try:
        build(config, force=args.force, only=args.only)
    except SnippetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("[figures] interrupted; nothing half-written was installed", file=sys.stderr)
        return 130
    print(f"[figures] done in {time.perf_counter() - started:.1f} s")
    if args.sheet:
        from scripts.figure_builder.sheet import write_sheet

        print(f"[figures] contact sheet: {write_sheet(config).as_uri()}")
    return 0
