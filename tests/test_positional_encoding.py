"""Claims of docs/qna/positional-encoding.md, checked on snippets/positional_encoding.py."""

from __future__ import annotations

import math

import pytest
import torch

from snippets import positional_encoding as pe_mod
from snippets.positional_encoding import sinusoidal_encoding

SHIFTS = (1, 2, 5, 10, 50, 100, 500)


def test_formula_matches_the_paper_interleaved():
    d_model = 16
    pe = sinusoidal_encoding(40, d_model, dtype=torch.float64)
    for pos in (0, 1, 7, 39):
        for i in range(d_model // 2):
            angle = pos / 10000 ** (2 * i / d_model)
            assert pe[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-12)
            assert pe[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-12)


def test_default_dtype_and_shape():
    pe = sinusoidal_encoding(10, 8)
    assert pe.shape == (10, 8) and pe.dtype == torch.float32


def test_values_stay_in_unit_interval():
    pe = sinusoidal_encoding(2048, 128, dtype=torch.float64)
    assert pe.min().item() >= -1.0 and pe.max().item() <= 1.0


def test_shift_by_k_is_a_fixed_linear_map():
    errors = pe_mod.shift_errors(SHIFTS, n_positions=1024, d_model=128)
    assert set(errors) == set(SHIFTS)
    for k, error in errors.items():
        assert error < 1e-6, (k, error)


def test_transposed_block_does_not_shift_forward():
    # 전치한 블록은 -k 방향으로 돈다: 오차가 크게 나와야 검사가 의미 있다
    errors = pe_mod.shift_errors(SHIFTS, n_positions=1024, d_model=128, transpose=True)
    assert min(errors.values()) > 1.0


def test_shift_matrix_is_a_rotation():
    m = pe_mod.shift_matrix(7, 64)
    assert torch.allclose(m @ m.T, torch.eye(64, dtype=torch.float64), atol=1e-12)


def test_dot_product_depends_only_on_offset():
    assert pe_mod.offset_dependence(n_positions=512, d_model=128) < 1e-6


def test_positions_are_pairwise_distinct():
    pe = sinusoidal_encoding(2048, 128, dtype=torch.float64)
    assert len(torch.unique(pe, dim=0)) == 2048
    assert pe_mod.min_pairwise_distance(2048, 128) > 1e-6


def test_similarity_is_one_on_the_diagonal():
    similarity = pe_mod.similarity_matrix(64, 128)
    assert torch.allclose(torch.diagonal(similarity), torch.ones(64, dtype=torch.float64), atol=1e-12)


def test_integer_positions_dwarf_embeddings_and_pe_does_not():
    scale = pe_mod.scale_comparison(n_positions=512, d_model=128)
    assert scale["pe_max_abs"].max().item() <= 1.0
    # 정수 위치는 위치 100쯤에서 이미 N(0, 1) 임베딩 성분 크기의 50배를 넘는다
    assert scale["position"][100].item() > 50 * scale["embedding_rms"].max().item()
    assert 0.9 < scale["embedding_rms"].mean().item() < 1.1
