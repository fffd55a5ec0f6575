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
# 1. tanh RNN에서는 노름이 거리에 따라 지수적으로 줄어든다. `nn.RNNCell`의 기본 초기화(U(±1/√d))에서는 한 단계에
#    평균 {{ gv_rnn_step_factor:.2f }}배씩 줄어, 거리 50에서 이미 거리 0의 {{ gv_rnn_ratio_50:.1e }}배다.
# 2. self-attention 층에서는 거리와 상관없이 모든 위치가 비슷한 크기로 연결된다(거리 1~99에서 최대와 최소의 비가
#    {{ gv_attention_spread:.1f }}배).
# 3. 잔차 연결은 self-attention의 **시퀀스 방향** 기울기를 바꾸지 않는다(자기 위치에만 항등 경로를 더한다).
#    층을 **깊이 쌓는 방향**에서는 다르다: PyTorch의 기본 초기화로 잔차 없이 attention 층을 쌓으면 기울기가 층마다
#    값 투영 $W_V$와 출력 투영 $W_O$의 초기 크기만큼 줄어 깊이에 따라 사라진다. $W_V$와 $W_O$만 직교 행렬로 바꾼
#    대조군에서는 2층부터 평평하다. 잔차 연결은 초기화와 상관없이 항등 경로를 남긴다.

# %%
import torch
from torch import nn

# 저장소 폴더에서 `python -m snippets.gradient_vanishing`으로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)
from snippets.layer_norm import single_thread

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다.

# %%
SEQ_LEN = 100  # T: 시퀀스 길이
D_MODEL = 64  # 입력과 은닉 상태의 차원
N_HEADS = 4  # self-attention의 head 수
DEPTH = 24  # 4절에서 쌓는 attention 층의 수
EXERCISE_DEPTH = 48  # 연습 문제 1("DEPTH를 48로 바꾸면?")의 답: 잔차 있는 쌓기만 이 깊이로 한 번 더 돌린다
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
# 가중치는 `nn.RNNCell`의 기본 초기화를 그대로 쓴다: 모든 성분이 균등 분포 U(±1/√d)이고, 분산은 $1/(3d)$이다.
#
# 연쇄 법칙으로 $\partial h_T / \partial x_t$에는 $\partial h_{s} / \partial h_{s-1} = \mathrm{diag}(1 - h_s^2)\,W_h^\top$가
# $T - t$번 곱해진다. 이 행렬의 크기가 1보다 작으면 거리에 따라 지수적으로 작아진다(Pascanu et al., 2013).
# 그 크기는 초기화에 달려 있다. 무작위 행렬 $W_h$가 벡터의 노름을 바꾸는 비율은 대략 $\sqrt{\mathrm{Var}(W_h)\,d}$이고,
# 기본 초기화에서는 $\sqrt{1/3}$이다. 여기에 tanh의 미분 $1 - h_s^2 \le 1$이 곱해진다.
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


# %%
def weight_gain(weight: torch.Tensor) -> float:
    """d×d 무작위 행렬이 벡터의 노름을 바꾸는 대략의 비율 √(Var(W)·d). 평균이 0인 초기화라 분산 = 제곱 평균."""
    return (weight.pow(2).mean() * weight.shape[-1]).sqrt().item()


def recurrent_weight_gain(model: TanhRNN) -> float:
    """RNN의 은닉 상태 가중치 W_h의 초기 크기 √(Var(W_h)·d)."""
    return weight_gain(model.cell.weight_hh)


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
def step_factor(curve: torch.Tensor, distance: int = 50) -> float:
    """거리 0부터 distance까지 한 단계에 평균 몇 배씩 줄었는가: (g_distance / g_0)^(1/distance)."""
    return (curve[distance] / curve[0]).pow(1 / distance).item()


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
    publish("gv_rnn_step_factor", step_factor(rnn))
    publish("gv_rnn_weight_gain", recurrent_weight_gain(build("rnn", residual=False)))
    publish("gv_rnn_50", rnn[50])
    publish("gv_rnn_99", rnn[99])
    publish("gv_attention_min", far.min())
    publish("gv_attention_max", far.max())
    publish("gv_attention_spread", far.max() / far.min())
    residual_rnn = curves["rnn+residual"]
    publish("gv_residual_rnn_ratio_99", residual_rnn[99] / residual_rnn[0])

# %% [markdown]
# - **RNN**: 거리가 하나 늘 때마다 노름이 거의 일정한 비율로(평균 {{ gv_rnn_step_factor:.2f }}배씩) 줄어, 로그 축에서
#   직선으로 내려간다. 거리 50이면 거리 0의 {{ gv_rnn_ratio_50:.1e }}배다. 앞쪽 토큰은 마지막 출력의 기울기를 사실상
#   받지 못한다. 이 비율은 기본 초기화 U(±1/√d)에서 잰 것이다: $W_h$의 초기 크기 $\sqrt{\mathrm{Var}(W_h)\,d}$가
#   {{ gv_rnn_weight_gain:.2f }}(이)고, 한 단계의 비율은 그보다 작다(tanh의 미분이 1 이하이기 때문이라고 이 노트북은 읽는다).
#   초기화가 다르면 비율도 다르다. 이 노트북은 기본 초기화만 잰다.
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
# ## 4. 깊이 방향: 잔차 연결과 초기화
#
# 이번에는 같은 모양의 self-attention 층을 $L$개 쌓고, $L$에 따라 입력 전체로 돌아오는 기울기의 크기를 잰다.
# 야코비안 전체 대신, 마지막 위치의 출력 $y_T^{(L)}$을 고정된 무작위 단위 벡터 $r$ 방향으로 본 스칼라
# $r \cdot y_T^{(L)}$의 기울기 노름 $\lVert \partial (r \cdot y_T^{(L)}) / \partial x \rVert$를 쓴다. 역전파 한 번이면
# 되고, 손실이 $y_T$를 통해 입력에 주는 기울기가 바로 이런 모양이다. 층이 하나도 없으면(항등 함수) 이 노름은
# $\lVert r \rVert = 1$이다.
#
# 잔차가 없으면 역전파의 기울기는 층을 하나 지날 때마다 두 가지를 거친다.
#
# - **가중평균**: attention 가중치로 위치들을 섞는다. 한 위치에 몰린 기울기를 $T$개 위치에 고르게 나누면 노름이
#   $1/\sqrt{T}$배가 된다. 하지만 이미 고르게 퍼진 기울기를 다시 고르게 평균해도 더 줄지 않는다. 그래서 이 감소는
#   층마다가 아니라 한 번이다.
# - **값 투영과 출력 투영** $W_V W_O$: 위치마다 같은 행렬을 곱한다. 무작위 행렬이면 노름이 대략
#   $\sqrt{\mathrm{Var}(W_V)\,d \cdot \mathrm{Var}(W_O)\,d}$배가 되고, 이것은 층마다 곱해진다.
#   `nn.MultiheadAttention`은 $W_Q, W_K, W_V$를 쌓은 $3d \times d$ 행렬을 Xavier 균등 분포로(분산 $1/(2d)$),
#   $W_O$를 `nn.Linear`의 기본 초기화로(분산 $1/(3d)$) 잡으므로 그 크기는 $\sqrt{1/2 \cdot 1/3} = \sqrt{1/6}$이다.
#
# 층마다의 감소가 어느 쪽에서 오는지 대조군으로 가른다: 같은 쌓기에서 $W_V$와 $W_O$만 직교 행렬(노름을 바꾸지 않는
# 행렬, 크기 1)로 다시 초기화한다. 쿼리·키 가중치와 입력은 그대로다. 잔차 연결 $h_{l+1} = h_l + \mathrm{Attention}(h_l)$은
# 초기화와 상관없이 입력에서 출력까지 곧장 가는 항등 경로를 남긴다.

# %%
def value_and_output_weights(layer: SelfAttentionLayer) -> tuple[torch.Tensor, torch.Tensor]:
    """층의 W_V와 W_O. nn.MultiheadAttention은 W_Q, W_K, W_V를 (3d, d) 행렬 하나에 차례로 쌓아 둔다."""
    attention = layer.attention
    d = attention.embed_dim
    return attention.in_proj_weight[2 * d:], attention.out_proj.weight


def init_gain(layer: SelfAttentionLayer) -> float:
    """W_V·W_O가 벡터의 노름을 바꾸는 대략의 비율 √(Var(W_V)·d · Var(W_O)·d)."""
    w_v, w_o = value_and_output_weights(layer)
    return weight_gain(w_v) * weight_gain(w_o)


def orthogonalize_value_and_output(layer: SelfAttentionLayer) -> None:
    """대조군: W_V와 W_O만 직교 행렬로 다시 초기화한다(크기 1: 벡터의 노름을 바꾸지 않는다)."""
    with torch.no_grad():
        for weight in value_and_output_weights(layer):
            nn.init.orthogonal_(weight)


def stacked_layers(residual: bool, depth: int = DEPTH, seed: int = SEED, init: str = "default") -> list:
    """같은 모양의 self-attention 층 depth개. init="orthogonal"이면 W_V와 W_O만 직교 행렬로 바꾼다."""
    torch.manual_seed(seed)
    layers = [SelfAttentionLayer(residual=residual).to(DTYPE) for _ in range(depth)]
    if init == "orthogonal":
        for layer in layers:  # 모든 층을 만든 뒤에 바꾼다: W_Q, W_K와 편향은 기본 초기화와 똑같다
            orthogonalize_value_and_output(layer)
    elif init != "default":
        raise ValueError(f"unknown init {init!r}")
    return layers


def mean_init_gain(layers: list) -> float:
    """층들의 W_V·W_O 크기의 기하평균."""
    gains = torch.tensor([init_gain(layer) for layer in layers], dtype=DTYPE)
    return gains.log().mean().exp().item()


def depth_norms(
    residual: bool, depth: int = DEPTH, seed: int = SEED, init: str = "default", at: list[int] | None = None
) -> list[float]:
    """attention 층을 1..depth개 쌓았을 때마다(at이 있으면 그 층 수에서만) 입력 기울기의 노름 ‖∂(r·y_T)/∂x‖."""
    measured = set(at) if at is not None else set(range(1, depth + 1))
    direction = torch.randn(D_MODEL, generator=torch.Generator().manual_seed(seed + 1), dtype=DTYPE)
    direction = direction / direction.norm()  # 고정된 단위 벡터 r
    x = random_inputs(seed).requires_grad_()
    norms, h = [], x
    # 한 번의 순전파로 깊이 1, 2, ..., depth의 출력을 차례로 얻는다
    for n_layers, layer in enumerate(stacked_layers(residual, depth, seed, init), start=1):
        h = layer.mix(h)
        if n_layers in measured:
            (grad,) = torch.autograd.grad(h[-1] @ direction, x, retain_graph=True)
            norms.append(grad.norm().item())
    return norms


def token_spread(h: torch.Tensor) -> float:
    """위치별 표현이 위치 평균에서 벗어난 정도의 상대 크기 ‖h − 평균‖ / ‖h‖. 0이면 모든 행이 같다(rank 1)."""
    return ((h - h.mean(dim=0)).norm() / h.norm()).item()


def spread_by_depth(residual: bool, depth: int = DEPTH, seed: int = SEED, init: str = "default") -> list[float]:
    """순전파만: 층을 1..depth개 지난 출력의 token_spread.

    무너진 뒤의 값은 float64의 반올림 오차(10⁻¹⁶ 안팎)라서 덧셈 순서에 따라 달라진다. 어느 컴퓨터에서나
    같은 값이 나오도록 스레드 하나로 계산한다."""
    spreads, h = [], random_inputs(seed)
    with torch.no_grad(), single_thread():
        for layer in stacked_layers(residual, depth, seed, init):
            h = layer.mix(h)
            spreads.append(token_spread(h))
    return spreads


def per_layer_shrink(norms: list[float]) -> float:
    """2층부터 한 층에 평균 몇 배씩 줄었는가: 이웃한 층 사이 비율의 기하평균 (g_L / g_2)^(1/(L-2))."""
    return (norms[-1] / norms[1]) ** (1 / (len(norms) - 2))


# %%
if __name__ == "__main__":
    deep = {residual: depth_norms(residual) for residual in (False, True)}
    orthogonal = depth_norms(residual=False, init="orthogonal")
    plain, residual = deep[False], deep[True]
    for label, norms in (("잔차 없음", plain), ("잔차 없음, W_V·W_O 직교", orthogonal), ("잔차 있음", residual)):
        print(f"{label}: 1층 {norms[0]:.2e}, 2층 {norms[1]:.2e}, {DEPTH}층 {norms[-1]:.2e}")
    default_gain = mean_init_gain(stacked_layers(residual=False))
    print(f"층마다 줄어드는 비율 {per_layer_shrink(plain):.3f}, W_V·W_O의 초기 크기 {default_gain:.3f}")
    publish("gv_depth_layers", DEPTH)
    publish("gv_depth_plain_first", plain[0])
    publish("gv_depth_plain_last", plain[-1])
    publish("gv_depth_plain_ratio", plain[-1] / plain[0])
    publish("gv_depth_plain_shrink", per_layer_shrink(plain))
    publish("gv_depth_init_gain", default_gain)
    publish("gv_depth_orthogonal_gain", mean_init_gain(stacked_layers(residual=False, init="orthogonal")))
    publish("gv_depth_orthogonal_first", orthogonal[0])
    publish("gv_depth_orthogonal_min", min(orthogonal[1:]))
    publish("gv_depth_orthogonal_max", max(orthogonal[1:]))
    publish("gv_depth_orthogonal_shrink", per_layer_shrink(orthogonal))
    publish("gv_depth_orthogonal_ratio", orthogonal[-1] / orthogonal[0])
    publish("gv_uniform_average", 1 / SEQ_LEN**0.5)
    # 순전파의 rank 붕괴: 4층부터(인덱스 3부터) 위치별 표현이 평균에서 벗어난 정도의 최댓값
    publish("gv_depth_plain_spread_from_4", max(spread_by_depth(residual=False)[3:]))
    publish("gv_depth_orthogonal_spread_from_4", max(spread_by_depth(residual=False, init="orthogonal")[3:]))
    publish("gv_depth_residual_min", min(residual))
    publish("gv_depth_residual_max", max(residual))
    publish("gv_depth_residual_growth", residual[-1] / residual[0] - 1)

# %% [markdown]
# **기본 초기화, 잔차 없음.** 층이 쌓일수록 기울기가 지수적으로 줄어, {{ gv_depth_layers }}층에서는 1층의
# {{ gv_depth_plain_ratio:.1e }}배가 된다. 2층부터는 한 층에 평균 {{ gv_depth_plain_shrink:.2f }}배씩 준다. 초기화된
# 가중치로 계산한 $W_V W_O$의 크기 {{ gv_depth_init_gain:.2f }}(과)와 같다.
#
# **대조군: $W_V$, $W_O$ 직교(크기 {{ gv_depth_orthogonal_gain:.2f }}), 잔차 없음.** 1층에서 항등 함수의 1이
# {{ gv_depth_orthogonal_first:.2f }}(으)로 한 번 줄고, 2층부터 {{ gv_depth_layers }}층까지는
# {{ gv_depth_orthogonal_min:.3f }}~{{ gv_depth_orthogonal_max:.3f }} 사이로 평평하다(한 층에 평균
# {{ gv_depth_orthogonal_shrink:.2f }}배). 그 높이는 $T$개 위치의 고른 평균이 주는 $1/\sqrt{T}$ = {{ gv_uniform_average:.2f }}(이)다.
# {{ gv_depth_layers }}층/1층 비는 {{ gv_depth_orthogonal_ratio:.2f }}(으)로, 기본 초기화의 {{ gv_depth_plain_ratio:.1e }}(과)와
# 자릿수부터 다르다. 층마다의 감소는 가중평균이 아니라 $W_V W_O$의 초기 크기에서 오고, 가중평균은 한 번만 줄인다.
# 1층 값이 $1/\sqrt{T}$보다 큰 것은 1층에서는 입력 위치들이 서로 달라 attention 가중치가 고르지 않고, 쿼리·키를 거쳐
# 가중치 자체를 바꾸는 경로도 있기 때문으로 본다(이 노트북의 해석이고, 따로 재지 않았다).
#
# 잔차 없는 attention을 쌓으면 출력의 모든 행이 같아진다(rank 1로 무너진다)는 Dong et al. (2021)의 결과는 **순전파**의
# 이야기다. 여기서도 두 쌓기 모두 그렇다: 위치별 표현이 위치 평균에서 벗어난 정도(`token_spread`)가 4층부터 기본
# 초기화에서 {{ gv_depth_plain_spread_from_4:.0e }}, 대조군에서 {{ gv_depth_orthogonal_spread_from_4:.0e }} 이하다(float64의
# 반올림 오차 수준). 붕괴는 두 쌓기에서 똑같이 일어나는데 기울기가 층마다 주는 것은 기본 초기화뿐이다. 그러니 rank
# 붕괴는 이 기울기 감소의 근거가 되지 않는다.
#
# **잔차 있음.** {{ gv_depth_layers }}층까지 {{ gv_depth_residual_min:.2f }}~{{ gv_depth_residual_max:.2f }} 사이에 머물고,
# {{ gv_depth_layers }}층이 1층보다 {{ gv_depth_residual_growth:.0% }} 크다. 항등 경로가 기울기를 입력까지 그대로 실어
# 나른다. 시퀀스 방향의 소실은 attention의 직접 연결이 막고, 기본 초기화에서 깊이 방향의 소실은 잔차 연결이 막는다.
# 그래서 "Transformer에서 gradient vanishing은 이슈가 아니다"는 시퀀스 방향에 대해서는 맞고, 깊이 방향에 대해서는
# 잔차 연결(그리고 LN의 위치, Post-LN과 warm-up 페이지 참고) 덕분이다.

# %%
if __name__ == "__main__":

    def draw_depth():
        """층 수에 따른 입력 기울기 노름 (로그 y축): 잔차 유무와 직교 초기화 대조군."""
        layers = range(1, DEPTH + 1)
        guide = [plain[1] * default_gain ** (layer - 2) for layer in layers]  # 2층부터 층마다 W_V·W_O의 크기만큼
        fig, ax = plt.subplots(figsize=(7.0, 5.2), layout="constrained")
        ax.plot(layers, residual, "s-", color="C2", label=r"잔차 있음: $h_{l+1} = h_l + \mathrm{Attn}(h_l)$")
        ax.plot(layers, orthogonal, "^-", color="C0", label=r"잔차 없음, $W_V$·$W_O$ 직교 초기화 (대조군)")
        ax.plot(layers, plain, "o-", color="C1", label=r"잔차 없음: $h_{l+1} = \mathrm{Attn}(h_l)$")
        ax.plot(layers, guide, ":", color="0.5", label=f"2층부터 층마다 ×{default_gain:.2f} ($W_V$·$W_O$의 초기 크기)")
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
            f"self-attention 층을 1개부터 {DEPTH}개까지 쌓았을 때 입력에 대한 기울기 노름, 로그 축. 기본 초기화에서 "
            "잔차가 없으면 1층 {{ gv_depth_plain_first:.2f }}에서 " f"{DEPTH}층 " "{{ gv_depth_plain_last:.0e }}까지 "
            "층마다 평균 {{ gv_depth_plain_shrink:.2f }}배씩 직선으로 줄어들어, 2층부터 층마다 W_V·W_O의 초기 크기 "
            "{{ gv_depth_init_gain:.2f }}배씩 줄이는 점선과 겹친다. W_V와 W_O를 "
            "직교 행렬로 바꾼 대조군은 1층 {{ gv_depth_orthogonal_first:.2f }} 뒤 2층부터 "
            "{{ gv_depth_orthogonal_min:.3f }}~{{ gv_depth_orthogonal_max:.3f }} 사이로 평평하다. 잔차가 있으면 "
            "{{ gv_depth_residual_min:.2f }}~{{ gv_depth_residual_max:.2f }} 사이에 머문다"
        ),
    )

# %% [markdown]
# ## 연습 문제 1의 답: `DEPTH` = 48
#
# 페이지의 연습 문제 1은 `DEPTH`를 24에서 48로 바꿔 다시 돌려 보라고 한다. 빌드는 잔차 있는 쌓기를
# `EXERCISE_DEPTH`층으로 한 번 더 돌려 둔다(같은 시드라 앞 {{ gv_depth_layers }}층은 위 곡선과 같다). 싸게 돌리려고
# 1층과 12층마다에서만 역전파한다. 1층에 대한
# 비율은 12층 {{ gv_depth_48_residual_12:.2f }}, 24층 {{ gv_depth_48_residual_24:.2f }}, 36층
# {{ gv_depth_48_residual_36:.2f }}, 48층 {{ gv_depth_48_residual_48:.2f }}(이)다. 24층 전에 이미 커지기 시작하고,
# 12층마다 늘어나는 폭이 점점 커진다.

# %%
def residual_growth(depth: int = EXERCISE_DEPTH, every: int = 12, seed: int = SEED) -> dict[int, float]:
    """잔차 있는 쌓기에서 every층마다의 노름을 1층의 노름에 대한 비율로: {층 수: 비율}.
    그 층 수에서만 역전파하므로 depth층 전체를 재는 것보다 훨씬 싸다."""
    layers = list(range(every, depth + 1, every))
    first, *rest = depth_norms(residual=True, depth=depth, seed=seed, at=[1, *layers])
    return {layer: norm / first for layer, norm in zip(layers, rest)}


# %%
if __name__ == "__main__":
    for layer, ratio in residual_growth(EXERCISE_DEPTH).items():
        print(f"잔차 있음, {layer}층 / 1층 = {ratio:.3f}")
        publish(f"gv_depth_{EXERCISE_DEPTH}_residual_{layer}", ratio)
