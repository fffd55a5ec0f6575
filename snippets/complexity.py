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
# # 층당 복잡도와 순차 연산: self-attention과 RNN
#
# 논문(Vaswani et al., 2017) Table 1은 층 종류마다 두 가지를 따로 적는다.
#
# | 층 종류 | Complexity per Layer | Sequential Operations |
# |---|---|---|
# | Self-Attention | $O(n^2 \cdot d)$ | $O(1)$ |
# | Recurrent | $O(n \cdot d^2)$ | $O(n)$ |
#
# - **Complexity per Layer**: 한 층이 하는 행렬 연산의 총량.
# - **Sequential Operations**: 앞 계산이 끝나야 시작할 수 있는, 병렬화할 수 없는 단계의 수.
#
# 이 노트북은 두 값을 시간이 아니라 **세어서** 확인한다. 연산량은 PyTorch의 `FlopCounterMode`로
# 행렬곱의 부동소수점 연산(FLOPs) 수를 세고, 순차 단계는 행렬곱이 앞 행렬곱의 결과를 기다리는
# 사슬의 길이(임계 경로)를 센다. 실제 걸린 시간은 마지막에 참고용으로만 그린다.

# %%
import functools
import math
import timeit

import numpy as np
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torch.utils.flop_counter import FlopCounterMode

# 저장소 폴더에서 `python -m snippets.complexity`으로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다.

# %%
D_FIXED = 64  # n을 바꿀 때 고정하는 표현 차원 d
N_FIXED = 64  # d를 바꿀 때 고정하는 시퀀스 길이 n
NS = tuple(2**e for e in range(3, 11))  # n = 8 … 1024
DS = tuple(2**e for e in range(4, 10))  # d = 16 … 512

# %% [markdown]
# ## 1. 두 층
#
# **Self-attention**: 쿼리·키·값 행렬 $Q, K, V \in \mathbb{R}^{n \times d}$로 한 번에 계산한다.
#
# $$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d}}\right)V$$
#
# 행렬곱은 두 번이다: $QK^\top$($n \times d$ 곱하기 $d \times n$, $2n^2d$ FLOPs)과 그 결과에 $V$를 곱하는 것
# ($2n^2d$ FLOPs). Table 1처럼 이미 만들어진 $Q, K, V$로 하는 어텐션 연산만 센다. $Q, K, V$를 만드는 선형 변환은
# $O(n d^2)$이라 RNN과 같은 차수의 항을 더할 뿐이다.
#
# **RNN**(Elman RNN): 시점 $t$마다 이전 은닉 상태 $h_{t-1}$이 있어야 $h_t$를 계산할 수 있다.
#
# $$h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$$
#
# 시점마다 $d$차원 벡터와 $d \times d$ 행렬의 곱이 두 번($2 \cdot 2d^2$ FLOPs)이고, 이것을 $n$번 반복한다.

# %%
def self_attention(q, k, v):
    """모든 위치를 한 번에: softmax(Q Kᵀ / √d) V. 입력과 출력 모두 (n, d)."""
    scores = q @ k.T / math.sqrt(q.shape[-1])  # (n, n): 모든 토큰 쌍의 내적
    return torch.softmax(scores, dim=-1) @ v


def rnn_layer(x, w_x, w_h, b):
    """한 시점씩 차례로: h_t = tanh(x_t W_x + h_(t-1) W_h + b). 입력 (n, d), 출력 (n, d)."""
    h = torch.zeros(w_h.shape[0], dtype=x.dtype)
    states = []
    for x_t in x:  # t = 1, 2, …, n: 앞 시점의 h가 있어야 다음 시점을 계산할 수 있다
        h = torch.tanh(x_t @ w_x + h @ w_h + b)
        states.append(h)
    return torch.stack(states)


def attention_inputs(n, d, seed=0):
    """self_attention에 넣을 무작위 Q, K, V (각 n × d)."""
    generator = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(n, d, generator=generator) for _ in range(3))


def rnn_inputs(n, d, seed=0):
    """rnn_layer에 넣을 무작위 입력 x (n × d)와 가중치 W_x, W_h (d × d), b (d)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=generator)
    w_x = torch.randn(d, d, generator=generator) / math.sqrt(d)
    w_h = torch.randn(d, d, generator=generator) / math.sqrt(d)
    return x, w_x, w_h, torch.zeros(d)


# %% [markdown]
# ## 2. 연산량 세기 (Complexity per Layer)
#
# `FlopCounterMode` 안에서 함수를 한 번 실행하면, 실행된 행렬곱마다 FLOPs를 더해 준다.
# softmax와 tanh 같은 원소별 연산은 세지 않는다. 이들은 $O(n^2)$, $O(nd)$로 행렬곱보다 차수가 낮다.

# %%
def count_flops(fn, *args) -> int:
    """fn(*args)를 한 번 실행하며 행렬곱 FLOPs를 센다."""
    with FlopCounterMode(display=False) as counter:
        fn(*args)
    return counter.get_total_flops()


@functools.cache  # 같은 (n, d)는 한 번만 센다: 아래의 교차점 찾기가 위에서 센 n들을 다시 지난다
def attention_flops(n: int, d: int) -> int:
    """길이 n, 차원 d의 self-attention 한 번의 FLOPs."""
    return count_flops(self_attention, *attention_inputs(n, d))


@functools.cache
def rnn_flops(n: int, d: int) -> int:
    """길이 n, 차원 d의 RNN 층 한 번의 FLOPs."""
    return count_flops(rnn_layer, *rnn_inputs(n, d))


def flops_vs_length(d: int, ns=NS) -> tuple[list[int], list[int]]:
    """d를 고정하고 n마다 센 (self-attention FLOPs 목록, RNN FLOPs 목록)."""
    return [attention_flops(n, d) for n in ns], [rnn_flops(n, d) for n in ns]


def loglog_slope(xs, ys) -> float:
    """log y = a log x + c의 최소제곱 기울기 a."""
    return float(np.polyfit(np.log(xs), np.log(ys), deg=1)[0])


# %%
if __name__ == "__main__":
    # sweeps[축] = (x 값들, self-attention FLOPs, RNN FLOPs)
    sweeps = {
        "n": (NS, *flops_vs_length(D_FIXED)),
        "d": (DS, [attention_flops(N_FIXED, d) for d in DS], [rnn_flops(N_FIXED, d) for d in DS]),
    }
    publish("cx_d_fixed", D_FIXED)  # 연습 문제 2가 바꿔 보라는 설정값: 페이지가 인용해 두면 바꿔도 맞다
    slopes = {axis: (loglog_slope(xs, att), loglog_slope(xs, rnn)) for axis, (xs, att, rnn) in sweeps.items()}
    for axis, (att, rnn) in slopes.items():
        publish(f"cx_slope_attention_{axis}", att)
        publish(f"cx_slope_rnn_{axis}", rnn)
    publish("cx_flops_attention_last", sweeps["n"][1][-1])  # n = NS[-1], d = D_FIXED
    publish("cx_flops_rnn_last", sweeps["n"][2][-1])
    for n, att, rnn in zip(*sweeps["n"]):
        print(f"n = {n:>4}, d = {D_FIXED}: self-attention {att:>11,}, RNN {rnn:>10,} FLOPs")
    for axis, (att, rnn) in slopes.items():
        print(f"{axis}에 대한 로그-로그 기울기: self-attention {att:.3f}, RNN {rnn:.3f}")

# %% [markdown]
# 기울기가 곧 지수다: self-attention은 $n$에 대해 2, $d$에 대해 1이고($n^2 d$), RNN은 $n$에 대해 1,
# $d$에 대해 2다($n d^2$). 정확히 세면 self-attention은 $4n^2d$, RNN은 $4nd^2$ FLOPs이므로
#
# $$4n^2d < 4nd^2 \iff n < d$$
#
# 즉 $n < d$이면 self-attention의 연산량이 더 적다(논문 §4). 두 곡선이 만나는 $n$을 센 값으로 찾아보자.

# %%
def crossover_length(d: int, n_max: int = 4096) -> int:
    """차원 d에서 self-attention FLOPs가 RNN FLOPs 이상이 되는 가장 작은 n (n = 4·2^(i/4) 격자에서)."""
    grid = sorted({round(4 * 2 ** (i / 4)) for i in range(4 * 10 + 1)})  # 4 … 4096, 한 옥타브에 4점
    for n in grid:
        if n <= n_max and attention_flops(n, d) >= rnn_flops(n, d):
            return n
    return n_max + 1  # 끝까지 만나지 않음


# %%
CROSSOVER_DS = (32, 64, 128)  # 교차점을 찾아볼 d들

if __name__ == "__main__":
    crossovers = {d: crossover_length(d) for d in sorted({*CROSSOVER_DS, D_FIXED})}
    for d in CROSSOVER_DS:
        publish(f"cx_crossover_{d}", crossovers[d])
    publish("cx_crossover_d_fixed", crossovers[D_FIXED])  # 첫 번째 패널(d = D_FIXED)의 교차점
    for d, n_star in crossovers.items():
        print(f"d = {d:>3}: self-attention FLOPs ≥ RNN FLOPs가 되는 가장 작은 n = {n_star}")

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    def draw_flops(narrow=False):
        """n에 따른 FLOPs(d 고정)와 d에 따른 FLOPs(n 고정), 로그-로그."""
        fig = plt.figure(figsize=(4.6, 8.2) if narrow else (9.0, 4.6), layout="constrained")
        # 패널마다 범례가 다르다(기울기): 패널 하나를 작은 그림(subfigure)으로 두고 범례를 그 아래에 단다
        panels = (("n", "d", D_FIXED, "시퀀스 길이 n"), ("d", "n", N_FIXED, "표현 차원 d"))
        for part, (axis, other, fixed, xlabel) in zip(fig.subfigures(*((2, 1) if narrow else (1, 2))), panels):
            ax = part.subplots()
            xs, att, rnn = sweeps[axis]
            ax.plot(xs, att, "o-", color="C0", label=f"self-attention (기울기 {slopes[axis][0]:.2f})")
            ax.plot(xs, rnn, "s-", color="C1", label=f"RNN (기울기 {slopes[axis][1]:.2f})")
            ax.axvline(fixed, color="C2", linestyle=":", label=f"{axis} = {other} = {fixed}")
            ax.set_xlabel(xlabel)
            ax.set_title(f"{axis}에 따른 연산량 ({other} = {fixed})")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_ylabel("행렬곱 FLOPs")
            legend_below(part, ncols=2)  # 축 밖 아래: 세로 점선과 직선을 가리지 않는다
        return fig

    save_figure(
        "cx-flops",
        draw_flops,
        narrow=True,
        alt=(
            f"로그-로그 그래프 두 개. 첫 번째 패널(d = {D_FIXED})은 n에 따른 FLOPs로 기울기가 self-attention "
            "{{ cx_slope_attention_n:.2f }}, RNN {{ cx_slope_rnn_n:.2f }}이고 두 직선은 n = {{ cx_crossover_d_fixed }}에서 만난다. "
            f"두 번째 패널(n = {N_FIXED})은 d에 따른 FLOPs로 기울기가 self-attention "
            "{{ cx_slope_attention_d:.2f }}, RNN {{ cx_slope_rnn_d:.2f }}이다"
        ),
    )

# %% [markdown]
# ## 3. 순차 단계 세기 (Sequential Operations)
#
# 연산량이 같아도, 앞 결과를 기다려야 하는 단계가 몇 개인지는 다를 수 있다. 이를 세기 위해 PyTorch의 모든 연산을
# 가로채는 `TorchDispatchMode`를 쓴다. 텐서마다 "이 값을 얻기까지 차례로 거친 행렬곱의 수"(깊이)를 붙이고,
#
# - 행렬곱의 결과: 입력들의 깊이 중 최댓값 + 1
# - 그 밖의 연산(softmax, tanh, 덧셈, 인덱싱 …)의 결과: 입력들의 깊이 중 최댓값
#
# 으로 전파한다. 출력의 깊이가 곧 임계 경로의 길이, 즉 아무리 많은 연산 장치가 있어도 차례로 해야 하는
# 행렬곱 단계의 수다. 행렬곱 호출 횟수도 함께 센다.

# %%
MATMUL_OPS = {torch.ops.aten.mm, torch.ops.aten.addmm, torch.ops.aten.bmm}


class DependencyDepth(TorchDispatchMode):
    """연산마다 결과 텐서에 '행렬곱 사슬의 깊이'를 붙이고, 행렬곱 호출 수를 센다."""

    def __init__(self):
        super().__init__()
        self.matmul_calls = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        inputs = [a for a in tree_flatten((args, kwargs))[0] if isinstance(a, torch.Tensor)]
        depth = max((getattr(a, "_depth", 0) for a in inputs), default=0)
        if func.overloadpacket in MATMUL_OPS:
            depth += 1
            self.matmul_calls += 1
        for o in tree_flatten(out)[0]:
            if isinstance(o, torch.Tensor):
                o._depth = depth
        return out


def sequential_steps(fn, *args) -> dict[str, int]:
    """fn(*args)의 행렬곱 임계 경로 길이('depth')와 행렬곱 호출 수('matmul_calls')."""
    with DependencyDepth() as mode:
        out = fn(*args)
    return {"depth": getattr(out, "_depth", 0), "matmul_calls": mode.matmul_calls}


def steps_vs_length(ns=NS, d=D_FIXED):
    """n마다 self-attention과 RNN의 순차 단계 수와 행렬곱 호출 수."""
    return {
        n: {
            "attention": sequential_steps(self_attention, *attention_inputs(n, d)),
            "rnn": sequential_steps(rnn_layer, *rnn_inputs(n, d)),
        }
        for n in ns
    }


# %%
if __name__ == "__main__":
    steps = steps_vs_length()
    publish("cx_rnn_depth_last", steps[NS[-1]]["rnn"]["depth"])
    publish("cx_rnn_matmuls_last", steps[NS[-1]]["rnn"]["matmul_calls"])
    publish("cx_attention_depth_min", min(s["attention"]["depth"] for s in steps.values()))
    publish("cx_attention_depth_max", max(s["attention"]["depth"] for s in steps.values()))
    for n, s in steps.items():
        a, r = s["attention"], s["rnn"]
        print(f"n = {n:>4}: self-attention {a['depth']}단계 (행렬곱 {a['matmul_calls']}번), "
              f"RNN {r['depth']}단계 (행렬곱 {r['matmul_calls']}번)")

# %% [markdown]
# RNN의 순차 단계는 정확히 $n$이다: $h_t$는 $h_{t-1} W_h$를 기다린다. self-attention은 $n$과 상관없이 2단계
# ($QK^\top$를 구한 뒤 softmax를 거쳐 $V$를 곱한다)이고, 각 단계는 모든 위치를 한꺼번에 처리하는 행렬곱 한 번이다.
# 이것이 Table 1의 $O(n)$과 $O(1)$이다.

# %%
if __name__ == "__main__":

    def draw_steps():
        """n에 따른 순차 단계 수 (로그-로그)."""
        fig, ax = plt.subplots()
        ax.plot(NS, [s["rnn"]["depth"] for s in steps.values()], "s-", color="C1", label="RNN: n단계")
        ax.plot(NS, [s["attention"]["depth"] for s in steps.values()], "o-", color="C0",
                label="self-attention: n과 무관")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log", base=2)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))  # 2, 8, 32, …
        ax.set_xlabel("시퀀스 길이 n")
        ax.set_ylabel("차례로 해야 하는 행렬곱 단계 수")
        ax.set_title("순차 연산의 수 (행렬곱 임계 경로의 길이)")
        ax.legend()
        return fig

    save_figure(
        "cx-sequential-steps",
        draw_steps,
        alt=(
            f"n = {NS[0]}부터 {NS[-1]}까지 순차 단계 수. RNN은 n과 같게 늘어나고, "
            "self-attention은 모든 n에서 {{ cx_attention_depth_max }}단계로 일정하다"
        ),
    )

# %% [markdown]
# ## 연습 문제 2의 변형: D_FIXED = 256
#
# 페이지의 연습 문제 2는 `D_FIXED`를 256으로 바꿔 다시 빌드해 보라고 한다. FLOPs와 순차 단계는 재지 않고 세는 값이라
# 빠르므로, 빌드가 그 변형도 여기서 함께 실행하고 페이지의 답이 그 값을 인용한다. $d = 256$에서 $n$에 대한 기울기는
# self-attention {{ cx_d_fixed_256_slope_attention_n:.2f }}, RNN {{ cx_d_fixed_256_slope_rnn_n:.2f }}(으)로 그대로이고,
# 교차점은 $n =$ {{ cx_d_fixed_256_crossover }}(으)로 옮겨 간다. 순차 단계는 self-attention {{ cx_d_fixed_256_attention_depth_max }}단계,
# RNN은 $n = 1024$에서 {{ cx_d_fixed_256_rnn_depth_last }}단계로 $d$와 상관이 없다.

# %%
EXERCISE_D_FIXED = 256  # 연습 문제 2: D_FIXED를 이 값으로 바꾸면

if __name__ == "__main__":
    variant = f"cx_d_fixed_{EXERCISE_D_FIXED}"
    variant_attention, variant_rnn = flops_vs_length(EXERCISE_D_FIXED)
    publish(f"{variant}_slope_attention_n", loglog_slope(NS, variant_attention))
    publish(f"{variant}_slope_rnn_n", loglog_slope(NS, variant_rnn))
    publish(f"{variant}_crossover", crossover_length(EXERCISE_D_FIXED))
    # 순차 단계: self-attention은 모든 n에서, RNN은 답이 인용하는 n = NS[-1]에서 센다
    variant_attention_depths = [sequential_steps(self_attention, *attention_inputs(n, EXERCISE_D_FIXED))["depth"]
                                for n in NS]
    publish(f"{variant}_attention_depth_max", max(variant_attention_depths))
    publish(f"{variant}_rnn_depth_last", sequential_steps(rnn_layer, *rnn_inputs(NS[-1], EXERCISE_D_FIXED))["depth"])

# %% [markdown]
# ## 4. 참고: 실제 걸린 시간
#
# 시간은 기계와 실행마다 달라서 아무것도 단정하지 않는다. 여기서는 CPU에서 각 층을 몇 번 실행해 가장 짧은
# 시간을 그린다. $O(1)$ 순차 단계라고 해서 시간이 $n$과 무관한 것은 아니다: 한 번의 행렬곱 $QK^\top$도
# $n^2 d$에 비례하는 일을 하고, 이 일을 동시에 처리할 연산 장치가 충분해야 시간이 적게 든다. RNN은 파이썬
# 반복문의 단계마다 드는 고정 비용까지 $n$번 치른다.

# %%
def best_time(fn, *args):
    """fn(*args)를 (한 번 준비 실행한 뒤) 5번 실행한 시간 중 가장 짧은 값(초). 실행마다 달라진다."""
    fn(*args)
    return min(timeit.repeat(lambda: fn(*args), number=1, repeat=5))


# %%
if __name__ == "__main__":
    with torch.inference_mode():
        times = {n: (best_time(self_attention, *attention_inputs(n, D_FIXED)),
                     best_time(rnn_layer, *rnn_inputs(n, D_FIXED))) for n in NS}

    def draw_times():
        """n에 따른 실측 시간 (참고용, 로그-로그)."""
        fig, ax = plt.subplots(layout="constrained")
        ax.plot(NS, [a * 1e3 for a, _ in times.values()], "o-", color="C0", label="self-attention")
        ax.plot(NS, [r * 1e3 for _, r in times.values()], "s-", color="C1", label="RNN")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("시퀀스 길이 n")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))  # 0.01, 0.1, 1, 10
        ax.set_ylabel("시간 (ms, 5회 중 최소)")
        ax.set_title(f"실측 시간: 참고용, 실행마다 다르다 (CPU, d = {D_FIXED})")
        legend_below(fig, ncols=2)  # 잰 값은 빌드마다 다르다: 범례는 어느 값이든 가리지 않을 축 밖에
        return fig

    save_figure(
        "cx-time",
        draw_times,
        alt=(
            f"n = {NS[0]}부터 {NS[-1]}까지 self-attention과 RNN 층의 실행 시간(로그-로그, d = {D_FIXED}). "
            "이 사이트를 빌드한 기계의 CPU에서 잰 값이라 기계와 빌드마다 달라지는 참고용 그림이다"
        ),
        volatile=True,
    )
