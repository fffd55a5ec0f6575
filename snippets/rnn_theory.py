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
# # RNN 기울기의 이론: 상계, 직교 초기화, 상수 오차 회전목마
#
# `gradient_vanishing` 노트북은 tanh RNN에서 마지막 출력 $h_T$의 기울기가 거리 $T - t$에 따라 지수적으로 줄어드는 것을
# 쟀다. 이 노트북은 같은 RNN(같은 크기, 같은 시드, `nn.RNNCell`의 기본 초기화)을 가져와 고전 이론과 맞춰 본다.
#
# 1. Pascanu et al. (2013, "On the difficulty of training recurrent neural networks") §2.1의 상계
#    $\lVert \prod \mathrm{diag}(f') W \rVert \le (\gamma\,\sigma_{\max})^k$를 이 RNN에서 계산하고, 측정한 기울기가 모든 거리에서
#    그 아래에 있는지 본다.
# 2. 순환 가중치 $W_h$만 직교 행렬로 바꾼 RNN(직교 초기화)으로 같은 거리 실험을 하고 기본 초기화와 비교한다.
# 3. LSTM의 바탕인 상수 오차 회전목마(constant error carousel, CEC; Hochreiter & Schmidhuber 1997 §3.2)에서는 이 곱이 정확히
#    1이라 기울기가 거리와 상관없이 그대로 전달되는 것을 같은 방법으로 잰다.

# %%
import torch
from torch import nn

# 저장소 폴더에서 `python -m snippets.rnn_theory`로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)
from snippets.gradient_vanishing import SEED, SEQ_LEN, TanhRNN, build, jacobian_norms, random_inputs, step_factor

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다. RNN의 크기(`SEQ_LEN`, `D_MODEL`)와 시드는
# `gradient_vanishing` 노트북의 것을 그대로 쓴다.

# %%
ORTHOGONAL_GAIN = 1  # 직교 초기화의 배율 g: W_h = g·Q (Q는 직교 행렬). 1이면 W_h의 특잇값이 모두 1이다
INPUT_SCALE = 1  # 입력 x_t의 배율: 성분이 N(0, INPUT_SCALE²)
EXERCISE_GAIN = 2  # 연습 문제 1("ORTHOGONAL_GAIN을 2로 바꾸면?")의 답: 빌드가 이 배율로도 한 번 잰다
EXERCISE_INPUT_SCALE = 3  # 연습 문제 2("INPUT_SCALE을 3으로 바꾸면?")의 답: 빌드가 이 배율로도 한 번 잰다

# %% [markdown]
# ## 1. 상계
#
# $h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$에서 연쇄 법칙으로
#
# $$\frac{\partial h_T}{\partial x_t} = \Big(\prod_{s=t+1}^{T} \mathrm{diag}(f'_s)\, W_h^\top\Big)\, \mathrm{diag}(f'_t)\, W_x^\top,
#   \qquad f'_s = 1 - h_s^2$$
#
# 이다. 곱의 노름은 노름의 곱보다 크지 않고, $\lVert \mathrm{diag}(f'_s) \rVert \le \gamma$(tanh는 $\gamma = 1$, sigmoid는
# $\gamma = 1/4$), $\lVert W_h^\top \rVert_2 = \sigma_{\max}(W_h)$(최대 특잇값)이므로 거리 $k = T - t$에서
#
# $$g_k = \left\lVert \frac{\partial h_T}{\partial x_{T-k}} \right\rVert_F \le (\gamma\,\sigma_{\max})^k \cdot \gamma\,\lVert W_x \rVert_F$$
#
# 이다. Pascanu et al. §2.1은 이 부등식으로 $\sigma_{\max} < 1/\gamma$이면 기울기가 반드시 지수적으로 사라진다는
# **충분조건**을 보이고, 뒤집어서 $\sigma_{\max} > 1/\gamma$가 폭주의 **필요조건**이라고 말한다. 조건이 거꾸로 읽히지 않는다는
# 점이 중요하다: $\sigma_{\max} > 1/\gamma$라고 폭주하는 것도, $\sigma_{\max} \ge 1/\gamma$라고 사라지지 않는 것도 아니다.

# %%
GAMMA = 1.0  # tanh의 미분의 최댓값: tanh'(0) = 1


def largest_singular_value(weight: torch.Tensor) -> float:
    """최대 특잇값 σ_max = 행렬이 벡터의 노름을 가장 크게 늘리는 비율(스펙트럼 노름)."""
    return torch.linalg.matrix_norm(weight.detach(), ord=2).item()


def spectral_radius(weight: torch.Tensor) -> float:
    """스펙트럼 반지름 ρ = 고윳값 절댓값의 최댓값. 같은 행렬을 k번 곱한 W^k의 노름은 k가 크면 ρ^k처럼 자란다."""
    return torch.linalg.eigvals(weight.detach()).abs().max().item()


def pascanu_bound(model: TanhRNN, length: int = SEQ_LEN) -> torch.Tensor:
    """거리 k = 0, 1, ..., length-1에서의 상계 (γ σ_max(W_h))^k · γ ‖W_x‖_F."""
    sigma = largest_singular_value(model.cell.weight_hh)
    input_norm = model.cell.weight_ih.detach().norm()
    distances = torch.arange(length, dtype=input_norm.dtype)
    return (GAMMA * sigma) ** distances * GAMMA * input_norm


# %% [markdown]
# ## 2. 직교 초기화
#
# 직교 행렬 $Q$($Q^\top Q = I$)는 벡터의 노름을 바꾸지 않는다: 특잇값과 고윳값의 절댓값이 모두 1이다. `nn.init.orthogonal_`은
# 무작위 직교 행렬에 배율 $g$를 곱해 $W_h = gQ$로 둔다(Saxe et al. 2014가 깊은 선형망에 제안한 초기화). 여기서는 **$W_h$만**
# 바꾸고 $W_x$와 편향은 기본 초기화 그대로 둔다. 그래서 두 RNN의 상계는 $\sigma_{\max}$만 다르다.

# %%
def rnn(init: str = "default", gain: float = ORTHOGONAL_GAIN, seed: int = SEED) -> TanhRNN:
    """gradient_vanishing의 tanh RNN(같은 시드). init="orthogonal"이면 W_h만 gain·(무작위 직교 행렬)로 바꾼다."""
    model = build("rnn", residual=False, seed=seed)
    if init == "orthogonal":
        with torch.no_grad():
            nn.init.orthogonal_(model.cell.weight_hh, gain=gain, generator=torch.Generator().manual_seed(seed))
    elif init != "default":
        raise ValueError(f"unknown init {init!r}")
    return model


def distance_curve(model: nn.Module, input_scale: float = INPUT_SCALE, seed: int = SEED) -> torch.Tensor:
    """g_k = ‖∂y_T/∂x_(T-k)‖_F를 거리 k = 0, 1, ..., T-1 순서로 (gradient_vanishing과 같은 입력에 배율만 곱해서)."""
    return jacobian_norms(model, random_inputs(seed) * input_scale).flip(0)


def mean_slope(model: TanhRNN, input_scale: float = INPUT_SCALE, seed: int = SEED) -> float:
    """순전파 동안 tanh의 미분 f' = 1 − h²의 평균 (모든 시점과 성분). 1이면 포화가 없고, 작을수록 포화가 심하다."""
    h = torch.zeros(model.cell.hidden_size, dtype=model.cell.weight_hh.dtype)
    slopes = []
    with torch.no_grad():
        for x_t in random_inputs(seed) * input_scale:
            h = model.cell(x_t, h)
            slopes.append(1 - h**2)
    return torch.stack(slopes).mean().item()


def ratio(curve: torch.Tensor, distance: int = SEQ_LEN - 1) -> float:
    """거리 distance의 기울기가 거리 0의 몇 배인가."""
    return (curve[distance] / curve[0]).item()


# %% [markdown]
# ## 3. 상수 오차 회전목마 (CEC)
#
# Hochreiter & Schmidhuber (1997) §3.2는 오차가 줄지도 늘지도 않으려면 한 유닛 $j$가 자기 자신에게 돌아가는 연결에서
# $f'_j \cdot w_{jj} = 1$이어야 한다고 보고, 가장 단순한 해로 항등 활성화($f_j(x) = x$)와 자기 연결 가중치 $w_{jj} = 1$을 든다.
# 이것이 상수 오차 회전목마(CEC)이고, LSTM의 기억 셀은 이 CEC에 입력·출력 게이트를 단 것이다(§4).
# 여기서는 같은 $W_x$를 쓰는 가장 단순한 CEC $c_t = c_{t-1} + x_t W_x$를 만든다. 곱해지는 야코비안이 모두 $I$이므로
# $\partial c_T / \partial x_t = W_x^\top$이고, $g_k = \lVert W_x \rVert_F$가 모든 거리에서 같아야 한다.

# %%
class ConstantErrorCarousel(nn.Module):
    """Hochreiter & Schmidhuber (1997) §3.2의 단순한 CEC: 항등 활성화, 자기 연결 가중치 1. c_t = c_(t-1) + x_t W_x."""

    def __init__(self, input_weight: torch.Tensor):
        super().__init__()
        self.input_weight = input_weight.detach().clone()  # RNN의 W_x (nn.RNNCell의 weight_ih)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (T, d) → c_T: (d)."""
        c = torch.zeros(self.input_weight.shape[0], dtype=x.dtype)
        for x_t in x:
            c = c + x_t @ self.input_weight.T
        return c


# %%
if __name__ == "__main__":
    torch.set_num_threads(1)  # 스레드 수와 상관없이 같은 값이 나오게 (작은 RNN이라 느려지지 않는다)
    default, orthogonal = rnn("default"), rnn("orthogonal")
    curves = {"default": distance_curve(default), "orthogonal": distance_curve(orthogonal)}
    bounds = {"default": pascanu_bound(default), "orthogonal": pascanu_bound(orthogonal)}
    cec = distance_curve(ConstantErrorCarousel(default.cell.weight_ih))
    for name, model in (("기본 초기화", default), ("직교 초기화", orthogonal)):
        key = "default" if model is default else "orthogonal"
        g, b = curves[key], bounds[key]
        print(f"{name}: σ_max {largest_singular_value(model.cell.weight_hh):.3f}, "
              f"ρ {spectral_radius(model.cell.weight_hh):.3f}, 한 단계 {step_factor(g):.3f}, "
              f"거리 99 측정 {g[-1]:.2e} / 상계 {b[-1]:.2e}, 상계를 지킴: {bool((g <= b).all())}")
    print(f"CEC: 거리 0 {cec[0]:.4f}, 거리 99 {cec[-1]:.4f}, ‖W_x‖_F {default.cell.weight_ih.norm():.4f}")
    # 페이지와 아래 설명이 인용하는 값
    publish("rnn_input_weight_norm", default.cell.weight_ih.norm())
    publish("rnn_default_sigma_max", largest_singular_value(default.cell.weight_hh))
    publish("rnn_default_spectral_radius", spectral_radius(default.cell.weight_hh))
    publish("rnn_default_bound_99", bounds["default"][-1])
    publish("rnn_default_99", curves["default"][-1])
    publish("rnn_default_step_factor", step_factor(curves["default"]))
    publish("rnn_default_ratio_99", ratio(curves["default"]))
    publish("rnn_default_mean_slope", mean_slope(default))
    publish("rnn_orthogonal_sigma_max", largest_singular_value(orthogonal.cell.weight_hh))
    publish("rnn_orthogonal_step_factor", step_factor(curves["orthogonal"]))
    publish("rnn_orthogonal_99", curves["orthogonal"][-1])
    publish("rnn_orthogonal_ratio_99", ratio(curves["orthogonal"]))
    publish("rnn_orthogonal_mean_slope", mean_slope(orthogonal))
    publish("rnn_cec_min", cec.min())
    publish("rnn_cec_max", cec.max())

# %% [markdown]
# **기본 초기화.** $W_h$의 최대 특잇값이 $\sigma_{\max}$ = {{ rnn_default_sigma_max:.2f }}(으)로 1보다 크다. 그래서 상계
# $(\gamma\sigma_{\max})^k \gamma \lVert W_x \rVert_F$는 거리에 따라 **커지고**(거리 99에서 {{ rnn_default_bound_99:.1e }}),
# 측정한 기울기(거리 99에서 {{ rnn_default_99:.1e }})는 모든 거리에서 그 아래에 있다. 상계는 지켜지지만, 이 RNN에서는
# 소실에 대해 아무것도 말해 주지 않는다: Pascanu et al.의 충분조건 $\sigma_{\max} < 1/\gamma$가 성립하지 않는데도 기울기는
# 사라진다. 한 단계 비율({{ rnn_default_step_factor:.2f }})은 $\sigma_{\max}$보다 한참 작고, 스펙트럼 반지름
# $\rho(W_h)$ = {{ rnn_default_spectral_radius:.2f }}보다도 작다. 같은 $W_h$를 거듭 곱하면 노름은 $\sigma_{\max}^k$가 아니라
# $\rho^k$처럼 자라고, 그 사이사이에 1보다 작은 tanh의 미분(순전파 동안 평균 {{ rnn_default_mean_slope:.2f }})이 곱해지기
# 때문이라고 이 노트북은 읽는다.
#
# **직교 초기화.** $W_h$만 직교 행렬로 바꾸면 $\sigma_{\max}$ = {{ rnn_orthogonal_sigma_max:.2f }}(이)고 상계는 거리와 상관없이
# $\gamma \lVert W_x \rVert_F$ = {{ rnn_input_weight_norm:.2f }}(으)로 그대로다. 측정한 기울기는 여전히 줄지만 훨씬 느리다:
# 한 단계에 평균 {{ rnn_orthogonal_step_factor:.2f }}배(기본 초기화는 {{ rnn_default_step_factor:.2f }}배), 거리 99에서 거리 0의
# {{ rnn_orthogonal_ratio_99:.1e }}배(기본 초기화는 {{ rnn_default_ratio_99:.1e }}배)다. $W_h$는 노름을 바꾸지 않으므로 남은
# 감소는 tanh의 미분(평균 {{ rnn_orthogonal_mean_slope:.2f }})에서 온다. 직교 초기화는 소실을 없애지 않고 늦춘다.
#
# **CEC.** 곱해지는 야코비안이 모두 $I$인 CEC에서는 기울기가 모든 거리에서 {{ rnn_cec_min:.4f }}~{{ rnn_cec_max:.4f }}(으)로,
# $\lVert W_x \rVert_F$ 그대로다. 직교 초기화의 상계가 CEC에서는 실제 값이 된다.

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt

    def draw_bound():
        """거리에 따른 기울기 노름과 Pascanu et al.의 상계 (로그 y축): 기본 초기화와 직교 초기화."""
        distances = range(SEQ_LEN)
        fig, ax = plt.subplots(figsize=(7.0, 5.2), layout="constrained")
        ax.plot(distances, bounds["default"], ":", color="C0", linewidth=2,
                label=r"기본 초기화의 상계 $(\gamma\sigma_{\max})^k \gamma \Vert W_x \Vert_F$")
        ax.plot(distances, curves["default"], "-", color="C0", label="기본 초기화: 측정")
        ax.plot(distances, bounds["orthogonal"], ":", color="C1", linewidth=2,
                label=r"직교 초기화의 상계 = CEC의 측정 ($\Vert W_x \Vert_F$, 평평)")
        ax.plot(distances, curves["orthogonal"], "-", color="C1", label="직교 초기화: 측정")
        ax.set_yscale("log")
        ax.set_xlabel(r"거리 $k = T - t$ (0 = 마지막 위치 자신)")
        ax.set_ylabel(r"$\Vert \partial h_T / \partial x_{T-k} \Vert_F$")
        ax.set_title(f"tanh RNN의 기울기와 상계 (T\N{NO-BREAK SPACE}=\N{NO-BREAK SPACE}{SEQ_LEN})")
        legend_below(fig)  # 축 밖 아래: 곡선을 가리지 않는다
        return fig

    save_figure(
        "rnn-bound",
        draw_bound,
        alt=(
            "거리 0부터 99까지 tanh RNN의 기울기 노름과 Pascanu et al.의 상계, 로그 축. 기본 초기화(최대 특잇값 "
            "{{ rnn_default_sigma_max:.2f }})의 상계는 거리에 따라 커져 거리 99에서 {{ rnn_default_bound_99:.1e }}이고, "
            "측정한 기울기는 직선으로 떨어져 {{ rnn_default_99:.1e }}이다. 직교 초기화의 상계는 {{ rnn_input_weight_norm:.2f }}에서 "
            "평평하고(CEC의 측정값과 같다), 측정한 기울기는 더 느리게 떨어져 거리 99에서 {{ rnn_orthogonal_99:.1e }}이다. "
            "두 측정 곡선 모두 모든 거리에서 자기 상계 아래에 있다"
        ),
    )

# %% [markdown]
# ## 연습 문제의 답
#
# 페이지의 연습 문제는 `ORTHOGONAL_GAIN`을 1에서 2로, `INPUT_SCALE`을 1에서 3으로 바꿔 다시 돌려 보라고 한다. 빌드는 두
# 변형을 이미 돌려 둔다.
#
# - **`ORTHOGONAL_GAIN` = 2**: $\sigma_{\max} = 2 > 1/\gamma$로 폭주의 필요조건이 성립하고, 이 RNN에서는 실제로 기울기가
#   거리에 따라 커진다: 한 단계에 평균 {{ rnn_orthogonal_gain_2_step_factor:.2f }}배, 거리 99에서 거리 0의
#   {{ rnn_orthogonal_gain_2_ratio_99:.1e }}배다. 상계는 거리 99에서 {{ rnn_orthogonal_gain_2_bound_99:.1e }}(으)로 여전히
#   측정값 위에 있다. tanh가 더 포화해 미분의 평균이 {{ rnn_orthogonal_gain_2_mean_slope:.2f }}(으)로 작아지지만, 2배의 늘림을
#   다 상쇄하지 못한다.
# - **`INPUT_SCALE` = 3**: 상계는 입력과 상관없으므로 그대로인데, 측정한 기울기는 더 빨리 줄어든다. 직교 초기화에서 한 단계
#   비율이 {{ rnn_orthogonal_step_factor:.2f }}에서 {{ rnn_input_scale_3_orthogonal_step_factor:.2f }}(으)로, 기본 초기화에서
#   {{ rnn_default_step_factor:.2f }}에서 {{ rnn_input_scale_3_default_step_factor:.2f }}(으)로 작아진다. 입력이 크면 tanh가
#   포화해 미분의 평균이 {{ rnn_orthogonal_mean_slope:.2f }}에서 {{ rnn_input_scale_3_orthogonal_mean_slope:.2f }}(으)로(직교
#   초기화) 작아지기 때문이다. 소실의 속도는 초기화만이 아니라 tanh가 얼마나 포화하는지에도 달려 있다.

# %%
if __name__ == "__main__":
    # 연습 문제 1: ORTHOGONAL_GAIN = 2
    loud = rnn("orthogonal", gain=EXERCISE_GAIN)
    loud_curve = distance_curve(loud)
    prefix = f"rnn_orthogonal_gain_{EXERCISE_GAIN}"
    publish(f"{prefix}_step_factor", step_factor(loud_curve))
    publish(f"{prefix}_ratio_99", ratio(loud_curve))
    publish(f"{prefix}_bound_99", pascanu_bound(loud)[-1])
    publish(f"{prefix}_mean_slope", mean_slope(loud))
    # 연습 문제 2: INPUT_SCALE = 3
    prefix = f"rnn_input_scale_{EXERCISE_INPUT_SCALE}"
    publish(f"{prefix}_orthogonal_step_factor", step_factor(distance_curve(orthogonal, EXERCISE_INPUT_SCALE)))
    publish(f"{prefix}_default_step_factor", step_factor(distance_curve(default, EXERCISE_INPUT_SCALE)))
    publish(f"{prefix}_orthogonal_mean_slope", mean_slope(orthogonal, EXERCISE_INPUT_SCALE))
