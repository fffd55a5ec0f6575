"""Command line: ``python -m scripts.figure_builder [--list | --sheet | --only NAME | --force] [--threads N]``."""

from __future__ import annotations

import argparse
import os
import sys
import time

from scripts.figure_builder.build import PROGRESS_SECONDS, build
from scripts.figure_builder.common import DEFAULT_THREADS, SnippetError, discover_snippets
from scripts.figure_builder.manifest import load_manifest, staleness


def list_snippets(log=print) -> None:
    manifest = load_manifest()
    for name, path in discover_snippets().items():
        try:
            reason = staleness(name, path, manifest)
            state = "fresh" if reason is None else "stale"
        except SnippetError as error:
            state, reason = "error", str(error)
        entry = manifest.get(name, {})
        figures = ", ".join(entry.get("figures", [])) or "-"
        note = f"  [{reason}]" if reason else ""
        log(f"{name:<22} {state:<6} {figures}  ({len(entry.get('values', []))} values){note}")


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
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    if not 1 <= args.threads <= cores:
        parser.error(f"--threads must be between 1 and the {cores} cores of this machine")
    if args.list:
        list_snippets()
        return 0
    started = time.perf_counter()
    log = lambda line: print(line, flush=True)  # noqa: E731  progress shows up live in a pipe too
    try:
        build(
            force=args.force,
            only=args.only,
            threads=args.threads,
            log=log,
            progress_seconds=float(os.environ.get("FIGURE_BUILDER_PROGRESS_SECONDS", PROGRESS_SECONDS)),
        )
    except SnippetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("[figures] interrupted; nothing half-written was installed", file=sys.stderr)
        return 130
    print(f"[figures] done in {time.perf_counter() - started:.1f} s")
    if args.sheet:
        from scripts.figure_builder.sheet import write_sheet

        print(f"[figures] contact sheet: {write_sheet().as_uri()}")
    return 0
