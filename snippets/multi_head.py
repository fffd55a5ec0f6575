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
# # 멀티헤드 어텐션: 헤드마다 $d_k$로 나눈다
#
# 논문(Vaswani et al., 2017, §3.2.2)은 $d_{model} = 512$차원을 그대로 한 번 어텐션하지 않고, 헤드 $h = 8$개로 나눠
# 헤드마다 $d_k = d_v = d_{model}/h = 64$차원의 쿼리·키·값으로 어텐션한 뒤 결과를 이어 붙인다.
#
# $$\mathrm{head}_i = \mathrm{Attention}(QW_i^Q, KW_i^K, VW_i^V), \qquad
# \mathrm{MultiHead}(Q, K, V) = \mathrm{Concat}(\mathrm{head}_1, \dots, \mathrm{head}_h)W^O$$
#
# 이 노트북에서 세어 보는 것:
#
# 1. 헤드 하나의 점수 $q \cdot k$는 $d_k$개 항의 합이라 분산이 $d_{model}$이 아니라 $d_k$다. 그래서 스케일도 헤드의
#    $\sqrt{d_k}$를 쓴다. $\sqrt{d_{model}}$로 나누면(대조군) 분산이 $1/h$로 작아져 softmax가 고르게 퍼진다.
# 2. 헤드로 나눠도 행렬곱 FLOPs는 큰 헤드 하나와 같다(논문 §3.2.2: "the total computational cost is similar").
# 3. 대신 어텐션 맵(softmax 확률)은 헤드마다 $n \times n$개라 모두 $h \cdot n^2$개다.

# %%
import functools

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

# 저장소 폴더에서 `python -m snippets.multi_head`으로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다.

# %%
D_MODEL = 512  # 모델 차원 (논문 base 모델)
N_HEADS = 8  # 헤드 수 h: 헤드 하나의 차원은 d_k = D_MODEL / N_HEADS
SEQ_LEN = 1024  # FLOPs와 어텐션 맵을 셀 시퀀스 길이 n
HEAD_COUNTS = (1, 2, 4, 8, 16, 32, 64)  # 그림에서 바꿔 보는 h (D_MODEL은 그대로)
N_TOKENS = 256  # 점수의 분산을 잴 토큰 수 (점수는 헤드마다 N_TOKENS × N_TOKENS개)
N_HEADS_EXERCISE = 16  # 연습 문제: N_HEADS를 이 값으로 바꾸면 (빌드가 함께 돌린다)
SEQ_LEN_EXERCISE = 4096  # 연습 문제: SEQ_LEN을 이 값으로 바꾸면 (빌드가 함께 돌린다)

# %% [markdown]
# ## 1. 헤드로 나누기
#
# 입력 $X \in \mathbb{R}^{n \times d_{model}}$에 $d_{model} \times d_{model}$ 행렬 $W^Q$를 한 번 곱한 뒤 열을 $h$묶음으로
# 자르면, 헤드마다 따로 $W_i^Q \in \mathbb{R}^{d_{model} \times d_k}$를 곱한 것과 같다. 구현은 보통 이렇게 한다.

# %%
def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """(n, d_model)을 헤드별 (h, n, d_k)로 자른다."""
    n, d_model = x.shape
    return x.view(n, n_heads, d_model // n_heads).transpose(0, 1)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """헤드별 (h, n, d_k)를 다시 (n, h·d_k)로 이어 붙인다 (Concat)."""
    n_heads, n, d_k = x.shape
    return x.transpose(0, 1).reshape(n, n_heads * d_k)


def multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads: int) -> torch.Tensor:
    """self-attention 층 하나: 투영 → 헤드별 softmax(QKᵀ/√d_k)V → 이어 붙여 W^O. 입력과 출력 (n, d_model)."""
    q, k, v = (split_heads(x @ w, n_heads) for w in (w_q, w_k, w_v))  # 각 (h, n, d_k)
    d_k = q.shape[-1]
    weights = torch.softmax(q @ k.transpose(1, 2) / d_k**0.5, dim=-1)  # 어텐션 맵 (h, n, n)
    return merge_heads(weights @ v) @ w_o


def random_weights(d_model: int, count: int = 4, seed: int = 0) -> list[torch.Tensor]:
    """성분이 N(0, 1/d_model)인 d_model × d_model 행렬 count개 (W^Q, W^K, W^V, W^O 순서).

    분산 1인 입력을 분산 1인 쿼리·키로 옮긴다.
    """
    generator = torch.Generator().manual_seed(seed)
    return [torch.randn(d_model, d_model, generator=generator, dtype=torch.float64) / d_model**0.5
            for _ in range(count)]


# %% [markdown]
# ## 2. 헤드 하나의 점수 분산은 $d_k$
#
# 성분이 $N(0, 1)$인 토큰 {{ mh_n_tokens }}개를 투영해 헤드별 점수 $Q_i K_i^\top$를 만들고, 헤드마다 점수 전체의 분산을
# 잰 뒤 헤드끼리 평균한다. 같은 점수를 세 가지로 본다: 나누지 않은 점수, 헤드의 $\sqrt{d_k}$로 나눈 점수, 모델 전체의
# $\sqrt{d_{model}}$로 나눈 점수(대조군).

# %%
@functools.lru_cache(maxsize=4)  # 모든 h가 같은 토큰과 같은 W^Q, W^K를 쓴다: 한 번만 만든다
def projected_queries_and_keys(d_model: int, n_tokens: int = N_TOKENS, seed: int = 0):
    """성분이 N(0, 1)인 토큰 n_tokens개를 W^Q, W^K로 투영한 Q, K (각 n_tokens × d_model)."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n_tokens, d_model, generator=generator, dtype=torch.float64)
    w_q, w_k = random_weights(d_model, count=2, seed=seed + 1)
    return x @ w_q, x @ w_k


def head_scores(q: torch.Tensor, k: torch.Tensor, n_heads: int) -> torch.Tensor:
    """투영한 Q, K를 헤드로 잘라 만든 헤드별 점수 Q_i K_iᵀ (h, n, n), 나누기 전."""
    return split_heads(q, n_heads) @ split_heads(k, n_heads).transpose(1, 2)


def score_variance_per_head(d_model: int, n_heads: int, n_tokens: int = N_TOKENS) -> dict[str, float]:
    """헤드별 점수 분산의 평균: 나누기 전('raw'), √d_k로 나눈 뒤('head_scale'), √d_model로 나눈 뒤('model_scale')."""
    scores = head_scores(*projected_queries_and_keys(d_model, n_tokens), n_heads)
    raw = scores.flatten(1).var(dim=1).mean().item()
    d_k = d_model // n_heads
    return {"d_k": d_k, "raw": raw, "head_scale": raw / d_k, "model_scale": raw / d_model}


def mean_max_probability(d_model: int, n_heads: int, divisor: float, n_tokens: int = N_TOKENS) -> float:
    """점수를 divisor로 나눠 softmax한 뒤, 쿼리마다 가장 큰 확률의 평균 (모든 헤드)."""
    scores = head_scores(*projected_queries_and_keys(d_model, n_tokens), n_heads)
    return torch.softmax(scores / divisor, dim=-1).max(dim=-1).values.mean().item()


# %%
if __name__ == "__main__":
    variances = {h: score_variance_per_head(D_MODEL, h) for h in HEAD_COUNTS}
    default = variances[N_HEADS]
    publish("mh_n_tokens", N_TOKENS)
    publish("mh_n_heads", N_HEADS)
    publish("mh_d_k", default["d_k"])
    publish("mh_var_raw", default["raw"])
    publish("mh_var_head_scale", default["head_scale"])
    publish("mh_var_model_scale", default["model_scale"])
    publish("mh_var_raw_one_head", variances[1]["raw"])  # h = 1: 큰 헤드 하나 (d_k = d_model)
    publish("mh_var_head_scale_min", min(v["head_scale"] for v in variances.values()))
    publish("mh_var_head_scale_max", max(v["head_scale"] for v in variances.values()))
    d_k = D_MODEL // N_HEADS
    publish("mh_max_prob_head_scale", mean_max_probability(D_MODEL, N_HEADS, d_k**0.5))
    publish("mh_max_prob_model_scale", mean_max_probability(D_MODEL, N_HEADS, D_MODEL**0.5))
    publish("mh_uniform_prob", 1 / N_TOKENS)
    print(f"{'h':>3} | {'d_k':>4} | {'Var(q·k)':>9} | {'÷√d_k':>7} | {'÷√d_model':>9}")
    for h, v in variances.items():
        print(f"{h:>3} | {v['d_k']:>4} | {v['raw']:>9.2f} | {v['head_scale']:>7.3f} | {v['model_scale']:>9.4f}")

# %% [markdown]
# 나누기 전 분산은 헤드의 $d_k$를 따라간다: 헤드 {{ mh_n_heads }}개($d_k =$ {{ mh_d_k }})에서 {{ mh_var_raw:.1f }}, 큰 헤드 하나($h = 1$,
# $d_k = 512$)에서 {{ mh_var_raw_one_head:.1f }}. $\sqrt{d_k}$로 나누면 모든 $h$에서
# {{ mh_var_head_scale_min:.2f }}~{{ mh_var_head_scale_max:.2f }}(으)로 1 근처다. $\sqrt{d_{model}}$로 나누면 헤드 {{ mh_n_heads }}개에서
# {{ mh_var_model_scale:.3f }}, 곧 $1/h$ 근처로 작아진다. 그러면 softmax가 고르게 퍼진다: 쿼리마다 가장 큰 확률의 평균이
# $\sqrt{d_k}$로 나눌 때 {{ mh_max_prob_head_scale:.3f }}, $\sqrt{d_{model}}$로 나눌 때 {{ mh_max_prob_model_scale:.3f }}이고,
# 키 {{ mh_n_tokens }}개에 고르게 퍼진 확률은 {{ mh_uniform_prob:.4f }}이다.

# %% [markdown]
# ## 3. FLOPs는 같고, 어텐션 맵은 h배
#
# FLOPs는 `FlopCounterMode`로 세고(층 전체: 투영 네 번과 헤드별 $QK^\top$, 가중합), 어텐션 맵의 원소 수는 softmax가
# 내놓은 텐서의 원소를 세는 작은 `TorchDispatchMode`로 센다. 세는 데에는 값이 필요 없으므로 모양만 있는 `meta` 텐서로
# 실행한다: $n = 4096$이어도 계산하지 않고 바로 센다.

# %%
class SoftmaxElements(TorchDispatchMode):
    """실행된 softmax의 출력 원소 수(= 어텐션 맵의 크기)를 더한다."""

    def __init__(self):
        super().__init__()
        self.elements = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func.overloadpacket == torch.ops.aten._softmax:
            self.elements += out.numel()
        return out


def layer_costs(d_model: int, n_heads: int, seq_len: int) -> dict[str, int]:
    """self-attention 층 하나의 행렬곱 FLOPs(투영 'projection_flops', 헤드별 어텐션 'attention_flops')와 어텐션 맵 원소 수."""
    x = torch.empty(seq_len, d_model, device="meta")  # 모양만 있고 값은 없는 텐서
    weights = [torch.empty(d_model, d_model, device="meta") for _ in range(4)]  # W^Q, W^K, W^V, W^O
    with FlopCounterMode(display=False) as flops, SoftmaxElements() as maps:
        multi_head_attention(x, *weights, n_heads)
    by_op = flops.get_flop_counts()["Global"]
    projection = by_op.get(torch.ops.aten.mm, 0)  # (n, d_model) @ (d_model, d_model): 투영 네 번
    attention = by_op.get(torch.ops.aten.bmm, 0)  # 헤드별 QKᵀ와 (softmax) V
    return {"projection_flops": projection, "attention_flops": attention,
            "flops": flops.get_total_flops(), "map_elements": maps.elements}


def mebibytes(elements: int, bytes_per_element: int = 4) -> float:
    """float32 원소 elements개의 크기 (MiB)."""
    return elements * bytes_per_element / 2**20


# %%
if __name__ == "__main__":
    costs = {h: layer_costs(D_MODEL, h, SEQ_LEN) for h in HEAD_COUNTS}
    one, default_costs = costs[1], costs[N_HEADS]
    publish("mh_seq_len", SEQ_LEN)
    publish("mh_flops_one_head", one["flops"])
    publish("mh_flops", default_costs["flops"])
    publish("mh_flops_ratio", default_costs["flops"] / one["flops"])
    publish("mh_flops_ratio_min", min(c["flops"] / one["flops"] for c in costs.values()))
    publish("mh_flops_ratio_max", max(c["flops"] / one["flops"] for c in costs.values()))
    publish("mh_map_elements_one_head", one["map_elements"])
    publish("mh_map_elements", default_costs["map_elements"])
    publish("mh_map_ratio", default_costs["map_elements"] / one["map_elements"])
    publish("mh_map_mib", mebibytes(default_costs["map_elements"]))
    publish("mh_qkv_elements", 3 * SEQ_LEN * D_MODEL)  # Q, K, V: h와 무관한 n × d_model 세 개
    for h, c in costs.items():
        print(f"h = {h:>2}: FLOPs {c['flops']:>14,} (투영 {c['projection_flops']:,}, 어텐션 {c['attention_flops']:,}), "
              f"어텐션 맵 {c['map_elements']:>11,}개 ({mebibytes(c['map_elements']):,.0f} MiB)")

# %% [markdown]
# 헤드 수를 바꿔도 FLOPs는 $h = 1$의 {{ mh_flops_ratio_min:.2f }}~{{ mh_flops_ratio_max:.2f }}배로 같다. 헤드 하나의 $QK^\top$는
# $2n^2 d_k$ FLOPs이고 헤드가 $h$개이므로 $2n^2 \cdot h d_k = 2n^2 d_{model}$, 곧 $h$가 지워진다. 어텐션 맵은
# 헤드 {{ mh_n_heads }}개에서 {{ mh_map_elements }}개로 $h = 1$의 {{ mh_map_ratio:.0f }}배이고, float32로
# {{ mh_map_mib:,.0f }} MiB다($n =$ {{ mh_seq_len }}, 층 하나, 시퀀스 하나). $h$와 상관없는 $Q, K, V$는 모두
# {{ mh_qkv_elements }}개다.

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    def power_of_two_label(value, _):
        """눈금 글자: 1 이상은 그대로(64), 1보다 작으면 분수(1/64)."""
        return f"{value:g}" if value >= 1 else f"1/{round(1 / value)}"

    def draw_heads():
        """h에 따른 헤드별 점수 분산(첫 번째 패널)과 h = 1 대비 FLOPs·어텐션 맵 크기(두 번째 패널)."""
        fig = plt.figure(figsize=(5.6, 8.6), layout="constrained")  # 휴대폰에서도 그대로 읽히게 위아래로 쌓는다
        top, bottom = fig.subfigures(2, 1)
        hs = list(HEAD_COUNTS)
        ax = top.subplots()
        ax.plot(hs, [variances[h]["raw"] for h in hs], "o", color="C0", label="나누기 전")
        ax.plot(hs, [D_MODEL / h for h in hs], "-", color="C0", alpha=0.6, label="이론: d_k = d_model/h")
        ax.plot(hs, [variances[h]["head_scale"] for h in hs], "s-", color="C1", label="√d_k로 나눔")
        ax.plot(hs, [variances[h]["model_scale"] for h in hs], "^-", color="C2", label="√d_model로 나눔 (대조군)")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log", base=2)
        ax.yaxis.set_major_formatter(FuncFormatter(power_of_two_label))
        ax.set_xlabel("헤드 수 h")
        ax.set_ylabel("헤드별 점수의 분산")
        ax.set_title(f"헤드 하나의 점수 분산 (d_model = {D_MODEL})")
        legend_below(top, ncols=2)
        ax = bottom.subplots()
        ax.plot(hs, [costs[h]["map_elements"] / one["map_elements"] for h in hs], "o-", color="C3",
                label="어텐션 맵 원소 수")
        ax.plot(hs, [costs[h]["flops"] / one["flops"] for h in hs], "s-", color="C4", label="행렬곱 FLOPs")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log", base=2)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.set_xlabel("헤드 수 h")
        ax.set_ylabel("h = 1 대비 배수")
        ax.set_title(f"층 하나의 비용 (n = {SEQ_LEN})")
        legend_below(bottom, ncols=2)
        return fig

    save_figure(
        "mh-heads",
        draw_heads,
        alt=(
            f"로그-로그 그래프 두 개, 가로축은 헤드 수 h(d_model = {D_MODEL}). 첫 번째 패널: 헤드별 점수의 분산이 "
            "이론선 d_k = d_model/h를 따라 줄어들고(h = {{ mh_n_heads }}에서 {{ mh_var_raw:.1f }}), √d_k로 나누면 "
            "{{ mh_var_head_scale_min:.2f }}~{{ mh_var_head_scale_max:.2f }}(으)로 1 근처, √d_model로 나누면 1/h처럼 줄어든다. "
            "두 번째 패널: h = 1 대비 행렬곱 FLOPs는 모든 h에서 {{ mh_flops_ratio_max:.2f }}배이고, 어텐션 맵 원소 수는 h배로 는다"
        ),
    )

# %% [markdown]
# ## 4. 연습 문제의 변형: N_HEADS = 16, SEQ_LEN = 4096
#
# 페이지의 연습 문제가 바꿔 보라는 두 설정을 빌드가 함께 돌린다.
#
# - $h = 16$($d_k = 32$): 헤드별 점수의 분산은 {{ mh_n_heads_16_var_raw:.1f }}, $\sqrt{d_k}$로 나누면
#   {{ mh_n_heads_16_var_head_scale:.2f }}, FLOPs는 기본값의 {{ mh_n_heads_16_flops_ratio:.2f }}배, 어텐션 맵은
#   {{ mh_n_heads_16_map_ratio:.0f }}배({{ mh_n_heads_16_map_mib:,.0f }} MiB).
# - $n = 4096$(헤드 {{ mh_n_heads }}개): 어텐션 맵은 {{ mh_seq_len_4096_map_elements }}개, {{ mh_seq_len_4096_map_mib:,.0f }} MiB로
#   $n =$ {{ mh_seq_len }}의 {{ mh_seq_len_4096_map_ratio:.0f }}배, FLOPs는 {{ mh_seq_len_4096_flops_ratio:.2f }}배다.

# %%
if __name__ == "__main__":
    variant = f"mh_n_heads_{N_HEADS_EXERCISE}"
    heads_variance = score_variance_per_head(D_MODEL, N_HEADS_EXERCISE)
    heads_costs = layer_costs(D_MODEL, N_HEADS_EXERCISE, SEQ_LEN)
    publish(f"{variant}_d_k", heads_variance["d_k"])
    publish(f"{variant}_var_raw", heads_variance["raw"])
    publish(f"{variant}_var_head_scale", heads_variance["head_scale"])
    publish(f"{variant}_flops_ratio", heads_costs["flops"] / default_costs["flops"])
    publish(f"{variant}_map_ratio", heads_costs["map_elements"] / default_costs["map_elements"])
    publish(f"{variant}_map_mib", mebibytes(heads_costs["map_elements"]))

    variant = f"mh_seq_len_{SEQ_LEN_EXERCISE}"
    long_costs = layer_costs(D_MODEL, N_HEADS, SEQ_LEN_EXERCISE)
    publish(f"{variant}_map_elements", long_costs["map_elements"])
    publish(f"{variant}_map_mib", mebibytes(long_costs["map_elements"]))
    publish(f"{variant}_map_ratio", long_costs["map_elements"] / default_costs["map_elements"])
    publish(f"{variant}_flops_ratio", long_costs["flops"] / default_costs["flops"])
    publish(f"{variant}_attention_flops_ratio", long_costs["attention_flops"] / default_costs["attention_flops"])
    publish(f"{variant}_projection_flops_ratio", long_costs["projection_flops"] / default_costs["projection_flops"])
    print(f"h = {N_HEADS_EXERCISE}: 분산 {heads_variance['raw']:.2f}, FLOPs {heads_costs['flops']:,}, "
          f"맵 {heads_costs['map_elements']:,}")
    print(f"n = {SEQ_LEN_EXERCISE}: FLOPs {long_costs['flops']:,}, 맵 {long_costs['map_elements']:,}")

# %% [markdown]
# 길이를 4배로 늘리면 어텐션 맵은 $n^2$을 따라 {{ mh_seq_len_4096_map_ratio:.0f }}배가 되고, FLOPs는 $n^2$에 비례하는 어텐션 부분
# ({{ mh_seq_len_4096_attention_flops_ratio:.0f }}배)과 $n$에 비례하는 투영 부분({{ mh_seq_len_4096_projection_flops_ratio:.0f }}배)이
# 섞여 그 사이다. 메모리를 아끼는 어텐션 구현, 예를 들어 FlashAttention(Dao et al., 2022)은 $n \times n$ 맵을 메모리에 한꺼번에
# 만들지 않고 블록 단위로 계산해 같은 결과를 낸다. 이 노트북은 그것을 구현하지 않고, 그런 구현이 필요한 까닭인 맵의 크기만 센다.
