"""Reading the files a user writes (snippets, pages, the glossary) with one clear error.

A file that is not UTF-8 fails with its name and the line of the first bad byte, in one
line; a UTF-8 byte order mark (some Windows editors write one) is accepted and dropped, as
Python and MkDocs do, so that line numbers stay right.
"""

from __future__ import annotations

from pathlib import Path


class SourceError(ValueError):
    """A source file that cannot be read as text; the message names the file and line."""


def read_text(path: Path, shown: str | None = None) -> str:
    """The file's text (UTF-8, a leading BOM dropped); ``shown`` is how errors name the file."""
    shown = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(f"{shown}: cannot be read ({error.strerror or error})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        raise SourceError(f"{shown}:{line}: not UTF-8 text (byte 0x{byte}); save the file as UTF-8") from None
