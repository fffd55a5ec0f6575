"""Claims of the multi-head section of docs/qna/scaled-dot-product.md, checked on snippets/multi_head.py.

FLOPs and attention-map elements are counted on meta tensors (exact); variances are sampled (tolerances).
"""

from __future__ import annotations

import pytest

from snippets import multi_head as mh

D_MODEL = 512
N_TOKENS = 128  # fewer tokens than the page's run: enough for a 10 % tolerance, and fast


def test_settings_are_the_pages_and_the_papers():
    # 페이지: d_model = 512, h = 8, d_k = 64 (논문 §3.2.2), n = 1024; 연습 문제: h = 16, n = 4096
    assert (mh.D_MODEL, mh.N_HEADS, mh.D_MODEL // mh.N_HEADS, mh.SEQ_LEN) == (512, 8, 64, 1024)
    assert (mh.N_HEADS_EXERCISE, mh.SEQ_LEN_EXERCISE) == (16, 4096)


@pytest.mark.parametrize("n_heads", [1, 8, 32])
def test_the_score_variance_of_a_head_is_its_d_k(n_heads):
    # 페이지: 헤드 하나의 점수 분산은 d_model이 아니라 d_k다
    variance = mh.score_variance_per_head(D_MODEL, n_heads, N_TOKENS)
    assert variance["raw"] == pytest.approx(D_MODEL / n_heads, rel=0.1)
    assert variance["head_scale"] == pytest.approx(1.0, rel=0.1)


def test_at_eight_heads_the_variance_is_far_below_d_model():
    variance = mh.score_variance_per_head(D_MODEL, 8, N_TOKENS)
    assert variance["raw"] < D_MODEL / 4


def test_control_dividing_by_sqrt_d_model_leaves_a_variance_of_one_over_h():
    # 대조군: √d_model로 나누면 분산이 1/h 근처로 작아진다 (h = 8에서 약 0.125)
    for n_heads in (2, 8, 32):
        variance = mh.score_variance_per_head(D_MODEL, n_heads, N_TOKENS)
        assert variance["model_scale"] == pytest.approx(1 / n_heads, rel=0.1)


def test_control_dividing_by_sqrt_d_model_flattens_the_softmax():
    # 페이지: √d_model로 나누면 가장 큰 확률의 평균이 작아지고 균등 분포(1/n)에 가까워진다
    head_scale = mh.mean_max_probability(D_MODEL, 8, 64**0.5, N_TOKENS)
    model_scale = mh.mean_max_probability(D_MODEL, 8, D_MODEL**0.5, N_TOKENS)
    uniform = 1 / N_TOKENS
    assert uniform < model_scale < head_scale
    assert model_scale / uniform < 0.5 * head_scale / uniform


@pytest.mark.parametrize("seq_len", [64, 1024])
def test_flops_do_not_depend_on_the_number_of_heads(seq_len):
    # 페이지: 헤드로 나눠도 행렬곱 FLOPs는 큰 헤드 하나와 같다: 투영 8 n d² + 어텐션 4 n² d
    expected = 8 * seq_len * D_MODEL**2 + 4 * seq_len**2 * D_MODEL
    flops = {h: mh.layer_costs(D_MODEL, h, seq_len)["flops"] for h in mh.HEAD_COUNTS}
    assert set(flops.values()) == {expected}


@pytest.mark.parametrize("n_heads", [1, 8, 64])
def test_attention_maps_hold_h_times_n_squared_elements(n_heads):
    # 페이지: 어텐션 맵은 h · n²개, h = 8이면 h = 1의 8배
    assert mh.layer_costs(D_MODEL, n_heads, 1024)["map_elements"] == n_heads * 1024**2
    assert mh.mebibytes(8 * 1024**2) == 32.0


def test_n_heads_16_halves_d_k_keeps_flops_and_doubles_the_maps():
    # 연습 문제: N_HEADS = 16 → d_k = 32, 분산 32 근처, FLOPs 같음, 어텐션 맵 2배
    variance = mh.score_variance_per_head(D_MODEL, 16, N_TOKENS)
    assert variance["d_k"] == 32 and variance["raw"] == pytest.approx(32, rel=0.1)
    eight, sixteen = mh.layer_costs(D_MODEL, 8, 1024), mh.layer_costs(D_MODEL, 16, 1024)
    assert sixteen["flops"] == eight["flops"]
    assert sixteen["map_elements"] == 2 * eight["map_elements"]


def test_seq_len_4096_grows_the_maps_16_times_and_the_flops_between_4_and_16():
    # 연습 문제: n을 4배로 → 맵 16배(512 MiB), 어텐션 FLOPs 16배, 투영 4배, 층 전체는 그 사이
    short, long = mh.layer_costs(D_MODEL, 8, 1024), mh.layer_costs(D_MODEL, 8, 4096)
    assert long["map_elements"] == 16 * short["map_elements"] and mh.mebibytes(long["map_elements"]) == 512.0
    assert long["attention_flops"] == 16 * short["attention_flops"]
    assert long["projection_flops"] == 4 * short["projection_flops"]
    assert 4 < long["flops"] / short["flops"] < 16
