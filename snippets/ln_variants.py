# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # DeepNorm과 RMSNorm: Post-LN을 고치는 방법과 다른 정규화
#
# `layer_norm` 노트북의 1번 측정(초기화 직후 12층 인코더의 층별 FFN `linear2` 기울기 노름, Xavier 초기화, 시드 3개 평균)을
# 구조만 바꿔 다시 한다. 같은 시드에서 가중치는 Post-LN, Pre-LN과 똑같다: `layer_norm`의 `build_encoder`로 만든 뒤 구조만
# 바꾸기 때문이다.
#
# - **DeepNorm**(Wang et al. 2022, "DeepNet: Scaling Transformers to 1,000 Layers"): Post-LN을 유지하면서 잔차를 α배 한다:
#   $x_{l+1} = \mathrm{LN}(\alpha x_l + F(x_l))$. 인코더만 있는 $N$층 모델에서 $\alpha = (2N)^{1/4}$이고, 초기화할 때 FFN의 두
#   가중치와 $W_V$, $W_O$를 $\beta = (8N)^{-1/4}$배 한다(논문 Figure 2의 의사 코드와 표). 잔차만 α배 한 것과 β배 초기화까지
#   한 것을 따로 잰다.
# - **RMSNorm**(Zhang & Sennrich 2019): LN에서 평균 빼기를 없애고 RMS $\sqrt{\tfrac{1}{d}\sum_i x_i^2}$로만 나눈다. Post-LN과
#   Pre-LN의 LN(Pre-LN의 최종 LN 포함)을 모두 RMSNorm으로 바꾼다.

# %%
import copy

import torch
from torch import nn

# 저장소 폴더에서 `python -m snippets.ln_variants`로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)
from snippets.layer_norm import BATCH, SEEDS, SEQ_LEN, Encoder, build_encoder, linear2_grad_norms, place_norms

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다. 나머지 크기(head 8개, FFN 폭 1024, 어휘
# 1000개, 배치)는 `layer_norm` 노트북의 것을 그대로 쓴다.

# %%
N_LAYERS = 12  # 층 수 N: DeepNorm의 α와 β가 이 값으로 정해진다
D_MODEL = 512  # 모델 폭 d_model
EXERCISE_LAYERS = 6  # 연습 문제 5("N_LAYERS를 6으로 바꾸면?")의 답: 빌드가 이 층 수로도 Post-LN과 DeepNorm(α)을 잰다
EXERCISE_D_MODEL = 64  # 연습 문제 6("D_MODEL을 64로 바꾸면?")의 답: 빌드가 이 폭으로도 LN과 RMSNorm을 비교한다

# %% [markdown]
# ## 구조 바꾸기
#
# `DeepNormLayer`는 `nn.TransformerEncoderLayer`의 Post-LN 계산에서 잔차에만 α를 곱한다. `to_deepnorm`은 초기화가 끝난
# 모델의 층을 같은 가중치의 `DeepNormLayer`로 바꾸고, 원하면 DeepNorm의 초기화(β배)를 한다. `use_rms_norm`은 LN을 배율
# $g = 1$에서 시작하는 `nn.RMSNorm`으로 바꾼다.

# %%
class DeepNormLayer(nn.TransformerEncoderLayer):
    """DeepNorm의 Post-LN 층: x_(l+1) = LN(α·x_l + F(x_l)). 서브층 F는 그대로 두고 잔차만 α배 한다."""

    def __init__(self, *args, alpha: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpha = alpha

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        """nn.TransformerEncoderLayer의 Post-LN 계산과 같고, 더하기 전에 잔차 x에 α를 곱한다."""
        x = self.norm1(self.alpha * src + self._sa_block(src, src_mask, src_key_padding_mask, is_causal=is_causal))
        return self.norm2(self.alpha * x + self._ff_block(x))


def deepnorm_constants(n_layers: int) -> tuple[float, float]:
    """인코더만 있는 N층 모델의 DeepNorm 상수 (α, β) = ((2N)^(1/4), (8N)^(-1/4)) (DeepNet Figure 2의 표)."""
    return (2 * n_layers) ** 0.25, (8 * n_layers) ** -0.25


def to_deepnorm(model: Encoder, scale_init: bool) -> None:
    """Post-LN 모델의 층을 같은 가중치의 DeepNormLayer로 바꾼다. scale_init이면 FFN의 두 가중치와 W_V, W_O를 β배 한다."""
    if not isinstance(model.final_norm, nn.Identity):
        raise ValueError("DeepNorm scales the residual of a Post-LN model")
    alpha, beta = deepnorm_constants(len(model.layers))
    for i, layer in enumerate(model.layers):
        attention = layer.self_attn
        # 가중치는 원래 층의 것을 그대로 넘겨받으므로, 새 층은 가중치를 만들지 않고(meta 장치) 틀만 만든다
        deep = DeepNormLayer(attention.embed_dim, attention.num_heads, layer.linear1.out_features,
                             dropout=0.0, batch_first=attention.batch_first, alpha=alpha, device="meta")
        deep.load_state_dict(layer.state_dict(), assign=True)
        model.layers[i] = deep
    if scale_init:
        # 곱한 값을 새 파라미터로 넣는다(제자리에서 곱하지 않는다): 가중치를 함께 쓰는 다른 모델은 그대로 남는다
        with torch.no_grad():
            for layer in model.layers:
                d = layer.self_attn.embed_dim
                v_only = torch.ones(3 * d, 1)
                v_only[2 * d :] = beta  # in_proj_weight는 W_Q, W_K, W_V를 쌓은 것: W_V만 β배
                layer.self_attn.in_proj_weight = nn.Parameter(layer.self_attn.in_proj_weight * v_only)
                for module in (layer.linear1, layer.linear2, layer.self_attn.out_proj):
                    module.weight = nn.Parameter(module.weight * beta)


def use_rms_norm(model: Encoder) -> None:
    """모델의 LN을 모두 RMSNorm(평균을 빼지 않고 RMS로만 나눈다)으로 바꾼다."""
    def rms(norm: nn.LayerNorm) -> nn.RMSNorm:
        return nn.RMSNorm(norm.normalized_shape, eps=norm.eps)

    for layer in model.layers:
        layer.norm1, layer.norm2 = rms(layer.norm1), rms(layer.norm2)
    if isinstance(model.final_norm, nn.LayerNorm):
        model.final_norm = rms(model.final_norm)


# 비교하는 구조: 이름 → (Pre-LN인가, 구조 바꾸기)
VARIANTS = {
    "post": (False, None),
    "pre": (True, None),
    "deepnorm_alpha": (False, lambda model: to_deepnorm(model, scale_init=False)),  # 잔차만 α배
    "deepnorm": (False, lambda model: to_deepnorm(model, scale_init=True)),  # DeepNorm 전체: 잔차 α배 + β배 초기화
    "post_rms": (False, use_rms_norm),
    "pre_rms": (True, use_rms_norm),
}


def build_post_ln(seed: int = 0, n_layers: int = N_LAYERS, d_model: int = D_MODEL) -> Encoder:
    """layer_norm과 같은 시드·같은 Xavier 초기화의 Post-LN 모델: 모든 구조가 이 가중치에서 출발한다."""
    torch.manual_seed(seed)
    return build_encoder(False, "xavier", n_layers=n_layers, d_model=d_model)


def make_variant(post_ln: Encoder, name: str) -> Encoder:
    """post_ln(Post-LN 모델)과 가중치를 함께 쓰는 VARIANTS의 구조 name을 만들어 돌려준다(post_ln은 그대로 둔다)."""
    pre_ln, change = VARIANTS[name]
    # 모듈 구조만 복사하고 가중치는 post_ln의 것을 함께 쓴다: memo에 넣어 둔 파라미터는 deepcopy가 새로 만들지 않는다.
    # 구조를 바꾸는 함수들은 가중치를 제자리에서 고치지 않으므로 post_ln은 바뀌지 않는다.
    model = place_norms(copy.deepcopy(post_ln, memo={id(p): p for p in post_ln.parameters()}), pre_ln)
    if change is not None:
        change(model)
    return model


def build_variant(name: str, seed: int = 0, n_layers: int = N_LAYERS, d_model: int = D_MODEL) -> Encoder:
    """VARIANTS의 구조를 만든다: layer_norm과 같은 시드·같은 Xavier 초기화로 만든 모델에서 구조만 바꾼다."""
    return make_variant(build_post_ln(seed, n_layers, d_model), name)


def mean_grad_norms(names, seeds=SEEDS, **sizes) -> dict[str, list[float]]:
    """구조마다 층별 linear2 기울기 노름의 시드 평균: {이름: [1번째 층, ..., 마지막 층]}.
    시드마다 모델을 한 번 만들고, 그 복사본의 구조를 바꿔 가며 잰다."""
    runs = {name: [] for name in names}
    for seed in seeds:
        post_ln = build_post_ln(seed, **sizes)
        for name in names:
            runs[name].append(linear2_grad_norms(make_variant(post_ln, name), seed))
    return {name: torch.tensor(values).mean(dim=0).tolist() for name, values in runs.items()}


def spread(norms: list[float]) -> float:
    """층별 값의 최대/최소 비: 1이면 모든 층이 같다."""
    return max(norms) / min(norms)


def max_relative_difference(a: list[float], b: list[float]) -> float:
    """층마다 |a/b − 1|의 최댓값: 두 곡선이 가장 많이 벌어진 층의 상대 차이."""
    return max(abs(x / y - 1) for x, y in zip(a, b))


def norm_input_mean_ratio(seed: int = 0, **sizes) -> float:
    """Post-LN 모델(초기화 직후)의 정규화 층에 들어가는 토큰 벡터마다 |성분 평균| / RMS를 재서 평균한다.
    RMSNorm은 LN과 이 평균만큼 다르다: 0이면 두 정규화는 같은 값을 낸다."""
    model = build_post_ln(seed, **sizes)
    ratios = []

    def record(module, inputs):
        x = inputs[0]
        ratios.append((x.mean(dim=-1).abs() / x.pow(2).mean(dim=-1).sqrt()).mean().item())

    for layer in model.layers:
        layer.norm1.register_forward_pre_hook(record)
        layer.norm2.register_forward_pre_hook(record)
    generator = torch.Generator().manual_seed(10_000 + seed)
    with torch.no_grad():
        model(torch.randint(model.output.out_features, (BATCH, SEQ_LEN), generator=generator))
    return sum(ratios) / len(ratios)


# %%
if __name__ == "__main__":
    norms = mean_grad_norms(VARIANTS)
    alpha, beta = deepnorm_constants(N_LAYERS)
    for name, values in norms.items():
        print(f"{name:<15} 1번째 층 {values[0]:.3f}, 마지막 층 {values[-1]:.3f}, 최대/최소 {spread(values):.2f}")
    # 페이지와 아래 설명이 인용하는 값
    publish("lnv_alpha", alpha)
    publish("lnv_beta", beta)
    publish("lnv_post_last", norms["post"][-1])
    publish("lnv_post_spread", spread(norms["post"]))
    publish("lnv_alpha_first", norms["deepnorm_alpha"][0])
    publish("lnv_alpha_last", norms["deepnorm_alpha"][-1])
    publish("lnv_alpha_spread", spread(norms["deepnorm_alpha"]))
    publish("lnv_post_over_alpha", norms["post"][-1] / norms["deepnorm_alpha"][-1])
    publish("lnv_deepnorm_last", norms["deepnorm"][-1])
    publish("lnv_deepnorm_spread", spread(norms["deepnorm"]))
    publish("lnv_beta_effect", norms["deepnorm"][-1] / norms["deepnorm_alpha"][-1])
    publish("lnv_rms_post_last", norms["post_rms"][-1])
    publish("lnv_rms_pre_last", norms["pre_rms"][-1])
    publish("lnv_rms_ratio_last", norms["post_rms"][-1] / norms["pre_rms"][-1])
    publish("lnv_ln_ratio_last", norms["post"][-1] / norms["pre"][-1])
    publish("lnv_rms_max_difference", max(max_relative_difference(norms[f"{arch}_rms"], norms[arch]) for arch in ("post", "pre")))
    publish("lnv_mean_ratio", norm_input_mean_ratio())

# %% [markdown]
# **DeepNorm.** Post-LN은 위층으로 갈수록 커져 층별 최대/최소 비가 {{ lnv_post_spread:.2f }}(이)다. 잔차에 α
# ({{ lnv_alpha:.2f }})를 곱하면 1번째 층 {{ lnv_alpha_first:.2f }}에서 12번째 층 {{ lnv_alpha_last:.2f }}까지 오히려 조금 줄고,
# 최대/최소 비는 {{ lnv_alpha_spread:.2f }}(이)다. 마지막 층의 기울기는 Post-LN의 {{ lnv_post_over_alpha:.1f }}분의 1로,
# α보다 조금 작은 값이다. 이 노트북은 이렇게 읽는다: 앞 층의 LN을 지난 잔차 $x_l$은 크기가 1 안팎이고 초기화 직후의
# $F(x_l)$은 그보다 작아서, α를 곱하면 LN에 들어가는 합이 α배 가까이 커지고 LN이 기울기를 α분의 1 가까이 줄인다. 합에서
# 잔차의 몫이 커지므로 층을 내려갈 때 기울기가 덜 준다. 층을 6개로 줄여 α가 작아지면 이 비도 작아진다(아래 연습 문제 5).
#
# β배 초기화까지 하면 마지막 층이 {{ lnv_deepnorm_last:.2f }}(으)로, α만 쓸 때의 {{ lnv_beta_effect:.2f }}배다
# (β = {{ lnv_beta:.2f }}). $W_2$의 기울기는 그 입력 $\mathrm{ReLU}(W_1 x)$에 비례하는데 $W_1$이 β배이기 때문이다. 층별
# 최대/최소 비는 {{ lnv_deepnorm_spread:.2f }}(이)다. 기울기가 작다는 것이 곧 좋다는 뜻은 아니다. DeepNet 논문의 논리는
# 기울기의 크기가 아니라, 학습 초기에 한 번의 업데이트로 모델 출력이 바뀌는 크기(model update)를 층 수와 상관없이 묶어
# 두는 것이다(§4).
#
# **RMSNorm.** LN을 RMSNorm으로 바꿔도 층별 기울기의 상대 차이가 Post-LN과 Pre-LN 모두
# {{ lnv_rms_max_difference:.1% }} 이하다. 마지막 층은 Post-LN {{ lnv_rms_post_last:.2f }}, Pre-LN {{ lnv_rms_pre_last:.2f }}(으)로
# 비가 {{ lnv_rms_ratio_last:.1f }}배다(LN에서는 {{ lnv_ln_ratio_last:.1f }}배). 초기화 직후 정규화 층에 들어가는 토큰 벡터의
# 성분 평균이 RMS의 {{ lnv_mean_ratio:.1% }} 정도로 작아서, 평균을 빼든 안 빼든 결과가 거의 같다. 폭을 줄인 대조(아래 연습
# 문제 6)에서는 평균이 커지고 차이도 벌어진다.

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt

    def draw_variants(narrow=False):
        """층별 기울기 노름: DeepNorm(첫 번째 패널)과 RMSNorm(두 번째 패널), 기준선 Post-LN과 Pre-LN (y축 공유)."""
        layers = list(range(1, N_LAYERS + 1))
        fig, axes = plt.subplots(*((2, 1) if narrow else (1, 2)), figsize=(4.6, 8.0) if narrow else (9.0, 4.8),
                                 sharey=True, layout="constrained")
        for ax in axes:
            ax.plot(layers, norms["post"], "o-", color="C0", label="Post-LN (LN)")
            ax.plot(layers, norms["pre"], "s-", color="C1", label="Pre-LN (LN)")
        axes[0].plot(layers, norms["deepnorm_alpha"], "^-", color="C2",
                     label=f"DeepNorm: 잔차 ×α (α\N{NO-BREAK SPACE}=\N{NO-BREAK SPACE}{alpha:.2f})")
        axes[0].plot(layers, norms["deepnorm"], "v-", color="C3",
                     label=f"DeepNorm: ×α, 초기화 ×β (β\N{NO-BREAK SPACE}=\N{NO-BREAK SPACE}{beta:.2f})")
        # RMSNorm은 같은 색의 점선과 속이 빈 큰 표식: LN의 곡선과 겹치는 것이 보이도록
        axes[1].plot(layers, norms["post_rms"], "o--", color="C0", markerfacecolor="none", markersize=10, label="Post-LN (RMSNorm)")
        axes[1].plot(layers, norms["pre_rms"], "s--", color="C1", markerfacecolor="none", markersize=10, label="Pre-LN (RMSNorm)")
        axes[0].set_title("Post-LN을 고친 DeepNorm")
        axes[1].set_title("LN 대신 RMSNorm")
        for ax in axes:
            ax.set_xlabel(f"층 번호 (1 = 입력 쪽, {N_LAYERS} = 출력 쪽)")
            ax.set_xticks(layers)
        for ax in axes if narrow else axes[:1]:
            ax.set_ylabel(r"$\Vert \partial \mathcal{L} / \partial W_2 \Vert_F$ (시드 3개 평균)")
        axes[0].set_ylim(bottom=0)
        legend_below(fig, ncols=1 if narrow else 2)  # 두 패널이 함께 쓰는 범례, 축 밖 아래: 곡선을 가리지 않는다
        return fig

    save_figure(
        "lnv-grad-norms",
        draw_variants,
        narrow=True,
        alt=(
            "초기화 직후 12층 인코더의 층별 FFN 두 번째 가중치 기울기 노름, 시드 3개 평균. 첫 번째 패널: Post-LN은 위층으로 "
            "갈수록 커져 마지막 층에서 {{ lnv_post_last:.2f }}, 잔차를 α배 한 DeepNorm은 {{ lnv_alpha_first:.2f }}에서 "
            "{{ lnv_alpha_last:.2f }}까지 조금 줄고, β배 초기화까지 한 DeepNorm은 모든 층에서 {{ lnv_deepnorm_last:.2f }} 안팎이다. "
            "두 번째 패널: LN을 RMSNorm으로 바꾼 곡선이 Post-LN과 Pre-LN 모두 LN의 곡선과 거의 겹친다(마지막 층 Post-LN "
            "{{ lnv_rms_post_last:.2f }}, Pre-LN {{ lnv_rms_pre_last:.2f }})"
        ),
    )

# %% [markdown]
# ## 연습 문제의 답
#
# 페이지의 연습 문제는 `N_LAYERS`를 12에서 6으로, `D_MODEL`을 512에서 64로 바꿔 다시 돌려 보라고 한다. 빌드는 두 변형을
# 이미 돌려 둔다.
#
# - **`N_LAYERS` = 6**: α가 {{ lnv_n_layers_6_alpha:.2f }}(으)로 작아지고, 마지막 층에서 Post-LN과 DeepNorm(α)의 비가
#   {{ lnv_n_layers_6_post_over_alpha:.1f }}배로 12층의 {{ lnv_post_over_alpha:.1f }}배보다 작다. 이번에도 α보다 조금 작은 값이다.
# - **`D_MODEL` = 64**: 토큰 벡터의 성분 평균이 RMS의 {{ lnv_d_model_64_mean_ratio:.1% }}(으)로 커지고, LN과 RMSNorm의 층별
#   최대 상대 차이도 {{ lnv_d_model_64_rms_max_difference:.1% }}(으)로 벌어진다.

# %%
if __name__ == "__main__":
    # 연습 문제 5: N_LAYERS = 6
    shallow = mean_grad_norms(("post", "deepnorm_alpha"), n_layers=EXERCISE_LAYERS)
    prefix = f"lnv_n_layers_{EXERCISE_LAYERS}"
    publish(f"{prefix}_alpha", deepnorm_constants(EXERCISE_LAYERS)[0])
    publish(f"{prefix}_post_last", shallow["post"][-1])
    publish(f"{prefix}_alpha_last", shallow["deepnorm_alpha"][-1])
    publish(f"{prefix}_post_over_alpha", shallow["post"][-1] / shallow["deepnorm_alpha"][-1])
    # 연습 문제 6: D_MODEL = 64
    narrow_model = mean_grad_norms(("post", "pre", "post_rms", "pre_rms"), d_model=EXERCISE_D_MODEL)
    prefix = f"lnv_d_model_{EXERCISE_D_MODEL}"
    publish(f"{prefix}_rms_max_difference",
            max(max_relative_difference(narrow_model[f"{arch}_rms"], narrow_model[arch]) for arch in ("post", "pre")))
    publish(f"{prefix}_mean_ratio", norm_input_mean_ratio(d_model=EXERCISE_D_MODEL))
    publish(f"{prefix}_post_last", narrow_model["post"][-1])
    publish(f"{prefix}_rms_post_last", narrow_model["post_rms"][-1])
