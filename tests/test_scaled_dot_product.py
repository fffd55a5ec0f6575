"""Claims of docs/qna/scaled-dot-product.md, checked on snippets/scaled_dot_product.py."""

from __future__ import annotations

import pytest
import torch

from snippets import scaled_dot_product as sdp

D_KS = sdp.D_KS
UNIFORM_32 = 1 / sdp.N_KEYS


@pytest.fixture(scope="module")
def variances():
    return sdp.score_variances((16, 64, 256, 1024))


@pytest.fixture(scope="module")
def saturation():
    return sdp.softmax_saturation()  # the run the page cites: 32 keys, 10,000 trials per d_k


@pytest.fixture(scope="module")
def saturation_256():
    return sdp.softmax_saturation(n_keys=sdp.N_KEYS_EXERCISE)  # exercise 2's variant


def column(table, key):
    return [table[d_k][key] for d_k in D_KS]


def strictly_increasing(values):
    return all(a < b for a, b in zip(values, values[1:]))


# ---------------------------------------------------------------- variance (section 1)


@pytest.mark.parametrize("d_k", (16, 64, 256, 1024))
def test_dot_product_variance_is_d_k(variances, d_k):
    assert 0.9 <= variances[d_k]["raw"] / d_k <= 1.1


@pytest.mark.parametrize("d_k", (16, 64, 256, 1024))
def test_scaled_dot_product_variance_is_one(variances, d_k):
    assert 0.9 <= variances[d_k]["scaled"] <= 1.1


def test_results_are_reproducible():
    assert sdp.score_variances((64,), n_samples=2000) == sdp.score_variances((64,), n_samples=2000)


# ---------------------------------------------------------------- the tools


def test_score_shortcut_matches_explicit_keys():
    # 점수를 ‖q‖ z로 뽑는 지름길이 키 벡터를 직접 뽑는 것과 같은 분포를 낸다
    d_k, n_keys, n_trials = 64, 32, 4000
    generator = torch.Generator().manual_seed(5)
    q = torch.randn(n_trials, 1, d_k, generator=generator)
    keys = torch.randn(n_trials, n_keys, d_k, generator=generator)
    explicit = (q * keys).sum(dim=-1)
    shortcut = sdp.attention_scores(d_k, n_keys, n_trials, torch.Generator().manual_seed(6))
    for c in (1.0, d_k**0.5):
        p_explicit, p_shortcut = torch.softmax(explicit / c, dim=-1), torch.softmax(shortcut / c, dim=-1)
        assert abs(p_explicit.max(-1).values.mean() - p_shortcut.max(-1).values.mean()) < 0.02
        assert abs(sdp.jacobian_norm(p_explicit).mean() - sdp.jacobian_norm(p_shortcut).mean()) < 0.01
    assert abs(shortcut.var().item() / d_k - 1) < 0.05


def test_softmax_jacobian_matches_autograd():
    z = torch.randn(7, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    expected = torch.autograd.functional.jacobian(lambda x: torch.softmax(x, dim=-1), z)
    assert torch.allclose(sdp.softmax_jacobian(torch.softmax(z, dim=-1)), expected, atol=1e-12)


def test_jacobian_norm_without_the_matrix_matches_the_matrix():
    z = 4 * torch.randn(50, 32, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    p = torch.softmax(z, dim=-1)
    assert torch.allclose(sdp.jacobian_norm(p), torch.linalg.matrix_norm(sdp.softmax_jacobian(p)), atol=1e-12)


def test_query_gradient_matches_autograd():
    generator = torch.Generator().manual_seed(3)
    q = torch.randn(4, 16, generator=generator, dtype=torch.float64, requires_grad=True)
    keys = torch.randn(4, 8, 16, generator=generator, dtype=torch.float64)
    upstream = torch.randn(4, 8, generator=generator, dtype=torch.float64)
    for c in (4.0, 16.0):
        (torch.softmax(torch.einsum("td,tnd->tn", q, keys) / c, dim=-1) * upstream).sum().backward()
        _, grad_query = sdp.query_gradient(q.detach(), keys, upstream, c)
        assert torch.allclose(grad_query, q.grad, atol=1e-12)
        q.grad = None


# ---------------------------------------------------------------- saturation (sections 2 and 3, figure)


def test_unscaled_softmax_approaches_one_hot_as_d_k_grows(saturation):
    values = column(saturation, "max_prob_unscaled")
    assert strictly_increasing(values)
    assert values[-1] >= 0.9


def test_unscaled_jacobian_shrinks_as_d_k_grows(saturation):
    values = column(saturation, "jacobian_unscaled")
    assert all(a > b for a, b in zip(values, values[1:]))
    assert saturation[1024]["jacobian_unscaled"] < 0.5 * saturation[1024]["jacobian_scaled"]


def test_scaled_curves_are_flat_in_d_k(saturation):
    # "d_k와 거의 무관", "머문다", "거의 일정하다"
    for key in ("max_prob_scaled", "jacobian_scaled"):
        values = column(saturation, key)
        assert max(values) - min(values) < 0.01, key
    assert 0.1 < min(column(saturation, "max_prob_scaled"))


def test_shrinkage_needs_large_d_k_and_the_curves_cross_once(saturation):
    # 주의할 점 / 정정 2: d_k = 16에서는 스케일링하지 않은 쪽이 크고, 곡선은 한 번 만난다
    crossing = sdp.jacobian_crossing(saturation)
    assert crossing == 64
    for d_k in D_KS:
        above = saturation[d_k]["jacobian_unscaled"] > saturation[d_k]["jacobian_scaled"]
        assert above == (d_k < crossing), d_k


def test_jacobian_norm_depends_on_how_the_probability_is_shared():
    # 원-핫이면 0, 두 키가 반씩이면 1/2로 가장 크고, m개에 고르게 퍼지면 √(m-1)/m로 줄어든다
    one_hot = torch.zeros(32, dtype=torch.float64)
    one_hot[0] = 1
    assert sdp.jacobian_norm(one_hot).item() == pytest.approx(0, abs=1e-12)
    even = [
        sdp.jacobian_norm(torch.tensor([1 / m] * m + [0.0] * (32 - m), dtype=torch.float64)).item()
        for m in range(1, 33)
    ]
    assert even[1] == pytest.approx(0.5, abs=1e-12)
    assert all(a > b for a, b in zip(even[1:], even[2:]))
    assert even[-1] == pytest.approx(sdp.uniform_jacobian_norm(32), abs=1e-12)
    random = torch.softmax(
        10
        * torch.rand(20_000, 1, dtype=torch.float64)
        * torch.randn(20_000, 32, dtype=torch.float64, generator=torch.Generator().manual_seed(4)),
        dim=-1,
    )
    assert sdp.jacobian_norm(random).max().item() <= 0.5 + 1e-12


def test_at_d_k_16_unscaled_is_shared_by_few_keys_and_scaled_is_not_even(saturation):
    first = saturation[16]
    assert first["max_prob_unscaled"] > 3 * first["max_prob_scaled"]
    # 스케일링한 softmax도 균등 분포(1/32)보다 몇 배 쏠려 있다
    assert min(column(saturation, "max_prob_scaled")) > 4 * UNIFORM_32


# ---------------------------------------------------------------- exercise 2: 256 keys


def test_more_keys_lower_the_unscaled_max_probability(saturation, saturation_256):
    for d_k in D_KS:
        assert saturation_256[d_k]["max_prob_unscaled"] < saturation[d_k]["max_prob_unscaled"], d_k
    assert saturation[16]["max_prob_unscaled"] - saturation_256[16]["max_prob_unscaled"] > 0.1


def test_with_256_keys_unscaled_still_approaches_one(saturation_256):
    values = column(saturation_256, "max_prob_unscaled")
    assert strictly_increasing(values)
    assert values[-1] >= 0.9


def test_with_256_keys_scaled_max_probability_drops_and_stays_flat(saturation, saturation_256):
    values = column(saturation_256, "max_prob_scaled")
    assert max(values) < 0.5 * min(column(saturation, "max_prob_scaled"))
    assert max(values) - min(values) < 0.005
    assert min(values) > 4 / sdp.N_KEYS_EXERCISE  # 여전히 균등 분포보다 쏠려 있다


def test_uniform_reference_falls_like_one_over_root_n():
    ratio = sdp.uniform_jacobian_norm(256) / sdp.uniform_jacobian_norm(32)
    assert ratio == pytest.approx((32 / 256) ** 0.5, rel=0.05)
    assert sdp.uniform_jacobian_norm(32) == pytest.approx(
        sdp.jacobian_norm(torch.full((32,), 1 / 32, dtype=torch.float64)).item(), abs=1e-12
    )


def test_scaled_jacobian_falls_with_the_key_count_like_the_uniform_reference(saturation, saturation_256):
    reference = sdp.uniform_jacobian_norm(256) / sdp.uniform_jacobian_norm(32)
    for d_k in D_KS:
        ratio = saturation_256[d_k]["jacobian_scaled"] / saturation[d_k]["jacobian_scaled"]
        assert 0.9 * reference < ratio < 1.3 * reference, (d_k, ratio, reference)


def test_unscaled_jacobian_does_not_fall_with_the_key_count(saturation, saturation_256):
    # 설명의 대조군: 몇 개의 키에 몰린 softmax는 키가 늘어도 노름이 줄지 않는다
    for d_k in D_KS:
        assert saturation_256[d_k]["jacobian_unscaled"] > 0.97 * saturation[d_k]["jacobian_unscaled"], d_k


def test_with_256_keys_the_crossing_moves_to_larger_d_k(saturation, saturation_256):
    crossing = sdp.jacobian_crossing(saturation_256)
    assert crossing == 1024 > sdp.jacobian_crossing(saturation)
    for d_k in D_KS:
        above = saturation_256[d_k]["jacobian_unscaled"] > saturation_256[d_k]["jacobian_scaled"]
        assert above == (d_k < crossing), d_k
    # 만나기 직전(d_k = 512)에도 차이가 잡음보다 크다 (시행 10,000번)
    assert saturation_256[512]["jacobian_unscaled"] > 1.04 * saturation_256[512]["jacobian_scaled"]


# ---------------------------------------------------------------- exercise 3: dividing by d_k


def test_dividing_by_d_k_spreads_attention_evenly(saturation):
    values = column(saturation, "max_prob_over_d_k")
    assert all(a > b for a, b in zip(values, values[1:]))
    assert values[-1] < 1.1 * UNIFORM_32


def test_dividing_by_d_k_keeps_the_jacobian_near_the_uniform_value(saturation):
    last = saturation[1024]
    assert last["jacobian_over_d_k"] == pytest.approx(sdp.uniform_jacobian_norm(32), abs=0.003)
    assert last["jacobian_over_d_k"] > 0.6 * last["jacobian_scaled"]


def test_the_chain_rule_factor_shrinks_the_query_gradient():
    # 점수까지의 기울기는 조금 작을 뿐이고, 쿼리까지의 기울기는 그 비율에 √d_k/d_k를 곱한 만큼 작다
    d_k = 1024
    gradients = sdp.query_gradient_norms(d_k)
    score_ratio = gradients["over_d_k"]["scores"] / gradients["scaled"]["scores"]
    query_ratio = gradients["over_d_k"]["query"] / gradients["scaled"]["query"]
    assert 0.6 < score_ratio < 0.9
    assert query_ratio * d_k**0.5 == pytest.approx(score_ratio, rel=0.1)
    assert query_ratio < 0.1 * score_ratio
