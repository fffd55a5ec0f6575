"""Claims of docs/qna/scaled-dot-product.md, checked on snippets/scaled_dot_product.py."""

from __future__ import annotations


import pytest
import torch

from snippets import scaled_dot_product as sdp

CLAIM_D_KS = (16, 64, 256, 1024)


@pytest.fixture(scope="module")
def variances():
    return sdp.score_variances(CLAIM_D_KS)


@pytest.fixture(scope="module")
def saturation():
    return sdp.softmax_saturation(CLAIM_D_KS)


@pytest.mark.parametrize("d_k", CLAIM_D_KS)
def test_dot_product_variance_is_d_k(variances, d_k):
    assert 0.9 <= variances[d_k]["raw"] / d_k <= 1.1


@pytest.mark.parametrize("d_k", CLAIM_D_KS)
def test_scaled_dot_product_variance_is_one(variances, d_k):
    assert 0.9 <= variances[d_k]["scaled"] <= 1.1


def test_unscaled_softmax_is_nearly_one_hot_at_large_d_k(saturation):
    assert saturation[1024]["max_prob_unscaled"] >= 0.9


@pytest.mark.parametrize("d_k", CLAIM_D_KS)
def test_scaled_softmax_stays_spread(saturation, d_k):
    assert saturation[d_k]["max_prob_scaled"] <= 0.3


def test_unscaled_jacobian_shrinks_at_large_d_k(saturation):
    assert saturation[1024]["jacobian_unscaled"] < 0.5 * saturation[1024]["jacobian_scaled"]


def test_shrinkage_needs_large_d_k(saturation):
    # 페이지의 정정 2: d_k = 16에서는 스케일링하지 않은 쪽의 야코비안이 오히려 조금 크다
    assert saturation[16]["jacobian_unscaled"] > saturation[16]["jacobian_scaled"]


def test_softmax_jacobian_matches_autograd():
    z = torch.randn(7, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    expected = torch.autograd.functional.jacobian(lambda x: torch.softmax(x, dim=-1), z)
    assert torch.allclose(sdp.softmax_jacobian(torch.softmax(z, dim=-1)), expected, atol=1e-12)


def test_results_are_reproducible():
    assert sdp.score_variances((64,), n_samples=2000) == sdp.score_variances((64,), n_samples=2000)
