"""Claims of docs/qna/complexity.md, checked on snippets/complexity.py (FLOPs counted, never timed)."""

from __future__ import annotations

import pytest
import torch

from snippets import complexity as cx

NS = (8, 16, 32, 64, 128, 256, 512, 1024)
DS = (16, 32, 64, 128, 256, 512)
D_FIXED = 64
N_FIXED = 64


def test_attention_score_flops_grow_as_n_squared():
    flops = [cx.attention_flops(n, D_FIXED) for n in NS]
    assert cx.loglog_slope(NS, flops) == pytest.approx(2.0, abs=0.1)


def test_rnn_flops_grow_linearly_in_n():
    flops = [cx.rnn_flops(n, D_FIXED) for n in NS]
    assert cx.loglog_slope(NS, flops) == pytest.approx(1.0, abs=0.1)


def test_attention_flops_grow_linearly_in_d():
    flops = [cx.attention_flops(N_FIXED, d) for d in DS]
    assert cx.loglog_slope(DS, flops) == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("n, d", [(8, 16), (64, 64), (100, 48)])
def test_counted_flops_are_exactly_4n2d_and_4nd2(n, d):
    assert cx.attention_flops(n, d) == 4 * n * n * d
    assert cx.rnn_flops(n, d) == 4 * n * d * d


def test_rnn_flops_grow_as_d_squared():
    flops = [cx.rnn_flops(N_FIXED, d) for d in DS]
    assert cx.loglog_slope(DS, flops) == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize("d", [32, 64, 128])
def test_crossover_is_at_n_equals_d(d):
    # 페이지: 두 직선은 n = d에서 만난다 (n < d에서는 self-attention이 적고, n = d부터 같거나 많다)
    assert cx.crossover_length(d) == d
    assert cx.attention_flops(d // 2, d) < cx.rnn_flops(d // 2, d)


def test_d_fixed_is_the_pages_default():
    assert cx.D_FIXED == D_FIXED and cx.EXERCISE_D_FIXED == 256


def test_d_fixed_256_moves_the_crossover_to_n_256():
    # 연습 문제 2: D_FIXED를 256으로 바꾸면 교차점이 n = 256으로 옮겨 가고, self-attention이 적은 구간이 넓어진다
    assert cx.crossover_length(cx.EXERCISE_D_FIXED) == 256 > cx.crossover_length(D_FIXED)
    assert cx.attention_flops(128, D_FIXED) > cx.rnn_flops(128, D_FIXED)
    assert cx.attention_flops(128, 256) < cx.rnn_flops(128, 256)


def test_d_fixed_256_keeps_the_slopes_in_n():
    ns = (8, 16, 32, 64, 128, 256)
    attention, rnn = cx.flops_vs_length(cx.EXERCISE_D_FIXED, ns=ns)
    assert cx.loglog_slope(ns, attention) == pytest.approx(2.0, abs=0.1)
    assert cx.loglog_slope(ns, rnn) == pytest.approx(1.0, abs=0.1)


def test_sequential_steps_do_not_depend_on_d():
    ns = (4, 16, 64)
    depths = {
        d: {n: (s["attention"]["depth"], s["rnn"]["depth"]) for n, s in cx.steps_vs_length(ns=ns, d=d).items()}
        for d in (16, 64)
    }
    assert depths[16] == depths[64] == {n: (2, n) for n in ns}


def test_rnn_needs_n_sequential_steps_attention_a_constant_number():
    steps = cx.steps_vs_length(ns=(4, 16, 64, 256), d=32)
    attention_depths = {s["attention"]["depth"] for s in steps.values()}
    assert len(attention_depths) == 1  # n과 무관
    assert attention_depths.pop() == 2  # QKᵀ 다음 (softmax) V: 상수
    for n, s in steps.items():
        assert s["rnn"]["depth"] == n
        assert s["rnn"]["matmul_calls"] == 2 * n  # 시점마다 x_t W_x, h W_h
        assert s["attention"]["matmul_calls"] < s["rnn"]["matmul_calls"]


def test_depth_tracker_sees_a_chain_and_a_batch():
    # 같은 행렬을 k번 차례로 곱하면 깊이 k, 서로 독립인 곱 k개를 합치면 깊이 1
    w = torch.eye(8)
    chain = lambda x: x @ w @ w @ w  # noqa: E731
    batch = lambda x: torch.stack([x @ w, x @ w, x @ w])  # noqa: E731
    assert cx.sequential_steps(chain, torch.ones(2, 8))["depth"] == 3
    assert cx.sequential_steps(batch, torch.ones(2, 8))["depth"] == 1


def test_layers_compute_what_they_claim():
    q, k, v = cx.attention_inputs(5, 4)
    expected = torch.nn.functional.scaled_dot_product_attention(q[None], k[None], v[None])[0]
    assert torch.allclose(cx.self_attention(q, k, v), expected, atol=1e-6)
    x, w_x, w_h, b = cx.rnn_inputs(6, 4)
    rnn = torch.nn.RNN(4, 4, bias=False, batch_first=True)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(w_x.T)
        rnn.weight_hh_l0.copy_(w_h.T)
        expected, _ = rnn(x[None])
    assert torch.allclose(cx.rnn_layer(x, w_x, w_h, b), expected[0], atol=1e-6)
