"""Claims of docs/qna/layer-norm-warmup.md, checked on snippets/layer_norm.py."""

from __future__ import annotations

import math

import pytest
import torch

from snippets import layer_norm as ln


@pytest.fixture(scope="module")
def xavier_norms():
    return ln.mean_grad_norms("xavier")


@pytest.fixture(scope="module")
def default_norms():
    return ln.mean_grad_norms("default")


def test_post_ln_last_layer_gradient_is_at_least_twice_pre_ln(xavier_norms):
    # Xiong et al. (2020) Figure 3의 경향: 출력 쪽 층에서 Post-LN의 기울기가 훨씬 크다
    assert xavier_norms["post"][-1] >= 2.0 * xavier_norms["pre"][-1]


def test_post_ln_gradient_grows_over_top_half(xavier_norms):
    post = xavier_norms["post"]
    middle = ln.N_LAYERS // 2 - 1  # 6층 (0부터 센 인덱스 5)
    assert post[-1] > post[middle]


def test_pre_ln_gradient_falls_with_depth(xavier_norms):
    pre = xavier_norms["pre"]
    assert pre[-1] < pre[ln.N_LAYERS // 2 - 1] < pre[0]


def test_effect_depends_on_init(xavier_norms, default_norms):
    # 페이지의 보충 2: PyTorch 기본 초기화에서는 비율이 크게 줄고 Post-LN이 위로 갈수록 커지지 않는다
    xavier_ratio = xavier_norms["post"][-1] / xavier_norms["pre"][-1]
    default_ratio = default_norms["post"][-1] / default_norms["pre"][-1]
    assert default_ratio < 2.0 < xavier_ratio
    assert default_norms["post"][-1] < default_norms["post"][ln.N_LAYERS // 2 - 1]


def test_architectures_differ_only_in_norm_placement():
    post, pre = ln.build_encoder(False), ln.build_encoder(True)
    assert post.layers[0].norm_first is False and pre.layers[0].norm_first is True
    assert isinstance(pre.final_norm, torch.nn.LayerNorm) and isinstance(post.final_norm, torch.nn.Identity)
    assert len(post.layers) == len(pre.layers) == 12


def test_xavier_init_is_applied():
    torch.manual_seed(0)
    w = ln.build_encoder(False, "xavier").layers[0].linear2.weight  # (d_model, d_ff)
    bound = math.sqrt(6 / (ln.D_MODEL + ln.D_FF))
    assert w.abs().max() <= bound
    assert w.abs().max() > 0.95 * bound


def test_gradient_norms_are_reproducible():
    assert ln.layer_grad_norms(False, seed=0) == ln.layer_grad_norms(False, seed=0)


def test_one_model_measured_in_both_placements_gives_the_runs_of_two_built_models():
    # mean_grad_norms는 시드마다 모델을 한 번 만들고 LN의 자리만 바꿔 두 번 잰다: 따로 만든 두 모델과 값이 같다
    shared = ln.mean_grad_norms("xavier", seeds=(1,), n_layers=3)
    assert shared["post"] == ln.layer_grad_norms(False, seed=1, n_layers=3)
    assert shared["pre"] == ln.layer_grad_norms(True, seed=1, n_layers=3)
    torch.manual_seed(1)
    switched = ln.place_norms(ln.build_encoder(False, n_layers=3), True)
    torch.manual_seed(1)
    built = ln.build_encoder(True, n_layers=3)
    assert switched.state_dict().keys() == built.state_dict().keys()
    assert all(torch.equal(switched.state_dict()[k], v) for k, v in built.state_dict().items())
    assert all(layer.norm_first for layer in switched.layers)


@pytest.fixture(scope="module")
def training():
    return {
        "post_none": ln.final_loss(ln.train_copy(False, 1e-2, 0)),
        "post_warm": ln.final_loss(ln.train_copy(False, 1e-2, ln.WARMUP_STEPS)),
        "pre_none": ln.final_loss(ln.train_copy(True, 1e-2, 0)),
        "post_small_lr": ln.final_loss(ln.train_copy(False, ln.SMALL_LR, 0)),
    }


def test_post_ln_without_warmup_stays_at_chance_at_large_lr(training):
    # 손실이 찍기 수준 ln 16 ≈ 2.77 근처에 머문다 (시드 0~4에서 2.80~2.82로 확인)
    assert training["post_none"] > 2.5


def test_warmup_rescues_post_ln(training):
    assert training["post_warm"] < 1.0


def test_pre_ln_trains_without_warmup(training):
    assert training["pre_none"] < 0.1


def test_post_ln_trains_without_warmup_at_a_smaller_lr(training):
    # 페이지: Post-LN도 lr을 3e-3으로 낮추면 warm-up 없이 학습된다 (학습이 안 되는 구조가 아니라 lr에 민감하다)
    assert ln.SMALL_LR == 3e-3
    assert training["post_small_lr"] < 0.1


# ---------------------------------------------------------------- the exercises' variants


def test_exercise_1_fewer_layers_give_a_smaller_ratio(xavier_norms):
    # 연습 문제 1의 답: 6층에서 마지막 층의 Post-LN/Pre-LN 비는 12층보다 작다 (상계의 비 √L과 같은 방향)
    shallow = ln.mean_grad_norms("xavier", n_layers=ln.SHALLOW_LAYERS)
    assert len(shallow["post"]) == ln.SHALLOW_LAYERS == 6
    shallow_ratio = shallow["post"][-1] / shallow["pre"][-1]
    deep_ratio = xavier_norms["post"][-1] / xavier_norms["pre"][-1]
    assert 1.0 < shallow_ratio < 0.8 * deep_ratio


def test_exercise_2_a_five_step_warmup_does_not_rescue_post_ln(training):
    # 연습 문제 2의 답: warm-up 5 step의 Post-LN은 warm-up 없을 때처럼 찍기 수준에 머물고, Pre-LN은 배운다
    assert ln.SHORT_WARMUP == 5
    post = ln.final_loss(ln.train_copy(False, ln.BIG_LR, ln.SHORT_WARMUP))
    pre = ln.final_loss(ln.train_copy(True, ln.BIG_LR, ln.SHORT_WARMUP))
    assert post > 0.9 * math.log(16) and abs(post - training["post_none"]) < 0.1
    assert post > 2 * training["post_warm"]
    assert pre < 0.1


def test_computing_only_the_linear2_gradients_gives_the_same_values():
    # layer_grad_norms는 linear2.weight만 기울기를 계산한다(빠르게): 모든 파라미터의 기울기를 계산할 때와 값이 같다
    torch.manual_seed(1)
    model = ln.build_encoder(False)
    generator = torch.Generator().manual_seed(10_001)
    x = torch.randint(ln.VOCAB, (ln.BATCH, ln.SEQ_LEN), generator=generator)
    y = torch.randint(ln.VOCAB, (ln.BATCH, ln.SEQ_LEN), generator=generator)
    torch.nn.functional.cross_entropy(model(x).reshape(-1, ln.VOCAB), y.reshape(-1)).backward()
    full = [layer.linear2.weight.grad.norm().item() for layer in model.layers]
    assert ln.layer_grad_norms(False, seed=1) == pytest.approx(full, rel=1e-6)
