"""Claims of docs/qna/gradient-vanishing.md, checked on snippets/gradient_vanishing.py."""

from __future__ import annotations


import pytest
import torch

from snippets import gradient_vanishing as gv

DISTANCE = 50


@pytest.fixture(scope="module")
def curves():
    return gv.all_curves()


def test_rnn_gradient_vanishes_with_distance(curves):
    rnn = curves["rnn"]
    assert rnn[DISTANCE] / rnn[0] < 1e-6


def test_rnn_decay_is_exponential(curves):
    # 로그 축에서 직선: 거리 10 단위로 줄어드는 비율이 일정하다 (앞 구간과 뒤 구간의 비가 10배 이내)
    log_rnn = curves["rnn"].log10()
    early, late = log_rnn[10] - log_rnn[30], log_rnn[60] - log_rnn[80]
    assert early > 2 and late > 2
    assert 0.5 < early / late < 2


def test_attention_reaches_every_position_alike(curves):
    far = curves["attention"][1:]  # 마지막 위치 자신을 뺀 나머지
    assert far.max() / far.min() < 10


def test_attention_gradient_does_not_fall_with_distance(curves):
    far = curves["attention"][1:]
    assert far[-20:].mean() > 0.5 * far[:20].mean()


def test_residual_changes_only_the_position_itself_in_attention(curves):
    plain, residual = curves["attention"], curves["attention+residual"]
    assert torch.allclose(plain[1:], residual[1:], rtol=1e-10, atol=0)
    # 잔차의 항등 경로 I의 프로베니우스 노름은 √d: 자기 위치의 노름이 그만큼 커진다
    assert residual[0] > 0.8 * gv.D_MODEL**0.5 > plain[0]


def test_residual_rnn_does_not_vanish(curves):
    residual = curves["rnn+residual"]
    assert residual[DISTANCE] / residual[0] > 1e-2
    assert residual[DISTANCE] / residual[0] > 1e10 * curves["rnn"][DISTANCE] / curves["rnn"][0]


def test_jacobian_norms_of_a_known_function():
    # f(x) = x_2 W: ∂f/∂x_2 = Wᵀ (노름 ‖W‖_F), 다른 위치는 0
    generator = torch.Generator().manual_seed(3)
    weight = torch.randn(4, 4, generator=generator, dtype=torch.float64)
    x = torch.randn(5, 4, generator=generator, dtype=torch.float64)
    norms = gv.jacobian_norms(lambda inputs: inputs[2] @ weight, x)
    expected = torch.zeros(5, dtype=torch.float64)
    expected[2] = weight.norm()
    assert torch.allclose(norms, expected)


def test_rnn_matches_torch_rnn():
    model = gv.build("rnn", residual=False)
    x = gv.random_inputs()
    reference = torch.nn.RNN(gv.D_MODEL, gv.D_MODEL, nonlinearity="tanh").to(torch.float64)
    reference.load_state_dict({f"{name}_l0": value for name, value in model.cell.state_dict().items()})
    _, h_n = reference(x)
    assert torch.allclose(model(x), h_n[0], atol=1e-12)


@pytest.fixture(scope="module")
def depth():
    return {residual: gv.depth_norms(residual) for residual in (False, True)}


def test_stacked_attention_without_residual_vanishes_with_depth(depth):
    plain = depth[False]
    assert plain[-1] < 1e-6 * plain[0]
    # 지수적으로: 4층 더 쌓을 때마다 10배 넘게 줄어든다 (한 층씩은 가끔 제자리걸음)
    assert all(deeper < 0.1 * shallower for shallower, deeper in zip(plain, plain[4:]))


def test_residual_keeps_the_gradient_through_depth(depth):
    residual = depth[True]
    assert max(residual) / min(residual) < 1.5


def test_unknown_model_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown model kind"):
        gv.build("lstm", residual=False)
