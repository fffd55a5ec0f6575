"""Claims of the RNN theory section of docs/qna/gradient-vanishing.md, checked on snippets/rnn_theory.py."""

from __future__ import annotations

import pytest
import torch

from snippets import gradient_vanishing as gv
from snippets import rnn_theory as rt


@pytest.fixture(scope="module")
def models():
    return {"default": rt.rnn("default"), "orthogonal": rt.rnn("orthogonal")}


@pytest.fixture(scope="module")
def curves(models):
    return {name: rt.distance_curve(model) for name, model in models.items()}


def test_the_default_rnn_is_the_one_of_gradient_vanishing(curves):
    # 같은 크기, 같은 시드, 같은 입력: gradient_vanishing의 tanh RNN 곡선과 똑같다
    assert torch.equal(curves["default"], gv.norms_by_distance("rnn"))


def test_orthogonal_init_changes_only_the_recurrent_weight(models):
    default, orthogonal = models["default"].cell, models["orthogonal"].cell
    assert torch.equal(default.weight_ih, orthogonal.weight_ih)
    assert torch.equal(default.bias_hh, orthogonal.bias_hh) and torch.equal(default.bias_ih, orthogonal.bias_ih)
    w = orthogonal.weight_hh.detach()
    assert torch.allclose(w.T @ w, torch.eye(gv.D_MODEL, dtype=w.dtype), atol=1e-12)


def test_the_bound_holds_at_every_distance(models, curves):
    for name, model in models.items():
        bound = rt.pascanu_bound(model)
        assert (curves[name] <= bound * (1 + 1e-9)).all(), name
    # 모든 배율과 입력 크기에서도 (연습 문제의 변형 포함)
    for model, scale in (
        (rt.rnn("orthogonal", gain=rt.EXERCISE_GAIN), 1),
        (models["default"], rt.EXERCISE_INPUT_SCALE),
        (models["orthogonal"], rt.EXERCISE_INPUT_SCALE),
    ):
        assert (rt.distance_curve(model, scale) <= rt.pascanu_bound(model) * (1 + 1e-9)).all()


def test_the_bound_is_tight_at_distance_zero_only_up_to_the_slope(models, curves):
    # 거리 0: ‖diag(f') W_x‖_F ≤ γ‖W_x‖_F — 같은 자리에서 시작하지만 측정값이 조금 작다
    for name, model in models.items():
        assert 0.5 < curves[name][0] / rt.pascanu_bound(model)[0] < 1


def test_default_init_has_sigma_max_above_one_so_its_bound_grows_while_the_gradient_vanishes(models, curves):
    # 페이지: σ_max > 1 → 상계는 커지는데, 측정한 기울기는 사라진다 (충분조건이 성립하지 않아도 소실)
    weight = models["default"].cell.weight_hh
    sigma, rho = rt.largest_singular_value(weight), rt.spectral_radius(weight)
    assert sigma > 1.05
    bound = rt.pascanu_bound(models["default"])
    assert bound[-1] > 1e4 * bound[0] and (bound[1:] > bound[:-1]).all()
    assert rt.ratio(curves["default"]) < 1e-30
    # 한 단계 비율 < ρ < 1 < σ_max
    assert gv.step_factor(curves["default"]) < rho < 1 < sigma


def test_orthogonal_bound_is_flat_at_the_input_weight_norm(models):
    model = models["orthogonal"]
    assert rt.largest_singular_value(model.cell.weight_hh) == pytest.approx(1, abs=1e-12)
    assert rt.spectral_radius(model.cell.weight_hh) == pytest.approx(1, abs=1e-9)
    bound = rt.pascanu_bound(model)
    assert torch.allclose(bound, torch.full_like(bound, model.cell.weight_ih.norm().item()), rtol=1e-10)


def test_orthogonal_init_vanishes_more_slowly_but_still_vanishes(curves):
    default, orthogonal = curves["default"], curves["orthogonal"]
    assert gv.step_factor(orthogonal) > gv.step_factor(default) + 0.2
    assert (orthogonal[5:] > default[5:]).all()
    assert rt.ratio(orthogonal) > 1e15 * rt.ratio(default)
    assert rt.ratio(orthogonal) < 1e-10  # 사라지지 않는 것이 아니다: 늦출 뿐


def test_orthogonal_decay_comes_from_the_tanh_slope(models, curves):
    # W_h가 노름을 바꾸지 않으므로 한 단계 비율은 1보다 작은 tanh' 때문이다: 평균 tanh' < 1, 비율 < 1
    slope = rt.mean_slope(models["orthogonal"])
    assert 0.3 < slope < 0.9
    assert gv.step_factor(curves["orthogonal"]) < 1


def test_the_cec_passes_the_gradient_unchanged_at_the_level_of_the_orthogonal_bound(models):
    cec = rt.distance_curve(rt.ConstantErrorCarousel(models["default"].cell.weight_ih))
    level = models["default"].cell.weight_ih.norm().item()
    assert torch.allclose(cec, torch.full_like(cec, level), rtol=1e-12)
    assert torch.allclose(cec, rt.pascanu_bound(models["orthogonal"]), rtol=1e-10)


def test_exercise_1_orthogonal_gain_2_explodes(curves):
    # 연습 문제 1의 답: σ_max = 2 > 1/γ (폭주의 필요조건), 이 RNN에서는 실제로 거리에 따라 커진다
    assert rt.EXERCISE_GAIN == 2
    model = rt.rnn("orthogonal", gain=2)
    curve = rt.distance_curve(model)
    assert rt.largest_singular_value(model.cell.weight_hh) == pytest.approx(2, abs=1e-12)
    assert gv.step_factor(curve) > 1.02 and rt.ratio(curve) > 100
    assert curve[-20:].mean() > curve[:20].mean()
    assert rt.mean_slope(model) < rt.mean_slope(rt.rnn("orthogonal"))  # 더 포화하지만 2배를 다 상쇄하지 못한다


def test_exercise_2_larger_inputs_saturate_tanh_and_vanish_faster(models, curves):
    # 연습 문제 2의 답: 상계는 입력과 상관없이 그대로, 측정한 기울기는 두 초기화 모두 더 빨리 준다
    assert rt.EXERCISE_INPUT_SCALE == 3
    for name, model in models.items():
        faster = rt.distance_curve(model, 3)
        assert gv.step_factor(faster) < gv.step_factor(curves[name]) - 0.1, name
    assert rt.mean_slope(models["orthogonal"], 3) < rt.mean_slope(models["orthogonal"]) - 0.2


def test_unknown_init_is_rejected():
    with pytest.raises(ValueError, match="unknown init"):
        rt.rnn("identity")
