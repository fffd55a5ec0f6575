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
# # 디코더: 인과 마스크, teacher forcing, KV 캐시
#
# Transformer 디코더의 self-attention은 위치 $i$가 자기보다 뒤의 위치를 보지 못하게 가린다(논문 §3.2.3, 인과 마스크).
# 이 노트북은 작은 디코더({{ dec_n_layers }}층, $d =$ {{ dec_d_model }}, 헤드 {{ dec_n_heads }}개)를 만들어 세 가지를 센다.
#
# 1. **teacher forcing**: 정답 시퀀스 전체를 한 번에 넣은 출력이, 위치를 하나씩 늘려 가며 따로 실행한 출력과 모든 위치에서
#    같다. 그래서 학습은 한 번의 병렬 계산으로 끝나고, 생성은 토큰마다 한 단계씩 차례로 간다.
# 2. **KV 캐시**: 생성할 때 앞 위치의 키와 값을 저장해 두면 출력은 그대로이고, 토큰 하나의 어텐션 연산이
#    $O(n^2 \cdot d)$에서 $O(n \cdot d)$로 준다.
# 3. **마스크와 위치**: 위치 인코딩이 없어도 인과 마스크가 있으면 출력이 위치에 따라 달라진다(Haviv et al., 2022).

# %%
import math

import numpy as np
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

# 저장소 폴더에서 `python -m snippets.decoder`으로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)
from snippets.complexity import sequential_steps  # 행렬곱 임계 경로의 길이를 세는 도구 (복잡도 노트북)

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다.

# %%
D_MODEL = 64  # 표현 차원 d
N_HEADS = 2  # 헤드 수 (d_k = D_MODEL / N_HEADS)
N_LAYERS = 2  # 디코더 층 수
VOCAB = 50  # 어휘 크기
PROMPT_LEN = 4  # 생성을 시작할 때 주는 토큰 수
N_GENERATE = 32  # 생성할 토큰 수
COUNT_LENGTHS = (64, 128, 256, 512, 1024, 2048, 4096)  # 토큰 하나의 연산을 셀 앞 토큰 수 n
TOLERANCE = 1e-10  # float64에서 "같다"의 허용 오차 (최대 절대 오차)
D_MODEL_EXERCISE = 128  # 연습 문제: D_MODEL을 이 값으로 바꾸면 (빌드가 함께 돌린다)
N_LAYERS_EXERCISE = 4  # 연습 문제: N_LAYERS를 이 값으로 바꾸면 (빌드가 함께 돌린다)

# %% [markdown]
# ## 1. 인과 마스크가 있는 디코더 층
#
# 쿼리 $t$개가 키 $s$개($s \ge t$)를 본다. 쿼리가 마지막 $t$개 위치라면 쿼리 $i$의 위치는 $s - t + i$이고, 그보다 뒤의
# 키는 점수를 $-\infty$로 두어 softmax 확률이 0이 되게 한다(논문 §3.2.3: "masking out (setting to $-\infty$)").
# 캐시 없이 시퀀스 전체를 넣으면 $t = s$이고, 캐시로 한 토큰씩 생성하면 $t = 1$이다. 두 경우가 같은 함수다.

# %%
def attend(q, k, v, causal: bool = True):
    """헤드별 softmax(QKᵀ/√d_k)V. q (h, t, d_k)는 마지막 t개 위치, k·v (h, s, d_k)는 위치 0 … s-1."""
    t, s = q.shape[1], k.shape[1]
    scores = q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])  # (h, t, s)
    if causal:
        future = torch.ones(t, s, dtype=torch.bool, device=q.device).triu(diagonal=s - t + 1)
        scores = scores.masked_fill(future, float("-inf"))  # 쿼리보다 뒤의 키: 확률 0
    return torch.softmax(scores, dim=-1) @ v


class DecoderLayer(nn.Module):
    """Pre-LN 디코더 층: 인과 self-attention과 FFN, 각각 잔차 연결."""

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.n_heads = n_heads
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)  # W^Q, W^K, W^V를 한 번에
        self.out = nn.Linear(d_model, d_model)  # W^O
        self.ffn = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def heads(self, x):
        """(t, d)를 (h, t, d_k)로 자른다."""
        return x.view(x.shape[0], self.n_heads, -1).transpose(0, 1)

    def forward(self, x, cache=None, causal: bool = True):
        """x: 새 위치들 (t, d). cache: 앞 위치들의 (K, V) 또는 None. 돌려주는 것: (출력, 새 캐시)."""
        q, k, v = (self.heads(part) for part in self.qkv(self.norm1(x)).chunk(3, dim=-1))
        if cache is not None:  # KV 캐시: 앞 위치의 키·값을 다시 계산하지 않고 이어 붙인다
            k, v = torch.cat([cache[0], k], dim=1), torch.cat([cache[1], v], dim=1)
        attended = attend(q, k, v, causal).transpose(0, 1).reshape(x.shape)
        x = x + self.out(attended)
        return x + self.ffn(self.norm2(x)), (k, v)


class TinyDecoder(nn.Module):
    """토큰 임베딩 + 학습되는 위치 임베딩 → 디코더 층들 → 다음 토큰의 로짓."""

    def __init__(self, d_model=D_MODEL, n_heads=N_HEADS, n_layers=N_LAYERS, vocab=VOCAB,
                 max_len=PROMPT_LEN + N_GENERATE):
        super().__init__()
        self.tokens, self.positions = nn.Embedding(vocab, d_model), nn.Embedding(max_len, d_model)
        self.layers = nn.ModuleList(DecoderLayer(d_model, n_heads) for _ in range(n_layers))
        self.norm, self.head = nn.LayerNorm(d_model), nn.Linear(d_model, vocab)

    def decode(self, x, caches=None, causal: bool = True):
        """디코더 층들만: x (t, d) → (출력 (t, d), 층별 캐시)."""
        new_caches = []
        for layer, cache in zip(self.layers, caches or [None] * len(self.layers)):
            x, kv = layer(x, cache, causal)
            new_caches.append(kv)
        return x, new_caches

    def forward(self, tokens, caches=None, causal: bool = True):
        """tokens (t,): 새 토큰들. caches가 있으면 그 뒤의 위치로 놓는다. 돌려주는 것: (로짓 (t, vocab), 캐시)."""
        start = 0 if caches is None else caches[0][0].shape[1]  # 캐시에 든 앞 위치의 수
        positions = torch.arange(start, start + len(tokens), device=tokens.device)
        x, caches = self.decode(self.tokens(tokens) + self.positions(positions), caches, causal)
        return self.head(self.norm(x)), caches


def tiny_decoder(seed: int = 0, **sizes) -> TinyDecoder:
    """무작위 가중치(고정 시드)의 float64 디코더. 학습하지 않는다: 계산이 같은지만 본다."""
    torch.manual_seed(seed)
    return TinyDecoder(**sizes).double().eval()


def prompt_tokens(seed: int = 0) -> torch.Tensor:
    """생성을 시작할 토큰 PROMPT_LEN개."""
    return torch.randint(VOCAB, (PROMPT_LEN,), generator=torch.Generator().manual_seed(seed))


# %% [markdown]
# ## 2. 캐시 없이, 캐시로 생성하기
#
# 탐욕적 생성(가장 큰 로짓의 토큰)을 두 가지로 한다.
#
# - **캐시 없이**: 토큰마다 지금까지의 시퀀스 전체를 다시 넣는다. 층이 둘 이상이면 이 재계산을 피할 수 없다: 2층의 앞
#   위치 키·값은 1층이 그 위치에서 낸 출력으로 만들고, 그 출력은 1층 어텐션을 그 위치에서 다시 해야 얻는다.
# - **KV 캐시**: 층마다 앞 위치의 키·값을 저장해 두고, 새 토큰 하나의 쿼리·키·값만 계산한다.

# %%
@torch.no_grad()
def generate(model, prompt, n_new: int, use_cache: bool):
    """탐욕적 생성. 돌려주는 것: (생성한 토큰 (n_new,), 단계별 로짓 (n_new, vocab))."""
    tokens, logits_per_step, caches = prompt, [], None
    for _ in range(n_new):
        if use_cache:
            new = tokens if caches is None else tokens[-1:]  # 처음에는 프롬프트 전체, 그다음부터 새 토큰 하나
            logits, caches = model(new, caches)
        else:
            logits, _ = model(tokens)  # 시퀀스 전체를 처음부터
        logits_per_step.append(logits[-1])
        tokens = torch.cat([tokens, logits[-1].argmax().view(1)])  # 토큰을 텐서로 두어 의존 관계를 셀 수 있게 한다
    return tokens[len(prompt):], torch.stack(logits_per_step)


def compare_generation(model=None, prompt=None, n_new: int = N_GENERATE) -> dict[str, float]:
    """캐시 없이와 캐시로 생성한 결과: 같은 토큰의 수와 로짓의 최대 절대 차이."""
    model = model if model is not None else tiny_decoder()
    prompt = prompt if prompt is not None else prompt_tokens()
    plain_tokens, plain_logits = generate(model, prompt, n_new, use_cache=False)
    cached_tokens, cached_logits = generate(model, prompt, n_new, use_cache=True)
    return {"same_tokens": int((plain_tokens == cached_tokens).sum()),
            "distinct_tokens": len(set(cached_tokens.tolist())),
            "max_abs_diff": (plain_logits - cached_logits).abs().max().item()}


# %%
if __name__ == "__main__":
    comparison = compare_generation()
    publish("dec_d_model", D_MODEL)
    publish("dec_n_layers", N_LAYERS)
    publish("dec_n_heads", N_HEADS)
    publish("dec_n_generate", N_GENERATE)
    publish("dec_same_tokens", comparison["same_tokens"])
    publish("dec_distinct_tokens", comparison["distinct_tokens"])
    publish("dec_tolerance", TOLERANCE)
    assert comparison["max_abs_diff"] < TOLERANCE, comparison
    print(f"같은 토큰 {comparison['same_tokens']}/{N_GENERATE}, 서로 다른 토큰 {comparison['distinct_tokens']}종류, "
          f"로짓의 최대 절대 차이 {comparison['max_abs_diff']:.1e}")

# %% [markdown]
# 생성한 토큰 {{ dec_n_generate }}개가 모두 같고({{ dec_same_tokens }}개), 단계마다 로짓의 차이도 허용 오차 {{ dec_tolerance:.0e }} 안이다.
# 비트 단위로 같다고 하지 않는 까닭: 두 방법은 같은 식을 계산하지만 행렬곱의 모양이 달라서(쿼리 $n$개 대 1개) 라이브러리가
# 덧셈을 다른 순서로 묶을 수 있고, 부동소수점 덧셈은 순서에 따라 마지막 자리가 달라진다. 가려진 키는 $e^{-\infty} = 0$이라
# 확률에 정확히 0을 더할 뿐이다.

# %% [markdown]
# ## 3. 토큰 하나를 만드는 데 드는 곱셈-덧셈
#
# 앞 토큰이 $n - 1$개 있을 때 $n$번째 위치의 출력을 얻는 비용을 디코더 층들에 대해서만 센다(임베딩과 출력층은 두 방법에서
# 같다). `FlopCounterMode`가 센 FLOPs를 2로 나누면 곱셈-덧셈 수다. 연산 종류로 둘을 나눈다.
#
# - **어텐션 부분**(`bmm`): 헤드별 $QK^\top$와 가중합. 키가 $n$개인 쿼리 하나는 $2 n d$, 쿼리 $n$개는 $2 n^2 d$.
# - **나머지**(`addmm`): 투영 $W^Q, W^K, W^V, W^O$($4d^2$)와 FFN($8d^2$), 위치 하나에 $12 d^2$.
#
# 세는 데에는 값이 필요 없으므로 모양만 있는 `meta` 텐서로 실행한다.

# %%
def per_token_macs(n: int, use_cache: bool, d_model: int = D_MODEL, n_layers: int = N_LAYERS,
                   n_heads: int = N_HEADS) -> dict[str, int]:
    """앞 토큰 n - 1개 뒤의 토큰 하나를 계산하는 곱셈-덧셈 수: 'attention', 'other', 'total' (디코더 층들)."""
    with torch.device("meta"):  # 모양만 있는 가중치와 입력
        model = TinyDecoder(d_model, n_heads, n_layers)
        d_k = d_model // n_heads
        if use_cache:
            x = torch.empty(1, d_model)
            caches = [(torch.empty(n_heads, n - 1, d_k), torch.empty(n_heads, n - 1, d_k)) for _ in range(n_layers)]
        else:
            x, caches = torch.empty(n, d_model), None
    with FlopCounterMode(display=False) as counter:
        model.decode(x, caches)
    by_op = counter.get_flop_counts()["Global"]
    attention = by_op.get(torch.ops.aten.bmm, 0) // 2
    total = counter.get_total_flops() // 2
    return {"attention": attention, "other": total - attention, "total": total}


def loglog_slope(xs, ys) -> float:
    """log y = a log x + c의 최소제곱 기울기 a (소수 아홉째 자리에서 반올림: 0이 -0.00으로 찍히지 않게)."""
    return round(float(np.polyfit(np.log(xs), np.log(ys), deg=1)[0]), 9) + 0.0


def cost_sweep(lengths=COUNT_LENGTHS, **sizes) -> dict[bool, dict[str, list[int]]]:
    """캐시 여부(False, True)마다 n에 따른 토큰 하나의 곱셈-덧셈 ('attention', 'other', 'total' 목록)."""
    sweep = {}
    for use_cache in (False, True):
        counts = [per_token_macs(n, use_cache, **sizes) for n in lengths]
        sweep[use_cache] = {part: [c[part] for c in counts] for part in ("attention", "other", "total")}
    return sweep


def cached_crossover(d_model: int = D_MODEL, n_layers: int = N_LAYERS) -> int:
    """캐시로 생성할 때 어텐션 부분이 나머지(투영과 FFN) 이상이 되는 가장 작은 n.

    한 번 센 값에서 푼다: 캐시로는 어텐션 부분이 키 수 n에 정확히 비례하고(키 하나에 attention(n)/n) 나머지는 n과 무관하다.
    """
    cost = per_token_macs(1024, True, d_model, n_layers)
    per_key = cost["attention"] // 1024
    return -(-cost["other"] // per_key)  # other / per_key의 올림


def cache_elements(n: int, d_model: int = D_MODEL, n_layers: int = N_LAYERS) -> int:
    """위치 n개의 KV 캐시에 든 수의 개수 (층마다 K와 V, 각 n × d)."""
    with torch.device("meta"):  # 모양만 있는 모델과 토큰: 캐시의 모양만 본다
        model = TinyDecoder(d_model, N_HEADS, n_layers, max_len=n)
        _, caches = model(torch.zeros(n, dtype=torch.long))
    return sum(k.numel() + v.numel() for k, v in caches)


# %%
if __name__ == "__main__":
    sweep = cost_sweep()
    ns = COUNT_LENGTHS
    for n in (1024, 4096):
        for use_cache, name in ((False, "uncached"), (True, "cached")):
            publish(f"dec_macs_{name}_{n}", sweep[use_cache]["total"][ns.index(n)])
    publish("dec_ratio_1024", sweep[False]["total"][ns.index(1024)] / sweep[True]["total"][ns.index(1024)])
    for use_cache, name in ((False, "uncached"), (True, "cached")):
        publish(f"dec_slope_attention_{name}", loglog_slope(ns, sweep[use_cache]["attention"]))
        # 층 전체의 기울기: 고정 비용 12d² 때문에 n이 작을 때 낮다. 마지막 옥타브(2048 → 4096)에서 본다
        publish(f"dec_slope_total_{name}_last", loglog_slope(ns[-2:], sweep[use_cache]["total"][-2:]))
    publish("dec_slope_total_cached_first", loglog_slope(ns[:2], sweep[True]["total"][:2]))
    publish("dec_cached_crossover", cached_crossover())
    publish("dec_cache_elements_1024", cache_elements(1024))
    for n, plain, cached in zip(ns, sweep[False]["total"], sweep[True]["total"]):
        print(f"n = {n:>4}: 캐시 없이 {plain:>13,}, 캐시로 {cached:>9,}")

# %% [markdown]
# 어텐션 부분의 기울기는 캐시 없이 {{ dec_slope_attention_uncached:.2f }}, 캐시로 {{ dec_slope_attention_cached:.2f }}이다.
# 캐시 없이는 위치 $n$개를 모두 다시 계산하므로 층 전체가 정확히 $n$배다($n = 1024$에서 {{ dec_ratio_1024:,.0f }}배).
# 캐시로는 $n$과 무관한 고정 비용 $12d^2$이 $n =$ {{ dec_cached_crossover }}($6d$)까지 더 커서, 층 전체의 기울기가
# $n = 64$~$128$에서 {{ dec_slope_total_cached_first:.2f }}, $2048$~$4096$에서 {{ dec_slope_total_cached_last:.2f }}이다
# (캐시 없이는 {{ dec_slope_total_uncached_last:.2f }}). 캐시에는 층마다 $K$, $V$가 쌓인다($n = 1024$에서 {{ dec_cache_elements_1024 }}개).

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt

    def draw_cost():
        """n에 따른 토큰 하나의 곱셈-덧셈 (로그-로그): 캐시 없이와 캐시로, 층 전체(실선)와 어텐션 부분(점선)."""
        fig, ax = plt.subplots(figsize=(7.0, 5.2), layout="constrained")
        for use_cache, color, marker, name in ((False, "C1", "s", "캐시 없이"), (True, "C0", "o", "KV 캐시")):
            total, attention = sweep[use_cache]["total"], sweep[use_cache]["attention"]
            ax.plot(ns, total, marker + "-", color=color, label=f"{name}: 층 전체 (끝 기울기 {loglog_slope(ns[-2:], total[-2:]):.2f})")
            ax.plot(ns, attention, marker + "--", color=color, alpha=0.7, markerfacecolor="none",
                    label=f"{name}: 어텐션 부분 (기울기 {loglog_slope(ns, attention):.2f})")
        ax.set(xscale="log", yscale="log", xlabel="앞 토큰을 포함한 위치 수 n", ylabel="토큰 하나의 곱셈-덧셈 수",
               title=f"생성 토큰 하나의 비용 (d = {D_MODEL}, {N_LAYERS}층)")
        ax.set_xscale("log", base=2)
        legend_below(fig)
        return fig

    save_figure(
        "dec-kv-cache",
        draw_cost,
        alt=(
            f"로그-로그 그래프. 가로축은 위치 수 n(n = {ns[0]}~{ns[-1]}), 세로축은 토큰 하나를 만드는 곱셈-덧셈 수. "
            "캐시 없이는 어텐션 부분의 기울기가 {{ dec_slope_attention_uncached:.2f }}, KV 캐시로는 "
            "{{ dec_slope_attention_cached:.2f }}이다. n = 4096에서 층 전체의 비용은 캐시 없이 {{ dec_macs_uncached_4096 }}, "
            "캐시로 {{ dec_macs_cached_4096 }}이다"
        ),
    )

# %% [markdown]
# ## 4. teacher forcing: 한 번에 넣어도 위치마다 같은 출력
#
# 학습할 때는 정답 시퀀스가 이미 있다. 인과 마스크가 있으면 위치 $i$의 출력은 위치 $0 \dots i$의 입력에만 달려 있으므로,
# 시퀀스 전체를 한 번에 넣은 출력(한 번의 병렬 계산)이 앞부분만 넣고 마지막 위치를 읽은 출력($n$번의 계산)과 모든 위치에서
# 같아야 한다. 대조군은 마스크를 뺀 같은 모델이다: 한 번에 넣으면 앞 위치가 뒤 위치를 보게 된다.
#
# 순차 단계도 센다. 복잡도 노트북의 도구(`sequential_steps`)로, 출력까지 차례로 거쳐야 하는 행렬곱 사슬의 길이를 잰다.

# %%
@torch.no_grad()
def teacher_forcing_check(model, sequence, causal: bool = True) -> dict[str, float]:
    """한 번에 넣은 출력과 앞부분만 넣은 출력을 위치마다 비교: 같은 위치 수와 최대 절대 차이."""
    all_at_once, _ = model(sequence, causal=causal)
    one_by_one = torch.stack([model(sequence[: i + 1], causal=causal)[0][-1] for i in range(len(sequence))])
    differences = (all_at_once - one_by_one).abs().amax(dim=-1)
    return {"positions": len(sequence), "matching": int((differences < TOLERANCE).sum()),
            "max_abs_diff": differences.max().item()}


def sequential_depths(model, prompt, n_new: int) -> dict[str, int]:
    """행렬곱 임계 경로의 길이: 시퀀스를 한 번에 넣을 때('teacher_forcing')와 토큰을 생성할 때('generation')."""
    tokens, _ = generate(model, prompt, n_new, use_cache=True)
    sequence = torch.cat([prompt, tokens])
    with torch.no_grad():
        once = sequential_steps(lambda s: model(s)[0], sequence)["depth"]
        generated = sequential_steps(lambda p: generate(model, p, n_new, use_cache=True)[1], prompt)["depth"]
    return {"teacher_forcing": once, "generation": generated}


# %%
if __name__ == "__main__":
    model = tiny_decoder()
    generated, _ = generate(model, prompt_tokens(), N_GENERATE, use_cache=True)
    target = torch.cat([prompt_tokens(), generated])  # 정답 시퀀스 대신: 프롬프트와 생성한 토큰
    masked, unmasked = teacher_forcing_check(model, target), teacher_forcing_check(model, target, causal=False)
    publish("dec_tf_positions", masked["positions"])
    publish("dec_tf_matching", masked["matching"])
    publish("dec_tf_unmasked_matching", unmasked["matching"])
    publish("dec_tf_unmasked_max_diff", unmasked["max_abs_diff"])
    publish("dec_n_generate_half", N_GENERATE // 2)
    depths = {n: sequential_depths(model, prompt_tokens(), n) for n in (N_GENERATE // 2, N_GENERATE)}
    for n, suffix in ((N_GENERATE, ""), (N_GENERATE // 2, "_half")):
        for kind in ("teacher_forcing", "generation"):
            publish(f"dec_depth_{kind}{suffix}", depths[n][kind])
    print(f"마스크: {masked}\n마스크 없음: {unmasked}\n순차 단계: {depths}")

# %% [markdown]
# 마스크가 있으면 위치 {{ dec_tf_positions }}개 중 {{ dec_tf_matching }}개에서 두 출력이 같다. 마스크를 빼면
# {{ dec_tf_unmasked_matching }}개(시퀀스 전체를 보는 마지막 위치)만 같고, 차이가 최대 {{ dec_tf_unmasked_max_diff:.2f }}(이)다.
# 순차 단계는 시퀀스를 한 번에 넣을 때 {{ dec_depth_teacher_forcing }}단계(생성한 토큰이 {{ dec_n_generate_half }}개뿐인 더 짧은
# 시퀀스에서도 {{ dec_depth_teacher_forcing_half }}단계)이고, 토큰 {{ dec_n_generate }}개를 생성할 때 {{ dec_depth_generation }}단계
# ({{ dec_n_generate_half }}개이면 {{ dec_depth_generation_half }}단계)다. 다음 토큰은 앞 토큰의 argmax가 나와야 넣을 수 있다:
# 학습은 병렬, 생성은 토큰 수만큼 차례로다.

# %% [markdown]
# ## 5. 인과 마스크는 위치를 알려 준다
#
# 위치 인코딩이 없는 self-attention은 입력의 순서를 모른다: 같은 벡터가 놓인 위치들은 같은 출력을 낸다. Haviv et al.(2022)은
# 위치 인코딩 없이 학습한 인과 언어 모델도 위치를 알아낸다는 것을 보이고, 인과 마스크 덕분에 각 토큰이 볼 수 있는 앞 토큰의
# 수를 셀 수 있기 때문이라고 추정했다. 가장 작은 예로 확인한다: 헤드 하나, 위치 인코딩 없음, 입력은 첫 토큰 $a$ 뒤에 같은 토큰
# $c$가 이어진 시퀀스다. 위치 $i$의 쿼리는 마스크가 있으면 $a$ 하나와 $c$ $i$개를 보고, 마스크가 없으면 모두를 본다.

# %%
POSITION_LEN = 16  # 위치 실험의 시퀀스 길이


@torch.no_grad()
def first_token_weights(causal: bool, length: int = POSITION_LEN, d: int = D_MODEL, distinct_first: bool = True,
                        seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """위치 인코딩 없는 헤드 하나에서, 위치마다 첫 토큰에 준 어텐션 확률 (length,)와 출력 (length, d)."""
    generator = torch.Generator().manual_seed(seed)
    a, c = torch.randn(2, d, generator=generator, dtype=torch.float64)
    x = torch.stack([a if (i == 0 and distinct_first) else c for i in range(length)])
    w_q, w_k, w_v = (torch.randn(d, d, generator=generator, dtype=torch.float64) / math.sqrt(d) for _ in range(3))
    q, k, v = ((x @ w).unsqueeze(0) for w in (w_q, w_k, w_v))  # 헤드 하나: (1, length, d)
    scores = q @ k.transpose(1, 2) / math.sqrt(d)
    if causal:
        scores = scores.masked_fill(torch.ones(length, length, dtype=torch.bool).triu(1), float("-inf"))
    weights = torch.softmax(scores, dim=-1)[0]
    return weights[:, 0], (weights @ v[0])


def output_spread(causal: bool, distinct_first: bool = True) -> float:
    """위치 1 … 끝의 출력이 서로 얼마나 다른가: 위치 1과 마지막 위치 출력의 거리."""
    _, outputs = first_token_weights(causal, distinct_first=distinct_first)
    return (outputs[1] - outputs[-1]).norm().item()


# %%
if __name__ == "__main__":
    causal_weights, _ = first_token_weights(causal=True)
    full_weights, _ = first_token_weights(causal=False)
    publish("dec_pos_len", POSITION_LEN)
    publish("dec_pos_causal_first_weight_1", causal_weights[1])
    publish("dec_pos_causal_first_weight_last", causal_weights[-1])
    publish("dec_pos_unmasked_first_weight", full_weights[1])
    publish("dec_pos_causal_spread", output_spread(causal=True))
    print("첫 토큰에 준 확률 (마스크):", [round(w, 3) for w in causal_weights.tolist()])
    print("위치 1과 끝의 출력 거리: 마스크", output_spread(True), "/ 마스크 없음", output_spread(False),
          "/ 모두 같은 토큰(마스크)", output_spread(True, distinct_first=False))

# %% [markdown]
# 마스크가 있으면 첫 토큰에 주는 확률이 위치 1의 {{ dec_pos_causal_first_weight_1:.3f }}에서 마지막 위치의
# {{ dec_pos_causal_first_weight_last:.3f }}까지 위치마다 다르고, 같은 토큰 $c$가 놓인 위치들의 출력도 서로 다르다(위치 1과 마지막 위치의
# 거리 {{ dec_pos_causal_spread:.3f }}). 마스크가 없으면 모든 위치가 첫 토큰에 같은 확률({{ dec_pos_unmasked_first_weight:.3f }})을 주고
# 출력도 같다. 위치는 "앞에 몇 개가 있는가"로 들어온다. 그래서 시퀀스가 모두 같은 토큰이면 마스크가 있어도 위치마다 출력이 같다:
# 앞 토큰의 수가 달라도 모두 같은 벡터의 평균이기 때문이다.

# %% [markdown]
# ## 6. 연습 문제의 변형: D_MODEL = 128, N_LAYERS = 4
#
# - $d = 128$: 캐시로 생성할 때 어텐션 부분이 나머지를 넘어서는 $n$은 {{ dec_d_model_128_cached_crossover }}, 어텐션 부분의 기울기는
#   캐시 없이 {{ dec_d_model_128_slope_attention_uncached:.2f }}, 캐시로 {{ dec_d_model_128_slope_attention_cached:.2f }}.
# - 4층: $n = 1024$에서 토큰 하나의 곱셈-덧셈은 캐시 없이 {{ dec_n_layers_4_macs_uncached_1024 }}, 캐시로
#   {{ dec_n_layers_4_macs_cached_1024 }}, KV 캐시는 {{ dec_n_layers_4_cache_elements_1024 }}개.

# %%
if __name__ == "__main__":
    wide = cost_sweep(d_model=D_MODEL_EXERCISE)
    variant = f"dec_d_model_{D_MODEL_EXERCISE}"
    publish(f"{variant}_cached_crossover", cached_crossover(d_model=D_MODEL_EXERCISE))
    publish(f"{variant}_slope_attention_uncached", loglog_slope(ns, wide[False]["attention"]))
    publish(f"{variant}_slope_attention_cached", loglog_slope(ns, wide[True]["attention"]))

    variant = f"dec_n_layers_{N_LAYERS_EXERCISE}"
    deep = {use_cache: per_token_macs(1024, use_cache, n_layers=N_LAYERS_EXERCISE)["total"] for use_cache in (False, True)}
    publish(f"{variant}_macs_uncached_1024", deep[False])
    publish(f"{variant}_macs_cached_1024", deep[True])
    publish(f"{variant}_ratio_1024", deep[False] / deep[True])
    publish(f"{variant}_cache_elements_1024", cache_elements(1024, n_layers=N_LAYERS_EXERCISE))
    print(f"d = {D_MODEL_EXERCISE}: 캐시로 토큰 하나 {wide[True]['total']}")
    print(f"{N_LAYERS_EXERCISE}층, n = 1024: 캐시 없이 {deep[False]:,}, 캐시로 {deep[True]:,}")
