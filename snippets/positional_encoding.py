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
# # 위치 인코딩: 왜 sin과 cos인가
#
# 논문(Vaswani et al., 2017, §3.5)의 sinusoidal positional encoding은 위치 $pos$와 차원 번호로 정해지는 벡터다.
# 짝수 차원 $2i$에는 sin, 바로 옆 홀수 차원 $2i+1$에는 같은 주파수의 cos이 번갈아(interleaved) 들어간다.
#
# $$PE_{(pos,\,2i)} = \sin(pos\,\omega_i), \qquad PE_{(pos,\,2i+1)} = \cos(pos\,\omega_i), \qquad
# \omega_i = \frac{1}{10000^{2i/d_{model}}}$$
#
# 이 노트북에서 확인하는 것:
#
# 1. 모든 값이 $[-1, 1]$ 안에 있다. 정수 위치 $0, 1, 2, \dots$를 그대로 쓰면 임베딩 값보다 훨씬 커진다.
# 2. 위치를 $k$만큼 옮기는 것은 $pos$와 무관한 행렬 $M_k$(회전)를 곱하는 것과 같다: $PE_{pos+k} = PE_{pos} M_k$.
# 3. 두 위치의 내적 $PE_p \cdot PE_q$는 거리 $p - q$에만 달려 있다.
# 4. $d_{model} = 128$에서 위치 0~2047의 벡터가 모두 서로 다르다.
# 5. 모델 차원을 64로 줄이면 파장과 벡터 사이 거리가 어떻게 바뀌는가(연습 문제 3).

# %%
import torch

# 저장소 폴더에서 `python -m snippets.positional_encoding`으로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다.

# %%
D_MODEL = 128  # 이 노트북의 기본 모델 차원
D_MODEL_EXERCISE = 64  # 연습 문제 3의 모델 차원: 빌드가 이 설정도 함께 돌린다

# %% [markdown]
# ## 1. 위치 인코딩 만들기
#
# 주파수 $\omega_i$는 $i = 0$일 때 1(파장 $2\pi$)에서 시작해 $i$가 커질수록 기하급수적으로 작아진다
# (실제로 쓰는 마지막 쌍 $2i = d_{model} - 2$의 파장은 $2\pi \cdot 10000^{(d_{model}-2)/d_{model}}$,
# $d_{model} = 128$에서 약 {{ pe_longest_wavelength:,.0f }}(이)다. 논문이 말한 $10000 \cdot 2\pi$는 그 끝을 어림한 값이다). 계산은 float64로 하고, 마지막에 원하는 자료형으로 바꾼다.

# %%
def frequencies(d_model: int) -> torch.Tensor:
    """차원 쌍 i = 0 … d_model/2 - 1의 주파수 ω_i = 1 / 10000^(2i/d_model) (float64)."""
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)
    return 1.0 / 10000 ** (two_i / d_model)


def sinusoidal_encoding(n_positions: int, d_model: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """위치 0 … n_positions-1의 sinusoidal PE, 크기 (n_positions, d_model). 짝수 열 sin, 홀수 열 cos."""
    if d_model % 2:
        raise ValueError("d_model은 짝수여야 한다 (sin과 cos이 한 쌍)")
    pos = torch.arange(n_positions, dtype=torch.float64).unsqueeze(1)  # (n, 1)
    angles = pos * frequencies(d_model)  # (n, d_model/2)
    pe = torch.empty(n_positions, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles)
    return pe.to(dtype)


# %%
if __name__ == "__main__":
    pe = sinusoidal_encoding(2048, D_MODEL, dtype=torch.float64)
    publish("pe_n_positions", len(pe))
    # 실제로 쓰는 가장 긴 파장: 마지막 쌍 i = d_model/2 - 1의 2π / ω_i = 2π · 10000^((d_model-2)/d_model)
    publish("pe_longest_wavelength", 2 * torch.pi / frequencies(D_MODEL)[-1].item())
    print(f"크기 {tuple(pe.shape)}, 최솟값 {pe.min().item():.6f}, 최댓값 {pe.max().item():.6f}")

# %% [markdown]
# 아래 그림은 위치(세로)와 차원(가로)에 따른 PE 값이다. 왼쪽 차원은 주파수가 높아 위치마다 빠르게 변하고,
# 오른쪽 차원으로 갈수록 느리게 변한다. 그림 파일을 작게 하려고 위치 0~127만 그린다.

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    SHOWN = 128  # 그림에 그리는 위치 수 (0 … 127)

    def draw_heatmap():
        """위치 × 차원 PE 히트맵."""
        fig, ax = plt.subplots(figsize=(7.0, 5.0))
        image = ax.imshow(pe[:SHOWN], aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
        ax.grid(False)
        ax.set_xlabel("차원 번호 (짝수: sin, 홀수: cos)")
        ax.set_ylabel("위치 pos")
        ax.set_title(f"위치 인코딩 값 ($d_{{\\mathrm{{model}}}}$ = {D_MODEL}, 위치 0…{SHOWN - 1})")
        fig.colorbar(image, ax=ax, label="PE 값")
        return fig

    save_figure("pe-heatmap", draw_heatmap, alt=(
        f"위치 0부터 {SHOWN - 1}까지, 차원 {D_MODEL}개의 위치 인코딩 히트맵. 앞쪽 차원은 위치에 따라 빠르게 "
        "줄무늬가 바뀌고 뒤쪽 차원은 거의 일정하다. 값은 모두 -1과 1 사이다"))

# %% [markdown]
# 몇 개의 차원만 골라 위치에 따른 곡선으로 보면, 같은 쌍의 sin(차원 6)과 cos(차원 7)은 위상만 다르고,
# 차원 번호가 커질수록 파장 $2\pi / \omega_i$가 길어진다.

# %%
if __name__ == "__main__":

    omega = frequencies(D_MODEL)
    for dim in (6, 20, 40):
        publish(f"pe_wavelength_{dim}", 2 * torch.pi / omega[dim // 2].item())

    def draw_curves():
        """차원 6, 7, 20, 40을 위치에 따른 곡선으로."""
        fig, ax = plt.subplots(figsize=(7.0, 5.0), layout="constrained")
        for dim in (6, 7, 20, 40):
            kind = "sin" if dim % 2 == 0 else "cos"
            wavelength = 2 * torch.pi / omega[dim // 2].item()
            ax.plot(pe[:SHOWN, dim], label=f"차원 {dim} ({kind}, 파장 {wavelength:.1f})")
        ax.set_xlabel("위치 pos")
        ax.set_ylabel("PE 값")
        ax.set_ylim(-1.1, 1.1)
        ax.set_title("차원별 위치 인코딩 곡선")
        legend_below(fig, ncols=2)  # 축 밖 아래: 곡선을 가리지 않는다
        return fig

    save_figure("pe-curves", draw_curves, alt=(
        f"위치 0부터 {SHOWN - 1}까지 차원 6, 7, 20, 40의 PE 곡선. 차원 6(sin)과 7(cos)은 위상만 다르고, "
        "차원 번호가 클수록 파장이 길어 천천히 변하며, 모든 곡선이 -1과 1 사이에서 움직인다"))

# %% [markdown]
# ## 2. 왜 정수 위치를 그대로 쓰지 않는가
#
# 멘토 답변의 요지: 정수 $0, 1, 2, \dots, n$은 뒤로 갈수록 커져서, 임베딩에 "작은" 위치 정보만 더한다는
# 취지를 벗어난다. 임베딩 값의 크기와 비교해 보자. 임베딩 표를 평균 0, 표준편차 $1/\sqrt{d_{model}}$로
# 초기화한 경우와, 논문처럼 $\sqrt{d_{model}}$을 곱해 성분이 $N(0, 1)$ 정도인 경우를 함께 본다.
# 크기는 성분의 제곱평균제곱근(RMS)으로 잰다.

# %%
def scale_comparison(n_positions=512, d_model=D_MODEL, seed=0):
    """위치마다 정수 위치 값, PE 성분의 최대 |값|과 RMS, 무작위 토큰 임베딩 성분의 RMS를 돌려준다."""
    generator = torch.Generator().manual_seed(seed)
    pe = sinusoidal_encoding(n_positions, d_model, dtype=torch.float64)
    # 위치마다 토큰 하나의 임베딩: 성분 N(0, 1) (논문처럼 √d_model을 곱한 뒤의 크기)
    embedding = torch.randn(n_positions, d_model, generator=generator, dtype=torch.float64)
    rms = lambda x: x.pow(2).mean(dim=-1).sqrt()  # noqa: E731
    return {
        "position": torch.arange(n_positions, dtype=torch.float64),
        "pe_max_abs": pe.abs().max(dim=-1).values,
        "pe_rms": rms(pe),
        "embedding_rms": rms(embedding),
        "embedding_small_rms": rms(embedding / d_model**0.5),  # 표준편차 1/√d_model로 초기화한 임베딩
    }


# %%
if __name__ == "__main__":
    scale = scale_comparison()
    last = len(scale["position"]) - 1
    publish("pe_rms", scale["pe_rms"].mean().item())
    publish("pe_embedding_rms", scale["embedding_rms"].mean().item())
    publish("pe_embedding_small_rms", scale["embedding_small_rms"].mean().item())
    publish("pe_rms_over_small_embedding", (scale["pe_rms"].mean() / scale["embedding_small_rms"].mean()).item())
    print(f"마지막 위치의 정수 값: {last}, PE 성분의 최대 |값|: {scale['pe_max_abs'].max().item():.3f}, "
          f"RMS: {scale['pe_rms'].mean().item():.3f}")
    print(f"임베딩 성분의 RMS: N(0, 1) {scale['embedding_rms'].mean().item():.3f}, "
          f"std 1/√d {scale['embedding_small_rms'].mean().item():.3f}")

# %%
if __name__ == "__main__":

    def draw_scale():
        """위치에 따른 정수 위치 값과 PE·임베딩 성분 크기 (로그 축)."""
        positions = scale["position"][1:]  # 로그 축이라 위치 0은 뺀다
        fig, ax = plt.subplots(figsize=(7.0, 6.4), layout="constrained")
        ax.plot(positions, positions, color="C0", linewidth=2, label="정수 위치 pos를 그대로 더할 때")
        ax.plot(positions, scale["embedding_rms"][1:], color="C2", linewidth=0.8, label="임베딩 성분의 RMS, N(0, 1)")
        ax.plot(positions, scale["embedding_small_rms"][1:], color="C3", linewidth=0.8,
                label=rf"임베딩 성분의 RMS, 표준편차 $1/\sqrt{{{D_MODEL}}}$")
        # PE 선은 임베딩 선 위에 굵게 그린다 (최대 |값| 1이 N(0, 1) 임베딩의 RMS와 겹친다)
        ax.plot(positions, scale["pe_max_abs"][1:], color="C1", linewidth=2, label="PE 성분의 최대 |값|")
        ax.plot(positions, scale["pe_rms"][1:], color="C1", linewidth=2, linestyle="--", label="PE 성분의 RMS")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))  # 0.1, 1, 10, 100
        ax.set_xlabel("위치 pos")
        ax.set_ylabel("성분의 크기 (로그 축)")
        ax.set_title(f"위치 정보와 임베딩의 크기 비교 ($d_{{\\mathrm{{model}}}}$ = {D_MODEL})")
        legend_below(fig)  # 축 밖 아래: 선을 가리지 않는다
        return fig

    save_figure(
        "pe-scale",
        draw_scale,
        alt=(
            f"위치 1부터 {last}까지 로그 축 그래프. 정수 위치는 위치와 함께 {last}까지 커지지만, PE 성분은 최대 1, "
            "RMS {{ pe_rms:.2f }}에 머문다. 임베딩 성분의 RMS는 N(0, 1)이면 {{ pe_embedding_rms:.2f }}, "
            "표준편차 1/√128이면 {{ pe_embedding_small_rms:.2f }} 근처로, PE가 그보다 {{ pe_rms_over_small_embedding:.0f }}배쯤 크다"
        ),
    )

# %% [markdown]
# ## 3. 위치 이동은 회전이다: PE(pos+k) = PE(pos)·M_k
#
# 같은 주파수의 (sin, cos) 한 쌍을 평면 위의 점 $(\sin pos\,\omega, \cos pos\,\omega)$로 보면, 위치가 $k$만큼
# 움직일 때 이 점은 각도 $k\omega$만큼 돈다. 덧셈 정리로 쓰면 (행 벡터에 오른쪽에서 곱한다)
#
# $$\begin{pmatrix} \sin (pos+k)\omega & \cos (pos+k)\omega \end{pmatrix}
# = \begin{pmatrix} \sin pos\,\omega & \cos pos\,\omega \end{pmatrix}
# \begin{pmatrix} \cos k\omega & -\sin k\omega \\ \sin k\omega & \cos k\omega \end{pmatrix}$$
#
# 이 $2 \times 2$ 블록을 주파수마다 대각선에 놓은 행렬이 $M_k$다. $M_k$에는 $pos$가 없다: 어느 위치에서든
# 같은 행렬로 $k$칸 옮길 수 있다. 블록을 전치하면 반대 방향($-k$)으로 돌게 되므로, 비교용으로 함께 계산한다.

# %%
def shift_matrix(k, d_model, transpose=False):
    """PE 행 벡터를 k칸 옮기는 블록 대각 회전 행렬 M_k (d_model × d_model, float64)."""
    angle = k * frequencies(d_model)
    cos, sin = torch.cos(angle), torch.sin(angle)
    m = torch.zeros(d_model, d_model, dtype=torch.float64)
    m[0::2, 0::2] = torch.diag(cos)  # sin 성분 → sin 성분
    m[1::2, 1::2] = torch.diag(cos)  # cos 성분 → cos 성분
    m[0::2, 1::2] = torch.diag(-sin)  # sin 성분 → cos 성분
    m[1::2, 0::2] = torch.diag(sin)  # cos 성분 → sin 성분
    return m.T if transpose else m


def shift_errors(ks=(1, 2, 5, 10, 50, 100, 500), n_positions=1024, d_model=D_MODEL, transpose=False):
    """k마다 모든 pos = 0 … n_positions-1에서 max |PE(pos+k) - PE(pos) M_k|를 돌려준다."""
    pe = sinusoidal_encoding(n_positions + max(ks), d_model, dtype=torch.float64)
    errors = {}
    for k in ks:
        shifted = pe[:n_positions] @ shift_matrix(k, d_model, transpose)
        errors[k] = (pe[k:k + n_positions] - shifted).abs().max().item()
    return errors


# %%
if __name__ == "__main__":
    errors = shift_errors()
    errors_transposed = shift_errors(transpose=True)
    for k in errors:
        publish(f"pe_shift_error_{k}", errors[k])
        publish(f"pe_shift_error_transposed_{k}", errors_transposed[k])
    publish("pe_shift_error_max", max(errors.values()))
    publish("pe_shift_error_transposed_min", min(errors_transposed.values()))
    publish("pe_shift_error_transposed_max", max(errors_transposed.values()))
    print(f"{'k':>4} | {'M_k 오차':>9} | {'전치한 블록 오차':>14}")
    for k in errors:
        print(f"{k:>4} | {errors[k]:>9.1e} | {errors_transposed[k]:>14.2f}")

# %% [markdown]
# 올바른 $M_k$의 오차는 float64 반올림 수준이다. 블록을 전치하면 $PE_{pos-k}$가 나오므로 오차가 1보다 크다.
#
# ## 4. 내적은 거리 p − q에만 달려 있다
#
# 같은 덧셈 정리로 $\sin p\omega \sin q\omega + \cos p\omega \cos q\omega = \cos (p - q)\omega$이므로
#
# $$PE_p \cdot PE_q = \sum_{i} \cos\big((p - q)\,\omega_i\big)$$
#
# 이다. 내적 행렬 $G_{pq} = PE_p \cdot PE_q$의 각 대각선($p - q$가 같은 칸들)이 모두 같은 값인지 확인한다.

# %%
def offset_dependence(n_positions=512, d_model=D_MODEL):
    """내적 행렬 G의 대각선(p - q 고정)마다 (최댓값 - 최솟값)을 구해, 그중 가장 큰 값을 돌려준다."""
    pe = sinusoidal_encoding(n_positions, d_model, dtype=torch.float64)
    gram = pe @ pe.T
    spreads = [torch.diagonal(gram, offset).max() - torch.diagonal(gram, offset).min()
               for offset in range(-(n_positions - 1), n_positions)]
    return torch.stack(spreads).max().item()


def similarity_matrix(n_positions=128, d_model=D_MODEL):
    """위치끼리의 코사인 유사도 PE_p·PE_q / (‖PE_p‖ ‖PE_q‖). 모든 ‖PE_p‖² = d_model/2."""
    pe = sinusoidal_encoding(n_positions, d_model, dtype=torch.float64)
    return pe @ pe.T / (d_model / 2)


def similarity_by_offset(n_offsets=128, d_model=D_MODEL):
    """거리 Δ = 0 … n_offsets-1마다 코사인 유사도 (1/(d_model/2)) Σ_i cos(Δ ω_i)."""
    return similarity_matrix(n_offsets, d_model)[0]  # 위치 0과 위치 Δ: 어느 줄을 골라도 같다


def rising_offsets(similarity):
    """유사도가 바로 앞의 거리보다 커지는 거리 Δ들 (단조롭게 줄어든다면 빈 목록)."""
    return [offset for offset in range(1, len(similarity)) if similarity[offset] > similarity[offset - 1]]


# %%
if __name__ == "__main__":
    offset_spread = publish("pe_offset_spread", offset_dependence())
    print(f"같은 p - q에서 내적의 최대 차이: {offset_spread:.1e}")
    similarity = similarity_matrix()
    publish("pe_similarity_neighbour", torch.diagonal(similarity, 1).min().item())
    publish("pe_similarity_min", similarity.min().item())
    by_offset = similarity_by_offset()
    rises = rising_offsets(by_offset)
    publish("pe_similarity_min_offset", int(by_offset.argmin()))
    publish("pe_similarity_first_rise", rises[0])
    publish("pe_similarity_n_rises", len(rises))
    print(f"유사도가 다시 커지는 거리 Δ ({len(rises)}곳): {rises}")
    print(f"가장 낮은 유사도: Δ = {int(by_offset.argmin())}에서 {by_offset.min().item():.3f}")

    def draw_similarity():
        """위치 × 위치 코사인 유사도 행렬."""
        fig, ax = plt.subplots(figsize=(5.6, 4.6))
        image = ax.imshow(similarity.numpy(), cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
        ax.grid(False)
        ax.set_xlabel("위치 q")
        ax.set_ylabel("위치 p")
        ax.set_title(f"위치 인코딩의 코사인 유사도 ($d_{{\\mathrm{{model}}}}$ = {D_MODEL})")
        fig.colorbar(image, ax=ax, label=r"$PE_p \cdot PE_q \,/\, (d_{model}/2)$")
        return fig

    save_figure(
        "pe-similarity",
        draw_similarity,
        alt=(
            f"위치 0부터 {len(similarity) - 1}까지 위치 쌍의 코사인 유사도 행렬. 대각선 방향으로 같은 값이 이어지는 띠 무늬이고, "
            "대각선(같은 위치)에서 1이며, 위치가 멀어질수록 전체적으로 작아지지만 물결치듯 다시 커지는 곳이 있다"
        ),
    )

# %% [markdown]
# 유사도는 대각선에서 1이고 대각선과 평행한 줄을 따라 일정하다. 거리 $\Delta = |p - q|$가 커질수록 전체적으로
# 작아지지만 단조롭게 줄지는 않고 물결친다: 주파수마다 $\cos(\Delta\,\omega_i)$가 제 주기로 오르내리기 때문이다.
# 거리 0~127 가운데 유사도가 바로 앞의 거리보다 커지는 곳이 {{ pe_similarity_n_rises }}군데이고(처음은
# $\Delta$ = {{ pe_similarity_first_rise:d }}), 가장 낮은 곳은 $\Delta$ = {{ pe_similarity_min_offset:d }}이다.
#
# ## 5. 위치마다 벡터가 다르다
#
# 정수 위치에서 주파수 하나는 같은 값을 정확히 되풀이하지는 않지만(파장 $2\pi$가 무리수다), 파장의 정수배에 가깝게
# 떨어진 위치끼리는 값이 거의 같아진다. 파장이 서로 다른 여러 주파수를 함께 쓰면 벡터 전체로는 그런 위치들이
# 멀리 떨어진다. 위치 0~2047의 벡터 사이 유클리드 거리 중 가장 작은 값을 구한다.

# %%
def min_pairwise_distance(n_positions=2048, d_model=D_MODEL):
    """서로 다른 두 위치의 PE 벡터 사이 거리 중 가장 작은 값."""
    pe = sinusoidal_encoding(n_positions, d_model, dtype=torch.float64)
    distances = torch.cdist(pe, pe, compute_mode="donot_use_mm_for_euclid_dist")
    distances.fill_diagonal_(float("inf"))  # 자기 자신과의 거리 0은 뺀다
    return distances.min().item()


# %%
if __name__ == "__main__":
    n_unique = publish("pe_n_unique", len(torch.unique(pe, dim=0)))
    min_distance = publish("pe_min_distance", min_pairwise_distance())
    print(f"위치 0…2047 중 서로 다른 벡터: {n_unique}개")
    print(f"가장 가까운 두 위치 사이 거리: {min_distance:.3f}")

# %% [markdown]
# ## 6. 모델 차원을 바꾸면 (연습 문제 3)
#
# 같은 계산을 $d_{model}$ = {{ pe_d_model_64_d_model }}(으)로 한 번 더 한다. 주파수 $\omega_i = 10000^{-2i/d_{model}}$은
# $d_{model}$이 작을수록 같은 $i$에서 더 빨리 작아지므로, 같은 차원 번호의 파장이 길어진다. 벡터의 길이
# $\lVert PE_{pos} \rVert = \sqrt{d_{model}/2}$도 $\sqrt{64} = 8$에서 $\sqrt{32}$로 줄어들므로, 벡터 사이 거리는 이 길이로
# 나눈 값으로도 비교한다.

# %%
def encoding_summary(d_model, n_positions=2048):
    """한 모델 차원에서 페이지가 인용하는 양: 차원 20, 40의 파장, 서로 다른 벡터 수, 가장 가까운 거리
    (그대로, 그리고 벡터 길이 √(d_model/2)로 나눠서), 작게 초기화한 임베딩 대비 PE 크기."""
    omega = frequencies(d_model)
    pe = sinusoidal_encoding(n_positions, d_model, dtype=torch.float64)
    scale = scale_comparison(d_model=d_model)
    min_distance = min_pairwise_distance(n_positions, d_model)
    return {
        "wavelength_20": 2 * torch.pi / omega[20 // 2].item(),
        "wavelength_40": 2 * torch.pi / omega[40 // 2].item(),
        "n_unique": len(torch.unique(pe, dim=0)),
        "min_distance": min_distance,
        "min_distance_relative": min_distance / (d_model / 2) ** 0.5,
        "rms_over_small_embedding": (scale["pe_rms"].mean() / scale["embedding_small_rms"].mean()).item(),
    }


# %%
if __name__ == "__main__":
    summary = encoding_summary(D_MODEL_EXERCISE)
    publish("pe_d_model_64_d_model", D_MODEL_EXERCISE)
    publish("pe_min_distance_relative", min_distance / (D_MODEL / 2) ** 0.5)  # 기본 설정의 같은 양
    for name, value in summary.items():
        publish(f"pe_d_model_64_{name}", value)
    print(f"d_model = {D_MODEL_EXERCISE}: " + ", ".join(f"{name} {value:.3f}" for name, value in summary.items()))

# %% [markdown]
# $d_{model}$ = {{ pe_d_model_64_d_model }}에서 차원 20의 파장은 {{ pe_wavelength_20:.1f }}에서 {{ pe_d_model_64_wavelength_20:.1f }}(으)로,
# 차원 40의 파장은 {{ pe_wavelength_40:.1f }}에서 {{ pe_d_model_64_wavelength_40:,.0f }}(으)로 길어진다. 위치 0~2047의 벡터는
# 여전히 {{ pe_d_model_64_n_unique }}개 모두 다르고, 가장 가까운 두 벡터 사이 거리는 {{ pe_min_distance:.2f }}에서
# {{ pe_d_model_64_min_distance:.2f }}(으)로 줄어든다. 다만 벡터 길이로 나누면 {{ pe_min_distance_relative:.3f }}에서
# {{ pe_d_model_64_min_distance_relative:.3f }}(으)로 오히려 조금 커서, 거리가 줄어든 것은 벡터가 짧아진 몫이다.
# 작게 초기화한 임베딩(표준편차 $1/\sqrt{d_{model}}$)보다 PE가 큰 정도는 {{ pe_rms_over_small_embedding:.1f }}배에서
# {{ pe_d_model_64_rms_over_small_embedding:.1f }}배로 줄지만 여전히 크다.
