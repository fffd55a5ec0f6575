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
# # 먼 위치까지 기울기가 전달되는가: RNN과 self-attention
#
# 멘토 답변의 요지는 두 가지다.
#
# 1. RNN의 기울기 소실은 뒤쪽 위치에서 생긴 기울기가 앞쪽 위치로 **한 단계씩** 전달되며 작아지는 문제다.
#    Transformer는 전체 sequence를 한 번에 보므로 이 문제가 생기지 않는다.
# 2. Skip-connection(잔차 연결)도 어느 정도 도움이 되지만 결정적인 이유는 아니다.
#
# 이 노트북은 마지막 위치의 출력 $y_T$가 위치 $t$의 입력 $x_t$에 얼마나 민감한지, 즉 야코비안
# $\partial y_T / \partial x_t$의 프로베니우스 노름을 거리 $T - t$에 따라 잰다. 역전파에서 $y_T$의 기울기가
# $x_t$까지 전달될 때 곱해지는 것이 바로 이 행렬이다.
#
# 확인하는 것:
#
# 1. tanh RNN에서는 노름이 거리에 따라 지수적으로 줄어든다. 거리 50에서 이미 거리 0의 {{ gv_rnn_ratio_50:.1e }}배다.
# 2. self-attention 층에서는 거리와 상관없이 모든 위치가 비슷한 크기로 연결된다(거리 1–99에서 최대와 최소의 비가
#    {{ gv_attention_spread:.1f }}배).
# 3. 잔차 연결은 self-attention의 **시퀀스 방향** 기울기를 바꾸지 않는다(자기 위치에만 항등 경로를 더한다).
#    대신 층을 **깊이 쌓는 방향**에서는 결정적이다: 잔차 없이 attention 층을 쌓으면 깊이에 따라 기울기가 사라진다.

# %%
import torch
from torch import nn

# 저장소 폴더에서 `python -m snippets.gradient_vanishing`으로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)

SEQ_LEN = 100  # T: 시퀀스 길이
D_MODEL = 64  # 입력과 은닉 상태의 차원
N_HEADS = 4  # self-attention의 head 수
DEPTH = 24  # 3번 실험에서 쌓는 attention 층의 수
SEED = 0

# 아주 작은 값(1e-30 근처)까지 0이 되지 않고 남도록 float64로 계산한다
DTYPE = torch.float64

# %% [markdown]
# ## 측정하는 양
#
# 함수 $f$가 입력 $x \in \mathbb{R}^{T \times d}$(위치 $T$개, 위치마다 $d$차원)에서 마지막 위치의 출력
# $y_T \in \mathbb{R}^d$를 낸다고 하자. 위치 $t$마다 $d \times d$ 야코비안 $\partial y_T / \partial x_t$가 있고,
# 그 크기를 프로베니우스 노름으로 잰다.
#
# $$g_t = \left\lVert \frac{\partial y_T}{\partial x_t} \right\rVert_F$$
#
# 야코비안 전체는 PyTorch의 `torch.autograd.functional.jacobian`이 계산한다.

# %%
def jacobian_norms(f, x: torch.Tensor) -> torch.Tensor:
    """f: (T, d) → (d)의 야코비안에서 위치마다의 프로베니우스 노름 (T,)을 돌려준다."""
    jacobian = torch.autograd.functional.jacobian(f, x, vectorize=True)  # (d, T, d)
    return jacobian.pow(2).sum(dim=(0, 2)).sqrt()


def random_inputs(seed: int = SEED) -> torch.Tensor:
    """성분이 i.i.d. N(0, 1)인 입력 (T, d)."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(SEQ_LEN, D_MODEL, generator=generator, dtype=DTYPE)


# %% [markdown]
# ## 1. tanh RNN
#
# $h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$를 $t = 1, \dots, T$ 차례로 계산하고 $y_T = h_T$로 둔다.
# 가중치는 `nn.RNN`의 기본 초기화를 그대로 쓴다.
#
# 연쇄 법칙으로 $\partial h_T / \partial x_t$에는 $\partial h_{s} / \partial h_{s-1} = \mathrm{diag}(1 - h_s^2)\,W_h^\top$가
# $T - t$번 곱해진다. 이 행렬의 크기가 1보다 작으면 거리에 따라 지수적으로 작아진다(Pascanu et al., 2013).
#
# `residual=True`는 시간 방향 잔차 연결 $h_t = h_{t-1} + \tanh(\cdots)$이다. 곱해지는 행렬이
# $I + \mathrm{diag}(1 - h_s^2)\,W_h^\top$로 바뀐다.

# %%
class TanhRNN(nn.Module):
    """한 시점씩 차례로 h_t = tanh(x_t W_x + h_(t-1) W_h + b)를 계산하는 RNN. 마지막 은닉 상태를 돌려준다."""

    def __init__(self, d_model: int = D_MODEL, residual: bool = False):
        super().__init__()
        self.cell = nn.RNNCell(d_model, d_model, nonlinearity="tanh")  # 가중치와 기본 초기화를 빌린다
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (T, d) → h_T: (d)."""
        h = torch.zeros(x.shape[-1], dtype=x.dtype)
        for x_t in x:  # t = 1, 2, ..., T: 앞 시점이 끝나야 다음 시점을 계산할 수 있다
            update = self.cell(x_t, h)
            h = h + update if self.residual else update
        return h


# %% [markdown]
# ## 2. self-attention 층
#
# `nn.MultiheadAttention`(head 4개, 기본 초기화)으로 모든 위치를 쿼리·키·값으로 쓰는 self-attention을 한 번
# 계산하고, 마지막 위치의 출력을 $y_T$로 둔다. 위치 $t$의 입력은 키 $k_t$와 값 $v_t$를 거쳐 **한 번의 가중합으로**
# $y_T$에 바로 닿는다. 거리가 멀다고 거쳐야 할 단계가 늘지 않는다.
#
# `residual=True`는 Transformer의 잔차 연결 $y_T = x_T + \mathrm{Attention}(x)_T$이다. 더해지는 $x_T$는
# 자기 위치 $T$에만 닿는다.

# %%
class SelfAttentionLayer(nn.Module):
    """self-attention 층 하나(잔차 연결은 선택). 마지막 위치의 출력을 돌려준다."""

    def __init__(self, d_model: int = D_MODEL, n_heads: int = N_HEADS, residual: bool = False):
        super().__init__()
        self.attention = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.residual = residual

    def mix(self, x: torch.Tensor) -> torch.Tensor:
        """x: (T, d) → 모든 위치의 출력 (T, d)."""
        batch = x.unsqueeze(0)  # (1, T, d)
        out, _ = self.attention(batch, batch, batch, need_weights=False)
        out = out.squeeze(0)
        return x + out if self.residual else out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (T, d) → y_T: (d)."""
        return self.mix(x)[-1]


# %% [markdown]
# ## 3. 거리에 따른 기울기
#
# 네 모델(RNN, 잔차 RNN, self-attention, 잔차 self-attention)에 같은 입력을 넣고 $g_t$를 잰다.
# 거리 $T - t$ 순서(0 = 마지막 위치 자신)로 돌려준다.

# %%
def build(kind: str, residual: bool, seed: int = SEED) -> nn.Module:
    """kind("rnn" 또는 "attention")의 모델을 시드 seed로 초기화해 float64로 만든다."""
    torch.manual_seed(seed)
    if kind == "rnn":
        model = TanhRNN(residual=residual)
    elif kind == "attention":
        model = SelfAttentionLayer(residual=residual)
    else:
        raise ValueError(f"unknown model kind {kind!r}")
    return model.to(DTYPE)


def norms_by_distance(kind: str, residual: bool = False, seed: int = SEED) -> torch.Tensor:
    """g_(T-k)를 k = 0, 1, ..., T-1 순서로 (거리 순서로) 돌려준다."""
    model = build(kind, residual, seed)
    norms = jacobian_norms(model, random_inputs(seed))  # 위치 1..T 순서
    return norms.flip(0)  # 거리 0..T-1 순서


def all_curves(seed: int = SEED) -> dict[str, torch.Tensor]:
    """네 모델의 거리별 기울기 노름."""
    return {
        f"{kind}{'+residual' if residual else ''}": norms_by_distance(kind, residual, seed)
        for kind in ("rnn", "attention")
        for residual in (False, True)
    }


# %%
if __name__ == "__main__":
    curves = all_curves()
    print(f"{'모델':<20} | {'거리 0':>9} | {'거리 10':>9} | {'거리 50':>9} | {'거리 99':>9}")
    for name, g in curves.items():
        print(f"{name:<20} | {g[0]:>9.2e} | {g[10]:>9.2e} | {g[50]:>9.2e} | {g[99]:>9.2e}")
    rnn, attention = curves["rnn"], curves["attention"]
    far = attention[1:]
    print(f"RNN: 거리 50 / 거리 0 = {rnn[50] / rnn[0]:.1e}")
    print(f"self-attention: 거리 1..99 중 최대 / 최소 = {far.max() / far.min():.2f}")
    # 페이지와 아래 설명이 인용하는 값
    publish("gv_rnn_ratio_50", rnn[50] / rnn[0])
    publish("gv_rnn_50", rnn[50])
    publish("gv_rnn_99", rnn[99])
    publish("gv_attention_min", far.min())
    publish("gv_attention_max", far.max())
    publish("gv_attention_spread", far.max() / far.min())
    residual_rnn = curves["rnn+residual"]
    publish("gv_residual_rnn_ratio_99", residual_rnn[99] / residual_rnn[0])

# %% [markdown]
# - **RNN**: 거리가 하나 늘 때마다 노름이 거의 일정한 비율로 줄어, 로그 축에서 직선으로 내려간다.
#   거리 50이면 거리 0의 {{ gv_rnn_ratio_50:.1e }}배다. 앞쪽 토큰은 마지막 출력의 기울기를 사실상 받지 못한다.
# - **self-attention**: 거리 1부터 99까지 노름이 {{ gv_attention_min:.3f }}(과)와 {{ gv_attention_max:.3f }} 사이에서 오르내릴 뿐 거리에 따라 줄지 않는다.
#   오르내림은 attention 가중치(softmax 확률)가 위치마다 다르기 때문이지 거리 때문이 아니다.
# - **잔차 self-attention**: 거리 1 이상은 잔차가 없을 때와 똑같다. 잔차 연결은 자기 위치(거리 0)에 항등 경로
#   $\partial x_T / \partial x_T = I$를 더할 뿐이다. Transformer의 skip-connection은 시퀀스 방향이 아니라
#   층을 쌓는 방향의 연결이다.
# - **잔차 RNN**: 시간 방향에 잔차를 달면 소실은 사라지지만, 이 초기화에서는 거꾸로 먼 위치일수록 기울기가
#   커진다(폭주: 거리 99에서 거리 0의 {{ gv_residual_rnn_ratio_99:.1e }}배). 곱해지는 행렬 $I + \mathrm{diag}(1 - h^2)W_h^\top$의 크기가 1보다 클 수 있기 때문이다.
#   이 비교는 멘토가 말한 것이 아니라 덧붙인 것이다. 멘토의 skip-connection은 Transformer의 잔차 연결이고,
#   그것은 아래 4절처럼 층을 쌓는 깊이 방향에 작용한다.

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt

    STYLES = {
        "rnn": ("tanh RNN", "C0", "-"),
        "rnn+residual": ("RNN + 시간 방향 잔차", "C0", ":"),
        "attention": ("self-attention", "C1", "-"),
        "attention+residual": ("self-attention + 잔차", "C2", "--"),
    }

    def draw_distance():
        """거리에 따른 ‖∂y_T/∂x_t‖ (로그 y축), 네 모델."""
        distances = range(SEQ_LEN)
        fig, ax = plt.subplots(figsize=(7.0, 4.6), layout="constrained")
        for name, (label, color, style) in STYLES.items():
            ax.plot(distances, curves[name], linestyle=style, color=color, label=label)
        ax.set_yscale("log")
        ax.set_xlabel(r"거리 $T - t$ (0 = 마지막 위치 자신)")
        ax.set_ylabel(r"$\Vert \partial y_T / \partial x_t \Vert_F$")
        ax.set_title(f"위치 t까지 전달되는 기울기 (T\N{NO-BREAK SPACE}=\N{NO-BREAK SPACE}{SEQ_LEN})")
        legend_below(fig, ncols=2)  # 축 밖 아래: 곡선을 가리지 않는다
        return fig

    save_figure(
        "gv-distance",
        draw_distance,
        alt=(
            "거리 0부터 99까지 마지막 출력에 대한 기울기 노름, 로그 축. tanh RNN은 직선으로 떨어져 거리 50에서 "
            "{{ gv_rnn_50:.1e }}, 거리 99에서 {{ gv_rnn_99:.1e }}이다. self-attention은 거리 1부터 99까지 "
            "{{ gv_attention_min:.3f }}(과)와 {{ gv_attention_max:.3f }} 사이에 머문다. 잔차 self-attention은 "
            "거리 0에서만 커지고 나머지는 잔차가 없을 때와 겹친다. 시간 방향 잔차를 단 RNN은 거리가 멀수록 커진다"
        ),
    )

# %% [markdown]
# ## 4. 깊이 방향: 잔차 연결이 결정적인 곳
#
# 이번에는 같은 모양의 self-attention 층을 $L$개 쌓고, $L$에 따라 입력 전체로 돌아오는 기울기의 크기를 잰다.
# 야코비안 전체 대신, 마지막 위치의 출력 $y_T^{(L)}$을 고정된 무작위 단위 벡터 $r$ 방향으로 본 스칼라
# $r \cdot y_T^{(L)}$의 기울기 노름 $\lVert \partial (r \cdot y_T^{(L)}) / \partial x \rVert$를 쓴다. 역전파 한 번이면
# 되고, 손실이 $y_T$를 통해 입력에 주는 기울기가 바로 이런 모양이다. 잔차가 없으면 층마다 값들이 가중평균으로 섞이며 작아지고
# 서로 비슷해진다(순전파에서 순수 attention의 출력은 깊이에 따라 rank 1로 무너진다: Dong et al., 2021). 잔차 연결
# $h_{l+1} = h_l + \mathrm{Attention}(h_l)$은 입력에서 출력까지 곧장 가는 항등 경로를 남긴다.

# %%
def depth_norms(residual: bool, depth: int = DEPTH, seed: int = SEED) -> list[float]:
    """attention 층을 1..depth개 쌓았을 때마다 입력 기울기의 노름 ‖∂(r·y_T)/∂x‖를 돌려준다."""
    torch.manual_seed(seed)
    layers = [SelfAttentionLayer(residual=residual).to(DTYPE) for _ in range(depth)]
    direction = torch.randn(D_MODEL, generator=torch.Generator().manual_seed(seed + 1), dtype=DTYPE)
    direction = direction / direction.norm()  # 고정된 단위 벡터 r
    x = random_inputs(seed).requires_grad_()
    norms, h = [], x
    for layer in layers:  # 한 번의 순전파로 깊이 1, 2, ..., depth의 출력을 차례로 얻는다
        h = layer.mix(h)
        (grad,) = torch.autograd.grad(h[-1] @ direction, x, retain_graph=True)
        norms.append(grad.norm().item())
    return norms


# %%
if __name__ == "__main__":
    deep = {residual: depth_norms(residual) for residual in (False, True)}
    for residual, norms in deep.items():
        label = "잔차 있음" if residual else "잔차 없음"
        print(f"{label}: 1층 {norms[0]:.2e}, 12층 {norms[11]:.2e}, {DEPTH}층 {norms[-1]:.2e}")
    plain, residual = deep[False], deep[True]
    publish("gv_depth_plain_first", plain[0])
    publish("gv_depth_plain_last", plain[-1])
    publish("gv_depth_plain_ratio", plain[-1] / plain[0])
    publish("gv_depth_residual_min", min(residual))
    publish("gv_depth_residual_max", max(residual))
    publish("gv_depth_residual_growth", residual[-1] / residual[0] - 1)

# %% [markdown]
# 잔차가 없으면 층이 쌓일수록 기울기가 지수적으로 줄어, 24층에서는 1층의 {{ gv_depth_plain_ratio:.1e }}배가 된다.
# 잔차가 있으면 깊이와 상관없이 거의 일정하다(24층까지 {{ gv_depth_residual_growth:.0% }} 커질 뿐이다).
# 시퀀스 방향의 소실은 attention의 직접 연결이 막고, 깊이 방향의 소실은 잔차 연결이 막는다. 그래서 "Transformer에서 gradient vanishing은 이슈가 아니다"는 시퀀스 방향에 대해서는 맞고, 깊이 방향에
# 대해서는 잔차 연결(그리고 LN의 위치, Post-LN과 warm-up 페이지 참고) 덕분이다.

# %%
if __name__ == "__main__":

    def draw_depth():
        """층 수에 따른 입력 기울기 노름 (로그 y축), 잔차 유무."""
        layers = range(1, DEPTH + 1)
        fig, ax = plt.subplots(figsize=(7.0, 4.6), layout="constrained")
        ax.plot(layers, deep[True], "s-", color="C2", label=r"잔차 있음: $h_{l+1} = h_l + \mathrm{Attn}(h_l)$")
        ax.plot(layers, deep[False], "o-", color="C1", label=r"잔차 없음: $h_{l+1} = \mathrm{Attn}(h_l)$")
        ax.set_yscale("log")
        ax.set_xlabel("쌓은 self-attention 층의 수 L")
        ax.set_ylabel(r"$\Vert \partial (r \cdot y_T^{(L)}) / \partial x \Vert$")
        ax.set_title("깊이에 따른 입력 기울기의 크기")
        legend_below(fig)  # 축 밖 아래: 곡선을 가리지 않는다
        return fig

    save_figure(
        "gv-depth",
        draw_depth,
        alt=(
            f"self-attention 층을 1개부터 {DEPTH}개까지 쌓았을 때 입력에 대한 기울기 노름, 로그 축. 잔차가 없으면 "
            "1층 {{ gv_depth_plain_first:.2f }}에서 " f"{DEPTH}층 " "{{ gv_depth_plain_last:.0e }}까지 직선으로 줄어들고, "
            "잔차가 있으면 {{ gv_depth_residual_min:.2f }}~{{ gv_depth_residual_max:.2f }} 사이에서 거의 일정하다"
        ),
    )
