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


@pytest.fixture(scope="module")
def training():
    return {
        "post_none": ln.final_loss(ln.train_copy(False, 1e-2, 0)),
        "post_warm": ln.final_loss(ln.train_copy(False, 1e-2, ln.WARMUP_STEPS)),
        "pre_none": ln.final_loss(ln.train_copy(True, 1e-2, 0)),
    }


def test_post_ln_without_warmup_stays_at_chance_at_large_lr(training):
    # 손실이 찍기 수준 ln 16 ≈ 2.77 근처에 머문다 (시드 0~4에서 2.80~2.82로 확인)
    assert training["post_none"] > 2.5


def test_warmup_rescues_post_ln(training):
    assert training["post_warm"] < 1.0


def test_pre_ln_trains_without_warmup(training):
    assert training["pre_none"] < 0.1


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


# ---------------------------------------------------------------- DeepNorm and RMSNorm (4번 실험)


@pytest.fixture(scope="module")
def variants(xavier_norms):
    return {**xavier_norms, **ln.mean_grad_norms("xavier", variants=("deepnorm_alpha", "deepnorm", "post_rms", "pre_rms"))}


def test_deepnorm_constants_of_an_encoder_only_model():
    # DeepNet Figure 2의 표, 인코더만 있는 N층 모델: α = (2N)^(1/4), β = (8N)^(-1/4)
    alpha, beta = ln.deepnorm_constants(12)
    assert alpha == pytest.approx(24**0.25) and alpha == pytest.approx(2.2134, abs=1e-4)
    assert beta == pytest.approx(96**-0.25) and beta == pytest.approx(0.3195, abs=1e-4)


def test_deepnorm_layer_with_alpha_one_is_the_post_ln_layer():
    torch.manual_seed(0)
    plain = torch.nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
    deep = ln.DeepNormLayer(16, 2, 32, dropout=0.0, batch_first=True, alpha=1.0)
    deep.load_state_dict(plain.state_dict())
    x = torch.randn(2, 5, 16)
    assert torch.allclose(deep(x), plain(x), atol=1e-6)
    deep.alpha = 2.0  # α가 다르면 다른 값
    assert not torch.allclose(deep(x), plain(x), atol=1e-3)


def test_variants_keep_the_weights_of_post_ln_and_change_only_the_structure():
    def weights(model):
        return {name: p for name, p in model.named_parameters() if p.dim() == 2}

    torch.manual_seed(0)
    post = weights(ln.build_encoder(False))
    for options in (dict(deepnorm="alpha"), dict(norm="rms")):
        torch.manual_seed(0)
        other = weights(ln.build_encoder(False, **options))
        assert other.keys() == post.keys() and all(torch.equal(other[k], post[k]) for k in post)
    torch.manual_seed(0)
    beta = ln.deepnorm_constants(ln.N_LAYERS)[1]
    scaled = weights(ln.build_encoder(False, deepnorm="alpha_beta"))
    d = ln.D_MODEL
    assert torch.allclose(scaled["layers.0.linear2.weight"], beta * post["layers.0.linear2.weight"])
    assert torch.allclose(scaled["layers.0.self_attn.in_proj_weight"][2 * d:], beta * post["layers.0.self_attn.in_proj_weight"][2 * d:])
    assert torch.equal(scaled["layers.0.self_attn.in_proj_weight"][:2 * d], post["layers.0.self_attn.in_proj_weight"][:2 * d])
    rms = ln.build_encoder(True, norm="rms")
    assert isinstance(rms.final_norm, torch.nn.RMSNorm) and isinstance(rms.layers[0].norm1, torch.nn.RMSNorm)


def test_frozen_parameters_do_not_change_the_measured_gradient():
    # layer_grad_norms는 linear2.weight만 기울기를 계산한다: 모든 파라미터의 기울기를 계산할 때와 값이 같다
    torch.manual_seed(1)
    model = ln.build_encoder(False)
    generator = torch.Generator().manual_seed(10_001)
    x = torch.randint(ln.VOCAB, (ln.BATCH, ln.SEQ_LEN), generator=generator)
    y = torch.randint(ln.VOCAB, (ln.BATCH, ln.SEQ_LEN), generator=generator)
    torch.nn.functional.cross_entropy(model(x).reshape(-1, ln.VOCAB), y.reshape(-1)).backward()
    full = [layer.linear2.weight.grad.norm().item() for layer in model.layers]
    assert ln.layer_grad_norms(False, seed=1) == pytest.approx(full, rel=1e-6)


def test_deepnorm_alpha_is_nearly_flat_where_post_ln_grows(variants):
    # 페이지: Post-LN은 위층으로 갈수록 커지고, α를 곱하면 오히려 조금 줄며 거의 평평하다
    post, deep = variants["post"], variants["deepnorm_alpha"]
    assert ln.spread(post) > 1.3 and post[-1] == max(post)
    assert ln.spread(deep) < 1.1
    assert deep[-1] < deep[0]


def test_deepnorm_alpha_divides_the_last_layer_gradient_by_about_alpha(variants):
    alpha = ln.deepnorm_constants(ln.N_LAYERS)[0]
    ratio = variants["post"][-1] / variants["deepnorm_alpha"][-1]
    assert 0.8 * alpha < ratio < 1.05 * alpha


def test_beta_scales_the_gradient_by_about_beta_and_flattens_it(variants):
    beta = ln.deepnorm_constants(ln.N_LAYERS)[1]
    effect = variants["deepnorm"][-1] / variants["deepnorm_alpha"][-1]
    assert effect == pytest.approx(beta, rel=0.1)
    assert ln.spread(variants["deepnorm"]) < 1.03
    assert variants["post"][-1] / variants["deepnorm"][-1] > 4


def test_rms_norm_gives_nearly_the_layer_norm_gradients(variants):
    for arch in ("post", "pre"):
        assert ln.max_relative_difference(variants[f"{arch}_rms"], variants[arch]) < 0.05
    rms_ratio = variants["post_rms"][-1] / variants["pre_rms"][-1]
    assert rms_ratio == pytest.approx(variants["post"][-1] / variants["pre"][-1], rel=0.03)
    assert rms_ratio > 2


def test_the_token_mean_is_small_next_to_the_rms_at_d_model_512():
    assert ln.norm_input_mean_ratio() < 0.03


def test_exercise_5_fewer_layers_give_a_smaller_alpha_and_a_smaller_ratio(variants):
    # 연습 문제 5의 답: 6층이면 α = 12^(1/4)로 작아지고, Post-LN/DeepNorm(α)의 비도 12층보다 작다
    shallow = ln.mean_grad_norms("xavier", variants=("post", "deepnorm_alpha"), n_layers=ln.SHALLOW_LAYERS)
    alpha_6, alpha_12 = ln.deepnorm_constants(6)[0], ln.deepnorm_constants(12)[0]
    ratio_6 = shallow["post"][-1] / shallow["deepnorm_alpha"][-1]
    ratio_12 = variants["post"][-1] / variants["deepnorm_alpha"][-1]
    assert alpha_6 < alpha_12 and ratio_6 < ratio_12
    assert 0.8 * alpha_6 < ratio_6 < 1.05 * alpha_6


def test_exercise_6_a_smaller_d_model_widens_the_gap_between_rms_norm_and_layer_norm(variants):
    # 연습 문제 6의 답 (설명의 대조군): d_model 64에서는 토큰 평균이 RMS에 비해 커지고, 두 정규화의 차이도 커진다
    assert ln.SMALL_D_MODEL == 64
    small = ln.mean_grad_norms("xavier", variants=("post", "pre", "post_rms", "pre_rms"), d_model=64)
    gap_64 = max(ln.max_relative_difference(small[f"{a}_rms"], small[a]) for a in ("post", "pre"))
    gap_512 = max(ln.max_relative_difference(variants[f"{a}_rms"], variants[a]) for a in ("post", "pre"))
    assert gap_64 > 3 * gap_512
    assert ln.norm_input_mean_ratio(d_model=64) > 1.5 * ln.norm_input_mean_ratio()


def test_unknown_options_are_rejected():
    with pytest.raises(ValueError, match="unknown norm"):
        ln.build_encoder(False, norm="batch")
    with pytest.raises(ValueError, match="unknown deepnorm"):
        ln.build_encoder(False, deepnorm="beta")
    with pytest.raises(ValueError, match="Post-LN"):
        ln.build_encoder(True, deepnorm="alpha")
