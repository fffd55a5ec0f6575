"""Reading user-written files: UTF-8 with or without a byte order mark, or one clear error."""

from __future__ import annotations

import pytest

from scripts.sources import SourceError, read_text


def test_a_byte_order_mark_is_dropped(tmp_path):
    path = tmp_path / "page.md"
    path.write_bytes(b"\xef\xbb\xbf---\ntitle: x\n---\n# \xed\x95\x9c\n")
    text = read_text(path)
    assert text.startswith("---\n") and text.splitlines()[3] == "# 한"


def test_a_stray_byte_names_the_file_and_its_line(tmp_path):
    path = tmp_path / "snippet.py"
    path.write_bytes(b"# %%\nx = 1\ny = '\xb0'\n")
    with pytest.raises(
        SourceError, match=r"^snippets/snippet\.py:3: not UTF-8 text \(byte 0xb0\); save the file as UTF-8$"
    ):
        read_text(path, "snippets/snippet.py")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(SourceError, match=r"gone\.md: cannot be read"):
        read_text(tmp_path / "gone.md", "gone.md")
