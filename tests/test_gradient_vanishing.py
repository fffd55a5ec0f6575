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


def test_residual_rnn_grows_with_distance_at_this_init(curves):
    # 페이지: "먼 위치일수록 기울기가 오히려 커진다(폭주)"
    residual = curves["rnn+residual"]
    assert residual[99] > 100 * residual[50] > 100 * residual[0]
    assert residual[-20:].mean() > residual[:20].mean()


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


def test_unknown_model_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown model kind"):
        gv.build("lstm", residual=False)


# ---------------------------------------------------------------- why the stack without residuals loses its gradient


def test_rnn_step_factor_is_below_the_default_init_gain_of_w_h(curves):
    # nn.RNNCell의 기본 초기화 U(±1/√d): Var = 1/(3d), 크기 √(1/3). 한 단계의 비율은 tanh' ≤ 1 때문에 그보다 작다
    gain = gv.recurrent_weight_gain(gv.build("rnn", residual=False))
    assert gain == pytest.approx((1 / 3) ** 0.5, rel=0.03)
    factor = gv.step_factor(curves["rnn"])
    assert 0.5 * gain < factor < gain
    assert factor**DISTANCE == pytest.approx((curves["rnn"][DISTANCE] / curves["rnn"][0]).item(), rel=1e-9)


@pytest.fixture(scope="module")
def orthogonal():
    return gv.depth_norms(residual=False, init="orthogonal")


def test_default_init_of_value_and_output_projections():
    # Xavier 균등 분포의 (3d, d) 행렬: Var(W_V)·d = 1/2, nn.Linear의 기본 초기화: Var(W_O)·d = 1/3 → 크기 √(1/6)
    layers = gv.stacked_layers(residual=False)
    w_v, w_o = gv.value_and_output_weights(layers[0])
    assert gv.weight_gain(w_v) ** 2 == pytest.approx(1 / 2, rel=0.05)
    assert gv.weight_gain(w_o) ** 2 == pytest.approx(1 / 3, rel=0.05)
    assert gv.mean_init_gain(layers) == pytest.approx((1 / 6) ** 0.5, rel=0.02)
    assert gv.mean_init_gain(gv.stacked_layers(residual=False, init="orthogonal")) == pytest.approx(1, abs=1e-9)


def test_orthogonal_control_changes_only_value_and_output_projections():
    default, control = gv.stacked_layers(residual=False), gv.stacked_layers(residual=False, init="orthogonal")
    d = gv.D_MODEL
    for a, b in zip(default, control):
        assert torch.equal(a.attention.in_proj_weight[: 2 * d], b.attention.in_proj_weight[: 2 * d])  # W_Q, W_K
        assert not torch.equal(a.attention.out_proj.weight, b.attention.out_proj.weight)


def test_per_layer_shrink_is_the_init_gain_of_value_and_output(depth):
    # 층마다 줄어드는 비율 = W_V·W_O의 초기 크기 (≈ √(1/6)); 가중평균(1/√T = 0.1)이나 1이면 깨진다
    shrink = gv.per_layer_shrink(depth[False])
    gain = gv.mean_init_gain(gv.stacked_layers(residual=False))
    assert shrink == pytest.approx(gain, rel=0.1)
    assert abs(shrink - gv.SEQ_LEN**-0.5) > 0.2 and shrink < 0.6


def test_orthogonal_control_is_flat_from_layer_2(orthogonal):
    after_first = orthogonal[1:]
    assert max(after_first) / min(after_first) < 1.1
    assert gv.per_layer_shrink(orthogonal) == pytest.approx(1, abs=0.02)


def test_default_init_decays_many_orders_below_the_orthogonal_control(depth, orthogonal):
    plain = depth[False]
    default_ratio, control_ratio = plain[-1] / plain[0], orthogonal[-1] / orthogonal[0]
    assert control_ratio > 0.3
    assert default_ratio < 1e-6 * control_ratio


def test_averaging_over_positions_shrinks_once_by_about_one_over_sqrt_t(orthogonal):
    # 층이 없으면 노름은 ‖r‖ = 1: 1층에서 한 번 줄고, 2층부터의 높이는 1/√T
    level = torch.tensor(orthogonal[1:]).log().mean().exp().item()
    assert level == pytest.approx(gv.SEQ_LEN**-0.5, rel=0.05)
    assert level < orthogonal[0] < 0.5  # 1층은 1/√T보다 크지만 항등 함수의 1보다 한참 작다


def test_rank_collapses_in_the_forward_pass_of_both_stacks():
    # Dong et al.의 rank 붕괴(순전파)는 두 쌓기 모두에서 일어난다: 기울기 감소를 가르는 것은 초기화다
    for init in ("default", "orthogonal"):
        spreads = gv.spread_by_depth(residual=False, init=init)
        assert spreads[0] > 0.1
        assert max(spreads[3:]) < 1e-12


def test_residual_stack_stays_within_a_narrow_band_through_default_depth(depth):
    residual = depth[True]
    assert max(residual) / min(residual) < 1.2


@pytest.fixture(scope="module")
def growth():
    return gv.residual_growth(gv.EXERCISE_DEPTH)


def test_exercise_depth_shares_the_first_layers_of_the_default_run(depth, growth):
    residual = depth[True]
    assert growth[gv.DEPTH] == pytest.approx(residual[-1] / residual[0], rel=1e-12)
    assert gv.depth_norms(residual=True, depth=gv.DEPTH, at=[1, 12]) == pytest.approx([residual[0], residual[11]])


def test_residual_growth_starts_before_layer_24_and_accelerates(growth):
    assert list(growth) == [12, 24, 36, 48]
    assert growth[24] > 1.05 and growth[24] > growth[12]  # 24층 전에 이미 커진다
    steps = [growth[12] - 1, growth[24] - growth[12], growth[36] - growth[24], growth[48] - growth[36]]
    assert all(later > earlier for earlier, later in zip(steps, steps[1:]))  # 12층마다 늘어나는 폭이 커진다


def test_unknown_init_is_rejected():
    with pytest.raises(ValueError, match="unknown init"):
        gv.stacked_layers(residual=False, init="xavier")
