"""Claims of the block diagram on the layer-norm and gradient pages, checked on snippets/transformer_block.py."""

from __future__ import annotations

import pytest

from snippets import transformer_block as tb


def test_post_ln_puts_the_norm_after_each_residual_add():
    layout = tb.block_layout("post")
    assert layout[0] == "input" and layout[-1] == "output"
    assert [kind for kind in layout if kind in ("attention", "ffn")] == ["attention", "ffn"]
    for i, kind in enumerate(layout):
        if kind == "add":
            assert layout[i + 1] == "norm"
        if kind in ("attention", "ffn"):
            assert layout[i + 1] == "add"


def test_pre_ln_puts_the_norm_before_each_sublayer():
    layout = tb.block_layout("pre")
    assert layout[0] == "input" and layout[-1] == "output"
    for i, kind in enumerate(layout):
        if kind in ("attention", "ffn"):
            assert layout[i - 1] == "norm" and layout[i + 1] == "add"


def test_both_variants_have_the_same_boxes_in_a_different_order():
    assert sorted(tb.block_layout("post")) == sorted(tb.block_layout("pre"))
    assert tb.block_layout("post") != tb.block_layout("pre")


def test_each_residual_skips_its_sublayer_branch():
    for variant in tb.VARIANTS:
        layout = tb.block_layout(variant)
        paths = tb.residual_paths(variant)
        assert len(paths) == layout.count("add") == 2
        for start, add in paths:
            assert layout[add] == "add" and start < add
            skipped = layout[start + 1 : add]
            assert sum(kind in ("attention", "ffn") for kind in skipped) == 1


def test_pre_ln_residual_stream_has_no_norm_and_post_ln_has_one_per_sublayer():
    assert "norm" not in tb.residual_stream("pre")
    assert tb.residual_stream("post").count("norm") == 2
    assert tb.has_final_norm("pre") and not tb.has_final_norm("post")


def test_unknown_variant_is_rejected():
    with pytest.raises(ValueError, match="unknown block variant"):
        tb.block_layout("sandwich")


def test_alt_text_follows_the_layout():
    text = tb.describe("pre")
    assert text.index("LayerNorm") < text.index("Multi-Head Attention")
    text = tb.describe("post")
    assert text.index("Multi-Head Attention") < text.index("LayerNorm")
