"""Claims of the DeepNorm and RMSNorm section of docs/qna/layer-norm-warmup.md, checked on snippets/ln_variants.py."""

from __future__ import annotations

import pytest
import torch

from snippets import layer_norm as ln
from snippets import ln_variants as lnv


@pytest.fixture(scope="module")
def norms():
    return lnv.mean_grad_norms(lnv.VARIANTS)


def test_deepnorm_constants_of_an_encoder_only_model():
    # DeepNet Figure 2의 표, 인코더만 있는 N층 모델: α = (2N)^(1/4), β = (8N)^(-1/4)
    alpha, beta = lnv.deepnorm_constants(12)
    assert alpha == pytest.approx(24**0.25) and alpha == pytest.approx(2.2134, abs=1e-4)
    assert beta == pytest.approx(96**-0.25) and beta == pytest.approx(0.3195, abs=1e-4)


def test_deepnorm_layer_with_alpha_one_is_the_post_ln_layer():
    torch.manual_seed(0)
    plain = torch.nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
    deep = lnv.DeepNormLayer(16, 2, 32, dropout=0.0, batch_first=True, alpha=1.0)
    deep.load_state_dict(plain.state_dict())
    x = torch.randn(2, 5, 16)
    assert torch.allclose(deep(x), plain(x), atol=1e-6)
    deep.alpha = 2.0  # α가 다르면 다른 값
    assert not torch.allclose(deep(x), plain(x), atol=1e-3)


def test_deepnorm_model_with_alpha_one_is_the_post_ln_model():
    # to_deepnorm이 바꿔 넣은 층은 원래 층과 같은 배치 순서로 계산한다: α = 1이면 모델의 출력이 Post-LN과 같다
    post = lnv.build_variant("post", n_layers=2)
    deep = lnv.build_variant("deepnorm_alpha", n_layers=2)
    for layer in deep.layers:
        layer.alpha = 1.0
    x = torch.randint(ln.VOCAB, (3, 7), generator=torch.Generator().manual_seed(0))
    assert torch.allclose(deep(x), post(x), atol=1e-5)


def test_post_and_pre_are_the_runs_of_layer_norm(norms):
    # 같은 시드, 같은 초기화: layer_norm 노트북의 1번 측정과 똑같다
    assert norms["post"] == ln.mean_grad_norms("xavier")["post"]


def test_variants_keep_the_weights_and_change_only_the_structure():
    def weights(model):
        return {name: p.detach() for name, p in model.named_parameters() if p.dim() == 2}

    post = weights(lnv.build_variant("post"))
    for name in ("deepnorm_alpha", "post_rms"):
        other = weights(lnv.build_variant(name))
        assert other.keys() == post.keys() and all(torch.equal(other[k], post[k]) for k in post), name
    beta = lnv.deepnorm_constants(lnv.N_LAYERS)[1]
    scaled = weights(lnv.build_variant("deepnorm"))
    d = lnv.D_MODEL
    for key in ("layers.0.linear1.weight", "layers.0.linear2.weight", "layers.0.self_attn.out_proj.weight"):
        assert torch.allclose(scaled[key], beta * post[key])
    q_k_v = "layers.0.self_attn.in_proj_weight"
    assert torch.allclose(scaled[q_k_v][2 * d :], beta * post[q_k_v][2 * d :])  # W_V는 β배
    assert torch.equal(scaled[q_k_v][: 2 * d], post[q_k_v][: 2 * d])  # W_Q, W_K는 그대로
    deep = lnv.build_variant("deepnorm_alpha")
    assert all(isinstance(layer, lnv.DeepNormLayer) and layer.alpha == pytest.approx(24**0.25) for layer in deep.layers)
    rms = lnv.build_variant("pre_rms")
    assert isinstance(rms.final_norm, torch.nn.RMSNorm) and isinstance(rms.layers[0].norm1, torch.nn.RMSNorm)


def test_making_a_variant_leaves_the_shared_post_ln_model_as_it_was():
    # mean_grad_norms는 시드마다 만든 Post-LN 모델 하나에서 모든 구조를 복사해 만든다: 원래 모델은 바뀌지 않는다
    base = lnv.build_post_ln(n_layers=2)
    before = {name: p.detach().clone() for name, p in base.named_parameters()}
    for name in lnv.VARIANTS:
        lnv.make_variant(base, name)
    assert all(torch.equal(p, before[name]) for name, p in base.named_parameters())
    assert isinstance(base.final_norm, torch.nn.Identity)
    assert all(type(layer) is torch.nn.TransformerEncoderLayer and not layer.norm_first for layer in base.layers)


def test_deepnorm_alpha_is_nearly_flat_where_post_ln_grows(norms):
    # 페이지: Post-LN은 위층으로 갈수록 커지고, α를 곱하면 오히려 조금 줄며 거의 평평하다
    post, deep = norms["post"], norms["deepnorm_alpha"]
    assert lnv.spread(post) > 1.3 and post[-1] == max(post)
    assert lnv.spread(deep) < 1.1
    assert deep[-1] < deep[0]


def test_deepnorm_alpha_divides_the_last_layer_gradient_by_a_bit_less_than_alpha(norms):
    alpha = lnv.deepnorm_constants(lnv.N_LAYERS)[0]
    ratio = norms["post"][-1] / norms["deepnorm_alpha"][-1]
    assert 0.8 * alpha < ratio < alpha  # "α보다 조금 작은 값"


def test_beta_scales_the_gradient_by_about_beta_and_flattens_it(norms):
    beta = lnv.deepnorm_constants(lnv.N_LAYERS)[1]
    assert norms["deepnorm"][-1] / norms["deepnorm_alpha"][-1] == pytest.approx(beta, rel=0.1)
    assert lnv.spread(norms["deepnorm"]) < 1.03


def test_rms_norm_gives_nearly_the_layer_norm_gradients(norms):
    for arch in ("post", "pre"):
        assert lnv.max_relative_difference(norms[f"{arch}_rms"], norms[arch]) < 0.05
    rms_ratio = norms["post_rms"][-1] / norms["pre_rms"][-1]
    assert rms_ratio == pytest.approx(norms["post"][-1] / norms["pre"][-1], rel=0.03)
    assert rms_ratio > 2


def test_the_token_mean_is_small_next_to_the_rms_at_d_model_512():
    assert lnv.norm_input_mean_ratio() < 0.03


def test_exercise_5_fewer_layers_give_a_smaller_alpha_and_a_smaller_ratio(norms):
    # 연습 문제 5의 답: 6층이면 α = 12^(1/4)로 작아지고, Post-LN/DeepNorm(α)의 비도 12층보다 작다(역시 α보다 조금 작다)
    assert lnv.EXERCISE_LAYERS == 6
    shallow = lnv.mean_grad_norms(("post", "deepnorm_alpha"), n_layers=6)
    alpha_6, alpha_12 = lnv.deepnorm_constants(6)[0], lnv.deepnorm_constants(12)[0]
    ratio_6 = shallow["post"][-1] / shallow["deepnorm_alpha"][-1]
    ratio_12 = norms["post"][-1] / norms["deepnorm_alpha"][-1]
    assert alpha_6 < alpha_12 and ratio_6 < ratio_12
    assert 0.8 * alpha_6 < ratio_6 < alpha_6


def test_exercise_6_a_smaller_d_model_widens_the_gap_between_rms_norm_and_layer_norm(norms):
    # 연습 문제 6의 답 (설명의 대조군): d_model 64에서는 토큰 평균이 RMS에 비해 커지고, 두 정규화의 차이도 커진다
    assert lnv.EXERCISE_D_MODEL == 64
    small = lnv.mean_grad_norms(("post", "pre", "post_rms", "pre_rms"), d_model=64)
    gap_64 = max(lnv.max_relative_difference(small[f"{a}_rms"], small[a]) for a in ("post", "pre"))
    gap_512 = max(lnv.max_relative_difference(norms[f"{a}_rms"], norms[a]) for a in ("post", "pre"))
    assert gap_64 > 3 * gap_512
    assert lnv.norm_input_mean_ratio(d_model=64) > 1.5 * lnv.norm_input_mean_ratio()


def test_deepnorm_needs_a_post_ln_model():
    torch.manual_seed(0)
    with pytest.raises(ValueError, match="Post-LN"):
        lnv.to_deepnorm(ln.build_encoder(True, n_layers=2), scale_init=False)
