"""Claims of docs/qna/position-representations.md, checked on snippets/position_representations.py."""

from __future__ import annotations

import math

import pytest
import torch

from snippets import position_representations as posrep

# ---------------------------------------------------------------- RoPE


def test_rope_rotation_keeps_the_length_and_position_zero_is_the_identity():
    q, _ = posrep.query_key_pair(64)
    rows = q.expand(5, -1)
    rotated = posrep.rope_rotate(rows, torch.tensor([0, 1, 7, 100, 511]))
    assert torch.allclose(rotated[0], q, atol=1e-15)
    assert torch.allclose(rotated.norm(dim=-1), q.norm().expand(5), atol=1e-12)


def test_rope_rotates_each_pair_as_in_roformer():
    # RoFormer (Su et al. 2021) eq. (34): (x0 cos mθ0 - x1 sin mθ0, x1 cos mθ0 + x0 sin mθ0, …), θ_i = 10000^(-2i/d)
    x = torch.arange(1.0, 9.0, dtype=torch.float64)
    m = 3
    rotated = posrep.rope_rotate(x.unsqueeze(0), torch.tensor([m]))[0]
    for i in range(4):
        theta = 10000 ** (-2 * i / 8)
        even, odd = x[2 * i].item(), x[2 * i + 1].item()
        assert rotated[2 * i].item() == pytest.approx(even * math.cos(m * theta) - odd * math.sin(m * theta), abs=1e-12)
        assert rotated[2 * i + 1].item() == pytest.approx(
            odd * math.cos(m * theta) + even * math.sin(m * theta), abs=1e-12
        )


@pytest.fixture(scope="module")
def scores():
    q, k = posrep.query_key_pair()
    return {"rope": posrep.rope_scores(q, k, 512), "added": posrep.added_pe_scores(q, k, 512), "q": q, "k": k}


def test_rope_score_depends_only_on_the_offset(scores):
    # 페이지: 같은 m - n인 칸끼리의 최대 차이가 반올림 수준
    assert posrep.spread_within_offsets(scores["rope"]) < 1e-10


def test_added_pe_control_depends_on_the_absolute_positions(scores):
    # 대조군: PE를 더하면 같은 m - n에서도 점수가 크게 달라진다 (설명이 틀렸다면 이것도 작았을 것)
    assert posrep.spread_within_offsets(scores["added"]) > 10


def test_rope_score_changes_with_the_offset(scores):
    # 페이지: 상대 위치가 다르면 점수가 다르다 (이웃한 상대 위치끼리도)
    values = torch.tensor(list(posrep.score_by_offset(scores["rope"]).values()), dtype=torch.float64)
    assert (values.max() - values.min()).item() > 10
    assert (values[1:] - values[:-1]).abs().min().item() > 1e-3
    assert (values[1:] - values[:-1]).abs().min().item() > 1e6 * posrep.spread_within_offsets(scores["rope"])


def test_rope_score_at_offset_zero_is_the_unrotated_score(scores):
    # 연습 문제 3: 같은 위치에 놓으면 회전이 상쇄된다
    by_offset = posrep.score_by_offset(scores["rope"])
    assert by_offset[0] == pytest.approx((scores["q"] @ scores["k"]).item(), abs=1e-10)
    assert abs(by_offset[1] - by_offset[0]) > 0.1


def test_spread_within_offsets_sees_a_matrix_that_is_not_toeplitz():
    toeplitz = posrep.offset_of(6).to(torch.float64) ** 2
    assert posrep.spread_within_offsets(toeplitz) == 0
    assert posrep.spread_within_offsets(toeplitz + torch.diag(torch.arange(6.0, dtype=torch.float64))) == 5


# ---------------------------------------------------------------- ALiBi


def test_alibi_slopes_for_8_heads_are_one_half_to_one_over_256():
    slopes = posrep.alibi_slopes(8)
    assert slopes.tolist() == [2.0**-h for h in range(1, 9)]


def test_alibi_slopes_for_16_heads_put_a_geometric_mean_between_the_8_head_slopes():
    # Press et al. §3: 16헤드는 8헤드의 기울기 사이사이를 기하평균으로 채운 것, 2^(-1/2)에서 시작
    slopes_8, slopes_16 = posrep.alibi_slopes(8), posrep.alibi_slopes(16)
    assert torch.allclose(slopes_16[1::2], slopes_8, rtol=1e-15)
    assert torch.allclose(slopes_16[0::2][1:], (slopes_8[:-1] * slopes_8[1:]).sqrt(), rtol=1e-12)
    assert slopes_16[0].item() == pytest.approx(2**-0.5)
    assert slopes_16[-1].item() == slopes_8[-1].item()


def test_alibi_bias_is_minus_slope_times_distance_and_masks_the_future():
    bias = posrep.alibi_bias(16, 8)
    slopes = posrep.alibi_slopes(8)
    assert bias.shape == (8, 16, 16)
    assert bias[0, 15, 0].item() == -7.5  # 페이지: 첫 헤드, 거리 15
    for h in range(8):
        for i, j in ((3, 3), (5, 2), (15, 0)):
            assert bias[h, i, j].item() == pytest.approx(-slopes[h].item() * (i - j))
    assert torch.isneginf(bias[:, 2, 3]).all()
    # 편향도 상대 위치에만 달려 있다 (과거 칸끼리)
    lower = torch.tril(bias[0])
    assert posrep.spread_within_offsets(lower.masked_fill(torch.isneginf(lower), 0)) == 0


def test_half_weight_distance_grows_from_the_first_head_to_the_last():
    distance = posrep.half_weight_distance(posrep.alibi_slopes(8))
    assert distance[0].item() == pytest.approx(2 * math.log(2))
    assert distance[-1].item() == pytest.approx(256 * math.log(2))
    assert torch.all(distance[1:] > distance[:-1])
    # 연습 문제 1: 16헤드의 첫 헤드는 더 가까이만 보고, 마지막 헤드는 그대로
    distance_16 = posrep.half_weight_distance(posrep.alibi_slopes(16))
    assert distance_16[0] < distance[0] and distance_16[-1] == distance[-1]


def test_far_beyond_the_training_length_the_first_heads_ignore_a_key_and_the_last_barely_sees_it():
    # 페이지: 거리 1,024에서 첫 헤드의 가중치는 사실상 0, 마지막 헤드는 거리 0의 몇 퍼센트
    slopes = posrep.alibi_slopes(8)
    weights = torch.exp(-slopes * 1024)
    assert weights[0].item() < 1e-100 and weights[:4].max().item() < 1e-10
    assert 0.01 < weights[-1].item() < 0.05


# ---------------------------------------------------------------- √d_model and the shared weights


@pytest.fixture(scope="module")
def scale():
    return {d: posrep.shared_embedding_scale(d) for d in (512, 1024)}


def test_without_the_factor_pe_dwarfs_the_embedding_and_with_it_they_match(scale):
    s = scale[512]
    assert s["embedding_rms"] == pytest.approx(512**-0.5, rel=0.01)
    assert s["embedding_rms_scaled"] == pytest.approx(1, rel=0.01)
    assert s["pe_over_embedding"] == pytest.approx((512 / 2) ** 0.5, rel=0.01)  # ≈ 16
    assert 0.6 < s["pe_over_embedding_scaled"] < 0.8


def test_the_shared_weights_give_unit_logits_and_the_unit_init_control_saturates(scale):
    # 이 사이트의 읽기와 그 대조군: 작은 초기화의 로짓은 표준편차 1, N(0, 1) 초기화는 √d_model
    s = scale[512]
    assert 0.9 < s["logit_std"] < 1.1
    assert s["logit_std_unit_init"] == pytest.approx(512**0.5, rel=0.05)
    assert s["max_prob"] < 0.01
    assert s["max_prob_unit_init"] > 0.8


def test_a_larger_d_model_widens_the_gap_without_the_factor_only(scale):
    # 연습 문제 2: 곱하지 않으면 비가 √(d/2)로 커지고, 곱하면 그대로
    assert scale[1024]["pe_over_embedding"] > 1.3 * scale[512]["pe_over_embedding"]
    assert scale[1024]["pe_over_embedding_scaled"] == pytest.approx(scale[512]["pe_over_embedding_scaled"], abs=0.01)
    assert scale[1024]["logit_std_unit_init"] > 1.3 * scale[512]["logit_std_unit_init"]
    assert scale[1024]["max_prob_unit_init"] > scale[512]["max_prob_unit_init"]
    assert 0.9 < scale[1024]["logit_std"] < 1.1  # 작은 초기화의 로짓은 그대로
    assert scale[1024]["pe_over_embedding"] == pytest.approx((1024 / 2) ** 0.5, rel=0.01)  # 비가 √(d_model/2)로 자란다
