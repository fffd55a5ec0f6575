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
# # 위치 표현 비교: 학습된 위치부터 RoPE, ALiBi까지
#
# 위치 정보를 Transformer에 넣는 방법은 sinusoidal PE(Vaswani et al., 2017, §3.5) 말고도 여럿이다. 입력에 더하는
# 학습된 위치 임베딩, 어텐션 점수 안에 상대 거리를 넣는 상대 위치 표현(Shaw et al., 2018; T5), 쿼리와 키를 돌리는
# RoPE(Su et al., 2021), 점수에 거리에 비례한 벌점을 더하는 ALiBi(Press et al., 2022)가 있다. 이 노트북은 그중
# 계산으로 확인할 수 있는 것을 확인한다.
#
# 1. RoPE: 쿼리를 위치 $m$, 키를 위치 $n$만큼 돌린 뒤의 점수 $q_m \cdot k_n$은 $m - n$에만 달려 있다.
#    대조군으로, 같은 벡터에 sinusoidal PE를 **더하면** 그렇지 않다.
# 2. ALiBi: 헤드마다 기울기 $m_h = 2^{-8h/H}$로 거리에 비례한 음의 편향을 점수에 더한다. 기울기와 편향 행렬을 만든다.
# 3. 논문 §3.4의 $\sqrt{d_{model}}$: 임베딩과 softmax 직전 선형 변환이 같은 가중치를 쓸 때, 임베딩 성분의 크기와 PE의 크기,
#    그리고 같은 가중치로 만든 로짓의 크기를 잰다.
# 4. 연습 문제: 헤드 수를 16으로, 모델 차원을 1024로 바꾼 설정도 함께 돌린다.

# %%
import math

import torch

# 저장소 폴더에서 `python -m snippets.position_representations`로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)
from snippets.layer_norm import single_thread  # 스레드 수와 상관없이 같은 값이 나오게
from snippets.positional_encoding import frequencies, sinusoidal_encoding

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다.

# %%
D_HEAD = 64  # RoPE를 거는 헤드 하나의 차원 (논문 base 모델의 d_k = 64)
N_POSITIONS = 512  # RoPE 확인에 쓰는 위치 0 … 511
N_HEADS = 8  # ALiBi의 헤드 수 (Press et al. §3이 든 8헤드의 예)
N_HEADS_EXERCISE = 16  # 연습 문제 1의 헤드 수: 빌드가 이 설정도 함께 돌린다
D_MODEL = 512  # 임베딩 차원 (논문 base 모델)
D_MODEL_EXERCISE = 1024  # 연습 문제 2의 모델 차원: 빌드가 이 설정도 함께 돌린다
VOCAB = 10_000  # 공유 가중치 행렬의 어휘 수 (로짓 크기를 재는 데만 쓴다)

# %% [markdown]
# ## 1. RoPE: 쿼리와 키를 위치만큼 돌린다
#
# RoPE(Su et al., 2021, §3.2)는 헤드 차원 $d$의 쿼리·키 벡터를 두 성분씩 $(x_{2i}, x_{2i+1})$ 짝지어, 위치 $m$에서
# 각도 $m\theta_i$만큼 돌린다. $\theta_i = 10000^{-2i/d}$는 sinusoidal PE의 주파수 $\omega_i$와 같은 식이다.
#
# $$\begin{pmatrix} x'_{2i} \\ x'_{2i+1} \end{pmatrix} =
# \begin{pmatrix} \cos m\theta_i & -\sin m\theta_i \\ \sin m\theta_i & \cos m\theta_i \end{pmatrix}
# \begin{pmatrix} x_{2i} \\ x_{2i+1} \end{pmatrix}$$
#
# 돌린 쿼리 $R_m q$와 돌린 키 $R_n k$의 내적은 $q^\top R_m^\top R_n k = q^\top R_{n-m} k$다. 회전끼리 곱하면 각도가 더해지고,
# 전치는 반대로 돌리는 것이기 때문이다. 그래서 점수는 두 위치의 차이에만 달려 있다. 값 벡터는 돌리지 않는다.

# %%
def rope_rotate(x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """행 벡터 x[j] (크기 (n, d))를 위치 positions[j]만큼 돌린다: 짝 (2i, 2i+1)을 각도 pos·θ_i로 회전."""
    angles = positions.to(torch.float64).unsqueeze(1) * frequencies(x.shape[-1])  # (n, d/2)
    cos, sin = torch.cos(angles), torch.sin(angles)
    even, odd = x[..., 0::2], x[..., 1::2]
    rotated = torch.empty_like(x)
    rotated[..., 0::2] = even * cos - odd * sin
    rotated[..., 1::2] = even * sin + odd * cos
    return rotated


def query_key_pair(d_head: int = D_HEAD, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """성분이 N(0, 1)인 쿼리 하나와 키 하나 (float64). 같은 벡터를 모든 위치에 놓고 점수를 비교한다."""
    generator = torch.Generator().manual_seed(seed)
    q, k = torch.randn(2, d_head, generator=generator, dtype=torch.float64)
    return q, k


def rope_scores(q: torch.Tensor, k: torch.Tensor, n_positions: int = N_POSITIONS) -> torch.Tensor:
    """S[m, n] = (R_m q) · (R_n k): 같은 쿼리를 위치 m에, 같은 키를 위치 n에 놓고 RoPE로 돌린 뒤의 점수."""
    positions = torch.arange(n_positions)
    queries = rope_rotate(q.expand(n_positions, -1), positions)
    keys = rope_rotate(k.expand(n_positions, -1), positions)
    with single_thread():
        return queries @ keys.T


def added_pe_scores(q: torch.Tensor, k: torch.Tensor, n_positions: int = N_POSITIONS) -> torch.Tensor:
    """대조군 S[m, n] = (q + PE_m) · (k + PE_n): 같은 벡터에 sinusoidal PE를 돌리지 않고 더한 뒤의 점수."""
    pe = sinusoidal_encoding(n_positions, q.shape[-1], dtype=torch.float64)
    with single_thread():
        return (q + pe) @ (k + pe).T


def offset_of(n_positions: int) -> torch.Tensor:
    """칸 [m, n]의 상대 위치 m - n."""
    positions = torch.arange(n_positions)
    return positions.unsqueeze(1) - positions.unsqueeze(0)


def spread_within_offsets(scores: torch.Tensor) -> float:
    """m - n이 같은 칸(행렬의 한 대각선)끼리 점수의 (최댓값 - 최솟값) 가운데 가장 큰 값."""
    n = len(scores)
    return max((torch.diagonal(scores, -offset).max() - torch.diagonal(scores, -offset).min()).item()
               for offset in range(-(n - 1), n))


def score_by_offset(scores: torch.Tensor) -> dict[int, float]:
    """상대 위치 m - n마다 그 대각선의 평균 점수."""
    n = len(scores)
    return {offset: torch.diagonal(scores, -offset).mean().item() for offset in range(-(n - 1), n)}


# %%
if __name__ == "__main__":
    q, k = query_key_pair()
    rope = rope_scores(q, k)
    added = added_pe_scores(q, k)
    rope_spread = publish("posrep_rope_spread", spread_within_offsets(rope))
    added_spread = publish("posrep_added_pe_spread", spread_within_offsets(added))
    by_offset = score_by_offset(rope)
    values = torch.tensor(list(by_offset.values()), dtype=torch.float64)
    publish("posrep_rope_offset_range", (values.max() - values.min()).item())
    steps = (values[1:] - values[:-1]).abs()
    publish("posrep_rope_min_step", steps.min().item())  # 이웃한 두 상대 위치의 점수 차이 중 가장 작은 것
    for offset in (0, 1, 10, 100):
        publish(f"posrep_rope_score_offset_{offset}", by_offset[offset])
    publish("posrep_rope_unrotated_score", (q @ k).item())
    publish("posrep_last_position", N_POSITIONS - 1)
    print(f"같은 m - n에서 점수의 최대 차이: RoPE {rope_spread:.1e}, PE를 더한 대조군 {added_spread:.2f}")
    print(f"상대 위치에 따른 점수의 범위: {values.min().item():.2f} … {values.max().item():.2f}, "
          f"이웃한 상대 위치끼리 가장 작은 차이 {steps.min().item():.1e}")

# %% [markdown]
# 위치 0~{{ posrep_last_position }}의 모든 쌍 $(m, n)$에서, $m - n$이 같은 칸끼리 점수의 최대 차이는 RoPE에서
# {{ posrep_rope_spread:.1e }}(으)로 float64 반올림 수준이다. 같은 쿼리와 키에 PE를 더한 대조군에서는
# {{ posrep_added_pe_spread:.1f }}까지 벌어진다: $(q + PE_m) \cdot (k + PE_n)$에는 $q \cdot PE_n$, $PE_m \cdot k$처럼
# 한쪽 위치에만 달린 항이 있기 때문이다. RoPE에서도 상대 위치가 다르면 점수가 다르다: 상대 위치에 따른 점수의 범위는
# {{ posrep_rope_offset_range:.1f }}(이)고, 이웃한 두 상대 위치의 점수 차이도 가장 작은 것이 {{ posrep_rope_min_step:.1e }}(이)다.
#
# 아래 그림은 위치 0~255의 모든 쌍을 상대 위치 $m - n$으로 모아, 같은 상대 위치의 점수가 퍼진 범위(띠)와 평균(선)을 그린다.

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt

    SHOWN_POSITIONS, SHOWN_OFFSET = 256, 64  # 그림: 위치 0 … 255의 쌍, 상대 위치 -64 … 64

    def band_by_offset(scores):
        """상대 위치 -SHOWN_OFFSET … SHOWN_OFFSET마다 (최솟값, 평균, 최댓값)."""
        offsets = list(range(-SHOWN_OFFSET, SHOWN_OFFSET + 1))
        rows = [torch.diagonal(scores, -offset) for offset in offsets]
        return (offsets, [r.min().item() for r in rows], [r.mean().item() for r in rows], [r.max().item() for r in rows])

    def draw_rope_offsets(narrow=False):
        """RoPE와 PE를 더한 대조군에서 상대 위치별 점수의 범위 (두 패널)."""
        fig, axes = plt.subplots(*((2, 1) if narrow else (1, 2)), figsize=(4.6, 6.8) if narrow else (9.0, 4.0),
                                 layout="constrained")
        panels = (
            (axes[0], rope_scores(q, k, SHOWN_POSITIONS), "RoPE: 쿼리와 키를 돌린다"),
            (axes[1], added_pe_scores(q, k, SHOWN_POSITIONS), "대조군: PE를 더한다"),
        )
        for ax, scores, title in panels:
            offsets, low, mean, high = band_by_offset(scores)
            ax.fill_between(offsets, low, high, color="C1", alpha=0.35, linewidth=0, label="같은 m - n인 쌍들의 범위")
            ax.plot(offsets, mean, color="C0", linewidth=1.4, label="같은 m - n인 쌍들의 평균")
            ax.set_title(title)
            ax.set_xlabel("상대 위치 m - n")
        axes[0].set_ylabel("점수 q·k (돌리거나 더한 뒤)")
        if narrow:
            axes[1].set_ylabel("점수 q·k (돌리거나 더한 뒤)")
        legend_below(fig, ncols=1 if narrow else 2)
        return fig

    save_figure(
        "posrep-rope-offset",
        draw_rope_offsets,
        narrow=True,
        alt=(
            f"같은 쿼리와 키를 위치 0부터 {SHOWN_POSITIONS - 1}까지의 모든 쌍 (m, n)에 놓고 잰 점수를 상대 위치 m - n"
            f"(-{SHOWN_OFFSET}부터 {SHOWN_OFFSET}까지)으로 모은 그림. 첫 번째 패널 RoPE에서는 같은 상대 위치의 점수가 모두 같아 "
            "범위의 띠가 보이지 않고 평균 선 하나만 남는다(최대 차이 {{ posrep_rope_spread:.1e }}). "
            "두 번째 패널은 PE를 더한 대조군으로, 같은 상대 위치에서도 점수가 넓은 띠로 퍼진다(최대 차이 {{ posrep_added_pe_spread:.1f }})"
        ),
    )

# %% [markdown]
# ## 2. ALiBi: 거리에 비례한 벌점을 점수에 더한다
#
# ALiBi(Press et al., 2022, §3)는 입력에 위치 임베딩을 더하지 않는다. 대신 causal self-attention의 점수에
# 헤드마다 정해진 기울기 $m_h$와 거리를 곱한 음의 편향을 더한다.
#
# $$\mathrm{softmax}\big(q_i K^\top + m_h \cdot [-(i-1), \dots, -2, -1, 0]\big)$$
#
# 기울기는 학습하지 않는다. 헤드가 $H$개이면 $2^{-8/H}$에서 시작해 같은 비로 줄어드는 등비수열 $m_h = 2^{-8h/H}$
# ($h = 1, \dots, H$)이고, 8헤드이면 $1/2, 1/4, \dots, 1/256$이다. 편향 $-m_h (i - j)$는 $i - j$에만 달려 있으므로
# 이것도 상대 위치 표현이다. 내용 점수가 모두 같다면 거리 $\Delta$인 키의 가중치는 거리 0인 키의 $e^{-m_h \Delta}$배이고,
# 가중치가 절반이 되는 거리는 $\ln 2 / m_h$다.

# %%
def alibi_slopes(n_heads: int) -> torch.Tensor:
    """헤드 h = 1 … n_heads의 기울기 m_h = 2^(-8h/n_heads) (float64). n_heads가 2의 거듭제곱일 때의 식."""
    heads = torch.arange(1, n_heads + 1, dtype=torch.float64)
    return 2.0 ** (-8.0 * heads / n_heads)


def alibi_bias(n_positions: int, n_heads: int) -> torch.Tensor:
    """크기 (n_heads, n, n)의 편향: 칸 [h, i, j]는 j ≤ i이면 -m_h (i - j), 미래(j > i)는 -inf (causal mask)."""
    distance = offset_of(n_positions).to(torch.float64)  # i - j
    bias = -alibi_slopes(n_heads).view(-1, 1, 1) * distance
    return bias.masked_fill(distance < 0, float("-inf"))


def slope_label(slope: float) -> str:
    """기울기를 그림에 적는 꼴: 1/k로 떨어지면 "1/k", 아니면 소수 셋째 자리까지."""
    inverse = 1 / slope
    return f"1/{round(inverse)}" if abs(inverse - round(inverse)) < 1e-9 else f"{slope:.3f}"


def half_weight_distance(slopes: torch.Tensor) -> torch.Tensor:
    """내용 점수가 같을 때 편향만으로 가중치가 절반(e^(-mΔ) = 1/2)이 되는 거리 Δ = ln 2 / m."""
    return math.log(2) / slopes


# %%
if __name__ == "__main__":
    slopes = alibi_slopes(N_HEADS)
    publish("posrep_n_heads", N_HEADS)
    for head, name in ((1, "1"), (2, "2"), (N_HEADS, "last")):
        publish(f"posrep_alibi_slope_{name}", slopes[head - 1].item())
        publish(f"posrep_alibi_half_distance_{name}", half_weight_distance(slopes)[head - 1].item())
    bias = alibi_bias(16, N_HEADS)
    publish("posrep_alibi_bias_head1_distance15", bias[0, 15, 0].item())
    # 학습 길이보다 훨씬 먼 거리: 편향은 식으로 정해지므로 어느 거리에서나 계산된다
    FAR = 1024
    publish("posrep_alibi_far", FAR)
    publish("posrep_alibi_far_weight_first", math.exp(-slopes[0].item() * FAR))
    publish("posrep_alibi_far_weight_last", math.exp(-slopes[-1].item() * FAR))
    print("기울기:", [slope_label(s) for s in slopes.tolist()])
    print("가중치가 절반이 되는 거리:", [f"{d:.1f}" for d in half_weight_distance(slopes).tolist()])

# %% [markdown]
# {{ posrep_n_heads }}헤드의 기울기는 첫 헤드 {{ posrep_alibi_slope_1:.3f }}, 둘째 헤드 {{ posrep_alibi_slope_2:.3f }}, 마지막 헤드
# {{ posrep_alibi_slope_last:.4f }}이다. 내용 점수가 같을 때 가중치가 절반이 되는 거리는 첫 헤드에서
# {{ posrep_alibi_half_distance_1:.2f }}토큰, 마지막 헤드에서 {{ posrep_alibi_half_distance_last:.0f }}토큰이다:
# 앞쪽 헤드는 바로 옆만 보고, 뒤쪽 헤드는 멀리까지 본다. 거리 {{ posrep_alibi_far:, }}에서 첫 헤드의 가중치는
# {{ posrep_alibi_far_weight_first:.0e }}배, 마지막 헤드는 {{ posrep_alibi_far_weight_last:.3f }}배다.

# %%
if __name__ == "__main__":

    def draw_alibi(narrow=False):
        """첫 헤드의 편향 행렬(16 × 16)과 헤드별 편향 대 거리."""
        fig, axes = plt.subplots(*((2, 1) if narrow else (1, 2)), figsize=(4.6, 7.6) if narrow else (9.4, 4.4),
                                 layout="constrained", width_ratios=None if narrow else (1, 1.25))
        matrix = alibi_bias(16, N_HEADS)[0].numpy()
        image = axes[0].imshow(matrix, cmap="viridis", interpolation="nearest")
        axes[0].grid(False)
        axes[0].set_title(f"첫 헤드의 편향 (기울기 {slope_label(slopes[0].item())})")
        axes[0].set_xticks(range(0, 16, 5))
        axes[0].set_yticks(range(0, 16, 5))
        axes[0].set_xlabel("키 위치 j")
        axes[0].set_ylabel("쿼리 위치 i")
        fig.colorbar(image, ax=axes[0], label="편향 (빈칸은 가린 미래)")
        distance = torch.arange(0, 129)
        styles = {1: "-", 2: "--", 3: "-.", 4: ":", N_HEADS: "-"}
        for color, head in enumerate((1, 2, 3, 4, N_HEADS)):
            axes[1].plot(distance, -slopes[head - 1].item() * distance, color=f"C{color}", linestyle=styles[head],
                         linewidth=1.8, label=f"헤드 {head}: {slope_label(slopes[head - 1].item())}")
        axes[1].set_ylim(-24, 1)
        axes[1].set_title("헤드별 편향과 거리")
        axes[1].set_xlabel("거리 i - j")
        axes[1].set_ylabel("편향 = -기울기 × 거리")
        if not narrow:
            fig.get_layout_engine().set(wspace=0.12)  # 색 막대의 이름과 오른쪽 패널의 축 이름 사이를 띄운다
        legend_below(fig, ncols=2 if narrow else 3, title="헤드와 기울기")
        return fig

    save_figure(
        "posrep-alibi",
        draw_alibi,
        narrow=True,
        alt=(
            f"ALiBi 편향 그림 두 개. 첫 번째 패널은 {N_HEADS}헤드 중 첫 헤드(기울기 {slope_label(slopes[0].item())})의 "
            "16 × 16 편향 행렬로, 대각선은 0이고 "
            "대각선에서 멀어질수록 작아져 거리 15(맨 아래 줄의 첫 칸)에서 {{ posrep_alibi_bias_head1_distance15:.1f }}이며, 대각선 위(미래)는 가려져 비어 있다. "
            f"두 번째 패널은 헤드 1, 2, 3, 4, {N_HEADS}의 편향을 거리 0부터 128까지 그린 것으로, 기울기가 헤드마다 같은 비로 "
            f"작아져 헤드 1은 금방 아래로 내려가고 마지막 헤드는 0 근처에 머문다"
        ),
    )

# %% [markdown]
# ## 3. 논문 §3.4의 √d_model과 공유 가중치
#
# 논문 §3.4: 두 임베딩 층과 softmax 직전 선형 변환이 같은 가중치 행렬 $W$(어휘 수 × $d_{model}$)를 쓰고, 임베딩 층에서는
# 그 가중치에 $\sqrt{d_{model}}$을 곱한다. 왜 곱하는지는 적지 않았다. 저자들의 라이브러리 tensor2tensor는 이 행렬을
# 표준편차 $d_{model}^{-1/2}$의 정규분포로 초기화하고 임베딩에서 $\sqrt{d_{model}}$을 곱한다(`layers/modalities.py`).
# 그 초기화에서 세 가지를 잰다.
#
# - 임베딩 한 행의 성분 크기(RMS): $\sqrt{d_{model}}$을 곱하기 전과 후.
# - PE 성분의 RMS와의 비: 곱하지 않으면 PE가 단어 정보를 덮는가.
# - 같은 $W$로 만든 로짓 $h W^\top$의 표준편차($h$는 성분이 $N(0, 1)$인 은닉 벡터, 층 정규화를 거친 출력의 크기).
#   **대조군**: $\sqrt{d_{model}}$을 곱하지 않아도 되게 $W$를 처음부터 $N(0, 1)$로 초기화하면 로짓은 얼마나 커지는가.

# %%
def shared_embedding_scale(d_model: int = D_MODEL, vocab: int = VOCAB, n_hidden: int = 32, seed: int = 0) -> dict:
    """공유 가중치 W의 초기화 두 가지(표준편차 d^-1/2, 대조군 1)에서 임베딩·PE·로짓의 크기."""
    generator = torch.Generator().manual_seed(seed)
    unit = torch.randn(vocab, d_model, generator=generator, dtype=torch.float64)  # 대조군: W ~ N(0, 1)
    weight = unit / d_model**0.5  # 표준편차 d^-1/2로 초기화한 W
    hidden = torch.randn(n_hidden, d_model, generator=generator, dtype=torch.float64)  # 층 정규화 뒤 크기의 출력
    pe = sinusoidal_encoding(N_POSITIONS, d_model, dtype=torch.float64)
    rms = lambda x: x.pow(2).mean().sqrt().item()  # noqa: E731
    with single_thread():  # 큰 합계도 스레드 수와 상관없이 같은 순서로 더한다
        embedding_rms, embedding_rms_scaled, pe_rms = rms(weight), rms(weight * d_model**0.5), rms(pe)
        logits_small, logits_unit = hidden @ weight.T, hidden @ unit.T
        return {
            "embedding_rms": embedding_rms,
            "embedding_rms_scaled": embedding_rms_scaled,
            "pe_rms": pe_rms,
            "pe_over_embedding": pe_rms / embedding_rms,
            "pe_over_embedding_scaled": pe_rms / embedding_rms_scaled,
            "logit_std": logits_small.std().item(),
            "logit_std_unit_init": logits_unit.std().item(),
            "max_prob": torch.softmax(logits_small, dim=-1).max(dim=-1).values.mean().item(),
            "max_prob_unit_init": torch.softmax(logits_unit, dim=-1).max(dim=-1).values.mean().item(),
        }


# %%
if __name__ == "__main__":
    publish("posrep_d_model", D_MODEL)
    publish("posrep_vocab", VOCAB)
    scale = shared_embedding_scale()
    for name, value in scale.items():
        publish(f"posrep_{name}", value)
    print(", ".join(f"{name} {value:.3f}" for name, value in scale.items()))

# %% [markdown]
# $d_{model}$ = {{ posrep_d_model }}에서 임베딩 성분의 RMS는 곱하기 전 {{ posrep_embedding_rms:.3f }}, 곱한 뒤
# {{ posrep_embedding_rms_scaled:.2f }}(이)고, PE 성분의 RMS는 {{ posrep_pe_rms:.2f }}(이)다. 곱하지 않으면 PE가 임베딩보다
# {{ posrep_pe_over_embedding:.0f }}배 크고, 곱하면 {{ posrep_pe_over_embedding_scaled:.2f }}배로 둘이 비슷해진다.
# 같은 $W$를 softmax 직전에 쓰면 로짓의 표준편차는 {{ posrep_logit_std:.2f }}(이)고, 어휘 {{ posrep_vocab:, }}개에 대한
# softmax의 최대 확률은 평균 {{ posrep_max_prob:.3f }}(이)다. 대조군처럼 $W$를 $N(0, 1)$로 두면 임베딩은 곱하지 않아도 PE와
# 크기가 맞지만, 로짓의 표준편차가 {{ posrep_logit_std_unit_init:.1f }}(으)로 커지고 최대 확률이 {{ posrep_max_prob_unit_init:.2f }}(으)로
# 학습 전부터 softmax가 거의 원-핫이 된다. 한 행렬이 두 자리에서 알맞은 크기를 가지려면 한쪽에 $\sqrt{d_{model}}$이 필요하다는
# 것이 이 사이트의 읽기다(논문이 밝힌 이유는 아니다).

# %% [markdown]
# ## 4. 연습 문제의 설정
#
# 연습 문제 1: 헤드를 {{ posrep_n_heads_16_n_heads }}개로 늘리면 기울기는 $2^{-8/16} = 2^{-1/2}$에서 시작한다.
# 연습 문제 2: $d_{model}$ = {{ posrep_d_model_1024_d_model }}에서 같은 크기 비교를 한다.

# %%
if __name__ == "__main__":
    slopes_16 = alibi_slopes(N_HEADS_EXERCISE)
    publish("posrep_n_heads_16_n_heads", N_HEADS_EXERCISE)
    publish("posrep_n_heads_16_slope_1", slopes_16[0].item())
    publish("posrep_n_heads_16_slope_last", slopes_16[-1].item())
    publish("posrep_n_heads_16_half_distance_1", half_weight_distance(slopes_16)[0].item())
    publish("posrep_n_heads_16_half_distance_last", half_weight_distance(slopes_16)[-1].item())
    scale_1024 = shared_embedding_scale(D_MODEL_EXERCISE)
    publish("posrep_d_model_1024_d_model", D_MODEL_EXERCISE)
    for name, value in scale_1024.items():
        publish(f"posrep_d_model_1024_{name}", value)
    print("16헤드 기울기:", [f"{s:.4f}" for s in slopes_16.tolist()])
    print(f"d_model = {D_MODEL_EXERCISE}: " + ", ".join(f"{name} {value:.3f}" for name, value in scale_1024.items()))

# %% [markdown]
# 16헤드의 기울기는 {{ posrep_n_heads_16_slope_1:.3f }}에서 {{ posrep_n_heads_16_slope_last:.4f }}까지로, 8헤드의 기울기
# 사이사이에 기하평균 하나씩을 끼운 것과 같다(짝수 번째 헤드의 기울기가 8헤드의 기울기다). 가장 가까이 보는 헤드의 절반 거리는
# {{ posrep_alibi_half_distance_1:.2f }}에서 {{ posrep_n_heads_16_half_distance_1:.2f }}토큰으로 짧아지고, 가장 멀리 보는
# 헤드는 {{ posrep_n_heads_16_half_distance_last:.0f }}토큰 그대로다.
#
# $d_{model}$ = {{ posrep_d_model_1024_d_model }}에서는 $\sqrt{d_{model}}$을 곱하지 않은 임베딩보다 PE가
# {{ posrep_d_model_1024_pe_over_embedding:.0f }}배 커서({{ posrep_d_model }}에서는 {{ posrep_pe_over_embedding:.0f }}배) 차이가 더 벌어지고,
# 곱하면 {{ posrep_d_model_1024_pe_over_embedding_scaled:.2f }}배로 그대로다. $N(0, 1)$ 대조군의 로짓 표준편차는
# {{ posrep_logit_std_unit_init:.1f }}에서 {{ posrep_d_model_1024_logit_std_unit_init:.1f }}(으)로 커진다.
