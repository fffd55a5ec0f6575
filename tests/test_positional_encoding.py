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


def test_values_reach_both_ends_of_the_unit_interval():
    # 페이지: "최솟값 -1, 최댓값 1"
    pe = sinusoidal_encoding(2048, 128, dtype=torch.float64)
    assert pe.min().item() == pytest.approx(-1, abs=1e-3) and pe.max().item() == pytest.approx(1, abs=1e-12)


def test_wavelength_grows_with_the_dimension_index():
    omega = pe_mod.frequencies(128)
    wavelengths = [2 * math.pi / omega[dim // 2].item() for dim in (6, 20, 40)]
    assert wavelengths == sorted(wavelengths) and wavelengths[0] < wavelengths[-1] / 10


def test_pe_size_is_the_same_at_every_position():
    # "PE의 크기는 위치가 아무리 커져도 일정하다": 성분의 RMS가 모든 위치에서 √(1/2)
    rms = pe_mod.scale_comparison(n_positions=512, d_model=128)["pe_rms"]
    assert torch.allclose(rms, torch.full_like(rms, 0.5**0.5), atol=1e-12)


def test_pe_is_several_times_larger_than_a_small_initialised_embedding():
    scale = pe_mod.scale_comparison(n_positions=512, d_model=128)
    ratio = (scale["pe_rms"].mean() / scale["embedding_small_rms"].mean()).item()
    assert 6 < ratio < 10  # 페이지: "8배쯤"


def test_near_collision_of_a_single_frequency_at_offset_44():
    # 정정 1: 파장 2π의 정수배(7 · 2π ≈ 43.98)에 가까운 거리 44만큼 떨어진 위치는 sin 값이 아주 가깝다
    pos = torch.arange(0, 2000, dtype=torch.float64)
    assert (torch.sin(pos + 44) - torch.sin(pos)).abs().max().item() < 0.03
    assert (torch.sin(pos + 40) - torch.sin(pos)).abs().max().item() > 0.5


# ---------------------------------------------------------------- similarity against distance (item: "물결친다")


@pytest.fixture(scope="module")
def similarity_by_offset():
    return pe_mod.similarity_by_offset(128, 128)


def test_similarity_by_offset_is_a_row_of_the_matrix(similarity_by_offset):
    matrix = pe_mod.similarity_matrix(128, 128)
    for offset in (1, 12, 111):
        assert torch.allclose(
            torch.diagonal(matrix, offset), similarity_by_offset[offset].expand(128 - offset), atol=1e-12
        )


def test_similarity_falls_overall_but_not_monotonically(similarity_by_offset):
    rises = pe_mod.rising_offsets(similarity_by_offset)
    assert rises, "the similarity would be monotone: the page says it ripples"
    assert rises[0] == 12
    assert len(rises) == 47
    # 전체적으로는 줄어든다: 앞쪽 16칸의 평균이 뒤쪽 16칸의 평균보다 크다
    assert similarity_by_offset[:16].mean() > similarity_by_offset[-16:].mean() + 0.2
    assert pe_mod.rising_offsets(torch.linspace(1, 0, 10)) == []


def test_similarity_is_lowest_at_offset_111_and_stays_positive(similarity_by_offset):
    assert int(similarity_by_offset.argmin()) == 111
    assert similarity_by_offset.min().item() > 0.2  # 페이지: "가장 낮은 곳도 …"
    assert torch.diagonal(pe_mod.similarity_matrix(128, 128), 1).min().item() > 0.9  # 이웃한 위치


# ---------------------------------------------------------------- exercise 3: D_MODEL 64


@pytest.fixture(scope="module")
def summaries():
    return {d_model: pe_mod.encoding_summary(d_model) for d_model in (128, 64)}


def test_smaller_d_model_lengthens_the_wavelengths(summaries):
    for name in ("wavelength_20", "wavelength_40"):
        assert summaries[64][name] > 2 * summaries[128][name], name


def test_smaller_d_model_keeps_every_position_distinct(summaries):
    assert summaries[64]["n_unique"] == summaries[128]["n_unique"] == 2048


def test_smaller_d_model_shrinks_the_closest_distance_by_the_shorter_vectors(summaries):
    # 거리는 줄지만, 벡터 길이 √(d_model/2)로 나누면 오히려 조금 크다 (설명과 대조군)
    assert summaries[64]["min_distance"] < 0.8 * summaries[128]["min_distance"]
    assert summaries[64]["min_distance_relative"] > summaries[128]["min_distance_relative"]


def test_smaller_d_model_pe_is_still_larger_than_a_small_embedding(summaries):
    assert 1 < summaries[64]["rms_over_small_embedding"] < summaries[128]["rms_over_small_embedding"]


def test_heatmap_front_dimensions_change_fast_and_back_dimensions_stay_flat():
    # 히트맵의 대체 텍스트: 앞쪽 차원은 빠르게 바뀌고 뒤쪽 차원은 위치 0~127에서 거의 일정하다
    pe = sinusoidal_encoding(128, 128, dtype=torch.float64)
    spread = pe.max(dim=0).values - pe.min(dim=0).values
    assert spread[:4].min().item() > 1.9
    assert spread[-8:].max().item() < 0.1
