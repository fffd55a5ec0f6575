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
# # 왜 $\sqrt{d_k}$로 나누는가: Scaled Dot-Product Attention
#
# 어텐션 점수는 쿼리 $q$와 키 $k$의 내적이다.
#
# $$q \cdot k = \sum_{i=1}^{d_k} q_i k_i$$
#
# 논문(Vaswani et al., 2017, §3.2.1, 각주 4)의 가정처럼 $q_i$, $k_i$가 평균 0, 분산 1인 독립 확률 변수라면
# 항 $q_i k_i$ 하나의 분산은 1이고, 독립인 $d_k$개 항을 더했으므로 $\mathrm{Var}(q \cdot k) = d_k$이다.
# $\mathrm{Var}(cX) = c^2\,\mathrm{Var}(X)$이므로 $\sqrt{d_k}$로 나누면 분산은 $d_k / d_k = 1$로 돌아온다.
#
# 이 노트북에서 확인하는 것:
#
# 1. 내적의 분산은 $d_k$이고, $\sqrt{d_k}$로 나눈 점수의 분산은 1이다.
# 2. 나누지 않으면 $d_k$가 클 때 softmax가 거의 원-핫이 된다(가장 큰 확률이 1에 가깝다).
# 3. 그때 softmax의 야코비안(기울기)이 작아진다. 논문이 걱정한 것은 이 "작은 기울기"다.
# 4. 키의 개수를 바꾸면 두 야코비안 곡선이 만나는 $d_k$가 달라진다(연습 문제 2).
# 5. $\sqrt{d_k}$ 대신 $d_k$로 나누면 어텐션이 고르게 퍼지고, 쿼리·키까지 가는 기울기는 연쇄 법칙의 인수 때문에 작아진다(연습 문제 3).

# %%
import torch

# 저장소 폴더에서 `python -m snippets.scaled_dot_product`으로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다.

# %%
# 실험에 쓰는 d_k 값들 (2의 거듭제곱)
D_KS = (16, 32, 64, 128, 256, 512, 1024)
N_KEYS = 32  # 쿼리 하나가 바라보는 키의 개수
N_KEYS_EXERCISE = 256  # 연습 문제 2의 키 개수: 빌드가 이 설정도 함께 돌린다
N_TRIALS = 10_000  # softmax 실험의 시행 횟수 (d_k마다)

# %% [markdown]
# ## 1. 내적의 분산
#
# 표준정규분포에서 $q$, $k$를 많이 뽑아 내적을 계산하고, 그 표본 분산을 본다.
# 스케일링한 점수 $q \cdot k / \sqrt{d_k}$의 분산도 함께 계산한다.

# %%
def dot_products(d_k: int, n_samples: int, generator: torch.Generator) -> torch.Tensor:
    """성분이 i.i.d. N(0, 1)인 q, k 쌍을 n_samples개 뽑아 내적 q·k를 돌려준다."""
    q = torch.randn(n_samples, d_k, generator=generator, dtype=torch.float64)
    k = torch.randn(n_samples, d_k, generator=generator, dtype=torch.float64)
    return (q * k).sum(dim=-1)


def score_variances(d_ks=D_KS, n_samples: int = 10_000, seed: int = 0) -> dict[int, dict[str, float]]:
    """d_k마다 스케일링 전(q·k)과 후(q·k/√d_k) 점수의 표본 분산을 돌려준다."""
    result = {}
    for d_k in d_ks:
        generator = torch.Generator().manual_seed(seed + d_k)
        scores = dot_products(d_k, n_samples, generator)
        result[d_k] = {
            "raw": scores.var().item(),
            "scaled": (scores / d_k**0.5).var().item(),
        }
    return result


# %%
if __name__ == "__main__":
    variances = score_variances()
    # 페이지가 인용하는 값: 표본 수, 양 끝 d_k의 분산, 스케일링한 분산의 범위
    publish("sdp_n_samples", 10_000)
    publish("sdp_var_raw_first", variances[D_KS[0]]["raw"])
    publish("sdp_var_raw_last", variances[D_KS[-1]]["raw"])
    publish("sdp_var_scaled_min", min(v["scaled"] for v in variances.values()))
    publish("sdp_var_scaled_max", max(v["scaled"] for v in variances.values()))
    print(f"{'d_k':>5} | {'Var(q·k)':>9} | {'Var(q·k)/d_k':>12} | {'Var(q·k/√d_k)':>13}")
    for d_k, v in variances.items():
        print(f"{d_k:>5} | {v['raw']:>9.1f} | {v['raw'] / d_k:>12.3f} | {v['scaled']:>13.3f}")

# %% [markdown]
# 나누지 않은 분산은 $d_k$를 따라 커지고, $\sqrt{d_k}$로 나눈 분산은 $d_k$와 상관없이 1 근처에 있다.
# 두 번째와 세 번째 열이 같은 숫자인 것은 우연이 아니다: $\mathrm{Var}(X/\sqrt{d_k}) = \mathrm{Var}(X)/d_k$.
# 만약 $d_k$로 나눴다면 분산은 $1/d_k$이 되어, 이번에는 점수가 0 근처에 몰려 softmax가 거의 균등해진다.

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt

    def draw_variance():
        """d_k에 따른 분산(로그-로그)과 이론선 d_k, 1."""
        d_ks = list(variances)
        fig, ax = plt.subplots(figsize=(7.0, 5.0), layout="constrained")
        ax.plot(d_ks, [variances[d]["raw"] for d in d_ks], "o", color="C0", label=r"측정: $\mathrm{Var}(q \cdot k)$")
        ax.plot(d_ks, d_ks, "-", color="C0", alpha=0.6, label=r"이론: $d_k$")
        ax.plot(d_ks, [variances[d]["scaled"] for d in d_ks], "s", color="C1", label=r"측정: $\mathrm{Var}(q \cdot k / \sqrt{d_k})$")
        ax.plot(d_ks, [1.0] * len(d_ks), "--", color="C1", alpha=0.6, label="이론: 1")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel(r"$d_k$")
        ax.set_ylabel("점수의 분산")
        ax.set_title("스케일링 전후 어텐션 점수의 분산")
        legend_below(fig, ncols=2)  # 축 밖 아래: 점과 선을 가리지 않는다
        return fig

    save_figure(
        "sdp-variance",
        draw_variance,
        alt=(
            "d_k에 따른 q·k 분산: 스케일링하지 않으면 d_k에 비례해 커지고"
            "(d_k = 1024에서 {{ sdp_var_raw_last:,.0f }}), √d_k로 나누면 1 근처"
            "({{ sdp_var_scaled_min:.2f }}~{{ sdp_var_scaled_max:.2f }})에 머문다"
        ),
    )

# %% [markdown]
# ## 2. softmax의 포화
#
# 쿼리 하나와 키 {{ sdp_n_keys }}개의 점수를 softmax에 넣는다. 점수의 퍼짐(표준편차 $\sqrt{d_k}$)이 커지면 가장 큰 점수
# 하나가 확률을 독차지한다. 시행마다 가장 큰 확률 $\max_j p_j$를 구해 평균을 낸다.
#
# 점수는 키 벡터를 하나하나 뽑지 않고 만든다. 키 $k_j$의 성분이 $q$와 독립인 $N(0, 1)$이면, $q$가 정해졌을 때
# $q \cdot k_j = \sum_i q_i k_{ji}$는 정규분포 $N(0, \lVert q \rVert^2)$를 따르고 키끼리 서로 독립이다(1절의 계산에서
# $q_i$를 상수로 두면 된다). 그래서 $q$만 뽑고 점수를 $\lVert q \rVert z_j$ ($z_j \sim N(0, 1)$)로 뽑아도 분포가 같다.
# 키가 256개이고 $d_k = 1024$인 설정(연습 문제 2)도 이렇게 하면 빠르게 돌릴 수 있다.
#
# 나누는 값 $c$는 세 가지를 비교한다: 나누지 않음($c = 1$), 논문의 $c = \sqrt{d_k}$, 연습 문제 3의 $c = d_k$.
#
# ## 3. softmax의 야코비안
#
# $p = \mathrm{softmax}(z)$의 야코비안은
#
# $$J = \frac{\partial p}{\partial z} = \mathrm{diag}(p) - p\,p^\top$$
#
# 이다. $p$가 원-핫에 가까우면 $J$의 모든 성분이 0에 가까워지고, 점수 $z$로 흘러가는 기울기가 사라진다.
# 크기는 프로베니우스 노름 $\lVert J \rVert_F$로 잰다. 성분의 제곱을 더하면
# $\lVert J \rVert_F^2 = \sum_j p_j^2 - 2\sum_j p_j^3 + \big(\sum_j p_j^2\big)^2$이라서 $n \times n$ 행렬을 만들지 않고도
# 계산할 수 있다.

# %%
# 점수를 나누는 값 c: 이름 → d_k의 함수
DIVISORS = {
    "unscaled": lambda d_k: 1.0,  # 나누지 않음
    "scaled": lambda d_k: d_k**0.5,  # 논문: √d_k
    "over_d_k": lambda d_k: float(d_k),  # 연습 문제 3: d_k
}


def softmax_jacobian(p: torch.Tensor) -> torch.Tensor:
    """softmax 확률 p (..., n)에서 야코비안 diag(p) - p pᵀ (..., n, n)을 만든다."""
    return torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)


def jacobian_norm(p: torch.Tensor) -> torch.Tensor:
    """‖diag(p) - p pᵀ‖_F를 행렬 없이 계산한다: √(Σp² - 2Σp³ + (Σp²)²)."""
    p = p.double()  # 원-핫 근처에서는 세 항이 거의 지워지므로 float64로 더한다
    squares = p * p
    sum_sq = squares.sum(dim=-1)
    return (sum_sq - 2 * (squares * p).sum(dim=-1) + sum_sq * sum_sq).clamp_min(0).sqrt()


def uniform_jacobian_norm(n_keys: int) -> float:
    """키 n개에 고르게 퍼진 softmax(p_j = 1/n)의 야코비안 노름 √(n-1)/n."""
    return (n_keys - 1) ** 0.5 / n_keys


def attention_scores(d_k: int, n_keys: int, n_trials: int, generator: torch.Generator) -> torch.Tensor:
    """쿼리 1개와 키 n_keys개(성분 i.i.d. N(0, 1))의 내적 q·k_j, 크기 (n_trials, n_keys).

    q가 정해지면 q·k_j ~ N(0, ‖q‖²)이므로, 키 대신 z_j ~ N(0, 1)을 뽑아 ‖q‖ z_j로 만든다.
    """
    q = torch.randn(n_trials, d_k, generator=generator)
    z = torch.randn(n_trials, n_keys, generator=generator)
    return q.norm(dim=-1, keepdim=True) * z


def softmax_saturation(d_ks=D_KS, n_keys: int = N_KEYS, n_trials: int = N_TRIALS, seed: int = 0) -> dict[int, dict[str, float]]:
    """d_k마다, 나누는 값(DIVISORS)별 평균 최대 확률과 평균 야코비안 노름을 돌려준다."""
    result = {}
    for d_k in d_ks:
        generator = torch.Generator().manual_seed(seed + d_k)
        scores = attention_scores(d_k, n_keys, n_trials, generator)  # 세 가지 c가 같은 점수를 쓴다
        row = {}
        for name, divisor in DIVISORS.items():
            p = torch.softmax(scores / divisor(d_k), dim=-1)
            row[f"max_prob_{name}"] = p.max(dim=-1).values.mean().item()
            row[f"jacobian_{name}"] = jacobian_norm(p).mean().item()
        result[d_k] = row
    return result


def jacobian_crossing(saturation: dict[int, dict[str, float]]) -> int | None:
    """스케일링하지 않은 쪽의 야코비안 노름이 스케일링한 쪽보다 처음 작아지는 d_k (없으면 None)."""
    for d_k, row in saturation.items():
        if row["jacobian_unscaled"] < row["jacobian_scaled"]:
            return d_k
    return None


# %%
if __name__ == "__main__":
    saturation = softmax_saturation()
    first, last = saturation[D_KS[0]], saturation[D_KS[-1]]
    publish("sdp_n_trials", N_TRIALS)
    publish("sdp_n_keys", N_KEYS)
    publish("sdp_uniform_prob", 1 / N_KEYS)
    publish("sdp_max_prob_unscaled_first", first["max_prob_unscaled"])
    publish("sdp_max_prob_unscaled_last", last["max_prob_unscaled"])
    publish("sdp_max_prob_scaled_min", min(s["max_prob_scaled"] for s in saturation.values()))
    publish("sdp_max_prob_scaled_max", max(s["max_prob_scaled"] for s in saturation.values()))
    publish("sdp_jacobian_unscaled_first", first["jacobian_unscaled"])
    publish("sdp_jacobian_scaled_first", first["jacobian_scaled"])
    publish("sdp_jacobian_unscaled_last", last["jacobian_unscaled"])
    publish("sdp_jacobian_scaled_last", last["jacobian_scaled"])
    publish("sdp_jacobian_ratio_last", last["jacobian_unscaled"] / last["jacobian_scaled"])
    publish("sdp_jacobian_uniform", uniform_jacobian_norm(N_KEYS))
    crossing = jacobian_crossing(saturation)
    assert crossing is not None, "키 32개에서 야코비안 노름의 두 곡선이 만나지 않았다"
    publish("sdp_jacobian_crossing_d_k", crossing)
    print(f"{'d_k':>5} | {'max p (전)':>10} | {'max p (후)':>10} | {'‖J‖ (전)':>9} | {'‖J‖ (후)':>9}")
    for d_k, s in saturation.items():
        print(
            f"{d_k:>5} | {s['max_prob_unscaled']:>10.3f} | {s['max_prob_scaled']:>10.3f} | "
            f"{s['jacobian_unscaled']:>9.3f} | {s['jacobian_scaled']:>9.3f}"
        )

# %% [markdown]
# 스케일링하지 않으면 $d_k$가 커질수록 가장 큰 확률이 1에 다가가고 야코비안 노름은 줄어든다.
# 스케일링하면 두 값 모두 $d_k$와 거의 무관하다.
#
# 주의할 점: 이 효과는 $d_k$가 클 때 나타난다. 키 {{ sdp_n_keys }}개에서 스케일링하지 않은 쪽의 야코비안 노름이
# 스케일링한 쪽보다 작아지는 것은 $d_k$ = {{ sdp_jacobian_crossing_d_k:d }}부터이고, $d_k = 16$에서는 오히려 조금 더 크다
# ({{ sdp_jacobian_unscaled_first:.3f }}, 스케일링한 쪽은 {{ sdp_jacobian_scaled_first:.3f }}).
# 야코비안 노름은 확률이 어떻게 나뉘어 있는지에 달려 있다. 한 키가 확률을 독차지하면(원-핫) 0이고, 두 키가 반씩
# 나눠 가질 때 가장 크며($1/2$), 더 많은 키에 고르게 퍼질수록 줄어든다($m$개에 고르게 퍼지면 $\sqrt{m-1}/m$,
# 키 {{ sdp_n_keys }}개 모두에 고르게 퍼지면 {{ sdp_jacobian_uniform:.3f }}). $d_k = 16$에서 스케일링하지 않은 softmax는
# 가장 큰 확률이 평균 {{ sdp_max_prob_unscaled_first:.2f }}(으)로 몇 개의 키가 확률을 나눠 갖고, 스케일링한 softmax는
# {{ sdp_max_prob_scaled_min:.2f }}~{{ sdp_max_prob_scaled_max:.2f }}(으)로 더 많은 키에 퍼져 있어서 노름이 조금 작다.
# 그렇다고 스케일링한 softmax가 고르게 퍼진 것은 아니다: 균등 분포의 확률은 {{ sdp_uniform_prob:.3f }}(이)다.

# %%
if __name__ == "__main__":

    def draw_saturation(narrow=False):
        """d_k에 따른 평균 최대 확률과 야코비안 노름 (두 패널)."""
        d_ks = list(saturation)
        fig, (left, right) = plt.subplots(2, 1, figsize=(4.6, 6.6)) if narrow else plt.subplots(1, 2, figsize=(9.0, 3.8))
        for name, label, marker, color in (
            ("unscaled", r"스케일링 없음 ($q \cdot k$)", "o", "C0"),
            ("scaled", r"스케일링 ($q \cdot k / \sqrt{d_k}$)", "s", "C1"),
        ):
            left.plot(d_ks, [saturation[d][f"max_prob_{name}"] for d in d_ks], marker=marker, color=color, label=label)
            right.plot(d_ks, [saturation[d][f"jacobian_{name}"] for d in d_ks], marker=marker, color=color, label=label)
        left.axhline(1 / N_KEYS, color="C2", linestyle=":", label=f"균등 분포 ($1/{N_KEYS}$)")
        left.set_ylim(0, 1.02)
        left.set_ylabel(r"평균 최대 확률 $\max(p)$")
        left.set_title(f"softmax의 쏠림 (키 {N_KEYS}개)")
        right.set_ylim(bottom=0)
        right.set_ylabel(r"평균 $\Vert \mathrm{diag}(p) - p p^{\top} \Vert_F$")
        right.set_title("softmax 야코비안의 크기")
        for ax in (left, right):
            ax.set_xscale("log", base=2)
            ax.set_xlabel(r"$d_k$")
        left.legend(loc="center right")
        fig.tight_layout()
        return fig

    save_figure(
        "sdp-softmax-saturation",
        draw_saturation,
        narrow=True,
        alt=(
            "첫 번째 패널: d_k가 커질수록 스케일링하지 않은 softmax의 최대 확률은 1에 가까워지고"
            "(d_k = 1024에서 {{ sdp_max_prob_unscaled_last:.2f }}), "
            "스케일링한 쪽은 {{ sdp_max_prob_scaled_min:.2f }}~{{ sdp_max_prob_scaled_max:.2f }}에 머문다. "
            "두 번째 패널: 스케일링하지 않은 야코비안 노름은 d_k가 커질수록 줄어들고 스케일링한 쪽은 거의 일정하다"
        ),
    )

# %% [markdown]
# ## 4. 키의 개수를 바꾸면 (연습 문제 2)
#
# 같은 실험을 키 {{ sdp_n_keys_256_n_keys }}개로 한 번 더 돌린다. 기준선은 균등 분포의 야코비안 노름
# $\sqrt{n-1}/n$이다: 키가 {{ sdp_n_keys }}개이면 {{ sdp_jacobian_uniform:.3f }}, {{ sdp_n_keys_256_n_keys }}개이면
# {{ sdp_n_keys_256_jacobian_uniform:.3f }}(으)로, 키 개수가 늘면 대략 $1/\sqrt{n}$처럼 줄어든다.

# %%
if __name__ == "__main__":
    saturation_256 = softmax_saturation(n_keys=N_KEYS_EXERCISE)
    first_256, last_256 = saturation_256[D_KS[0]], saturation_256[D_KS[-1]]
    publish("sdp_n_keys_256_n_keys", N_KEYS_EXERCISE)
    publish("sdp_n_keys_256_uniform_prob", 1 / N_KEYS_EXERCISE)
    publish("sdp_n_keys_256_max_prob_unscaled_first", first_256["max_prob_unscaled"])
    publish("sdp_n_keys_256_max_prob_unscaled_last", last_256["max_prob_unscaled"])
    publish("sdp_n_keys_256_max_prob_scaled_min", min(s["max_prob_scaled"] for s in saturation_256.values()))
    publish("sdp_n_keys_256_max_prob_scaled_max", max(s["max_prob_scaled"] for s in saturation_256.values()))
    publish("sdp_n_keys_256_jacobian_unscaled_first", first_256["jacobian_unscaled"])
    publish("sdp_n_keys_256_jacobian_scaled_first", first_256["jacobian_scaled"])
    publish("sdp_n_keys_256_jacobian_unscaled_last", last_256["jacobian_unscaled"])
    publish("sdp_n_keys_256_jacobian_scaled_last", last_256["jacobian_scaled"])
    publish("sdp_n_keys_256_jacobian_uniform", uniform_jacobian_norm(N_KEYS_EXERCISE))
    # 키가 늘 때 줄어드는 비율: 스케일링한 쪽(d_k = 1024)과 균등 분포 기준선
    publish("sdp_n_keys_256_jacobian_scaled_ratio", last_256["jacobian_scaled"] / last["jacobian_scaled"])
    publish("sdp_n_keys_256_jacobian_uniform_ratio", uniform_jacobian_norm(N_KEYS_EXERCISE) / uniform_jacobian_norm(N_KEYS))
    crossing_256 = jacobian_crossing(saturation_256)
    assert crossing_256 is not None and crossing_256 > D_KS[0], "키 256개에서 두 곡선이 D_KS 안에서 만나지 않았다"
    before = D_KS[D_KS.index(crossing_256) - 1]  # 스케일링하지 않은 쪽이 아직 큰 마지막 d_k
    publish("sdp_n_keys_256_jacobian_crossing_d_k", crossing_256)
    publish("sdp_n_keys_256_jacobian_before_crossing_d_k", before)
    publish("sdp_n_keys_256_jacobian_unscaled_before_crossing", saturation_256[before]["jacobian_unscaled"])
    publish("sdp_n_keys_256_jacobian_scaled_before_crossing", saturation_256[before]["jacobian_scaled"])
    publish("sdp_n_keys_256_jacobian_unscaled_at_crossing", saturation_256[crossing_256]["jacobian_unscaled"])
    publish("sdp_n_keys_256_jacobian_scaled_at_crossing", saturation_256[crossing_256]["jacobian_scaled"])
    print(f"{'d_k':>5} | {'키 수':>5} | {'max p (전)':>10} | {'max p (후)':>10} | {'‖J‖ (전)':>9} | {'‖J‖ (후)':>9}")
    for d_k in D_KS:
        for n_keys, table in ((N_KEYS, saturation), (N_KEYS_EXERCISE, saturation_256)):
            s = table[d_k]
            print(
                f"{d_k:>5} | {n_keys:>5} | {s['max_prob_unscaled']:>10.3f} | {s['max_prob_scaled']:>10.3f} | "
                f"{s['jacobian_unscaled']:>9.3f} | {s['jacobian_scaled']:>9.3f}"
            )

# %% [markdown]
# 스케일링한 softmax는 확률이 많은 키에 퍼져 있어서, 야코비안 노름이 균등 분포의 기준선과 비슷한 비율로 줄어든다
# ({{ sdp_n_keys_256_jacobian_scaled_ratio:.2f }}배, 기준선은 {{ sdp_n_keys_256_jacobian_uniform_ratio:.2f }}배).
# 스케일링하지 않은 softmax는 확률이 몇 개의 키에 몰려 있어서 키 개수가 늘어도 노름이 줄지 않는다
# ($d_k = 16$에서 {{ sdp_jacobian_unscaled_first:.3f }}, 키 {{ sdp_n_keys_256_n_keys }}개에서 {{ sdp_n_keys_256_jacobian_unscaled_first:.3f }}).
# 그래서 두 곡선이 만나는 $d_k$가 {{ sdp_jacobian_crossing_d_k:d }}에서 {{ sdp_n_keys_256_jacobian_crossing_d_k:d }}(으)로 밀린다.
#
# ## 5. √d_k 대신 d_k로 나누면 (연습 문제 3)
#
# 점수를 $c$로 나누면 연쇄 법칙에 $c$가 한 번 더 들어간다. $z_j = q \cdot k_j / c$이므로 $\partial z_j / \partial q = k_j / c$이고,
# $\lVert k_j \rVert \approx \sqrt{d_k}$이다. $c = \sqrt{d_k}$이면 이 인수의 크기가 1 정도, $c = d_k$이면 $1/\sqrt{d_k}$이다.
# 확률 $p$에 들어온 기울기 $g$(성분 $N(0, 1)$)가 점수 $z$까지 전해진 크기 $\lVert J g \rVert$와 쿼리 $q$까지 전해진 크기
# $\lVert \partial (g \cdot p) / \partial q \rVert$를 두 가지 $c$로 잰다. 이번에는 쿼리 기울기에 키 벡터가 필요해서 키를 직접 뽑는다.

# %%
def query_gradient(q, keys, upstream, c: float):
    """L = g·softmax(q·K/c)의 점수 z = q·K/c에 대한 기울기 J g와 쿼리 q에 대한 기울기 (연쇄 법칙으로 직접)."""
    p = torch.softmax(torch.einsum("td,tnd->tn", q, keys) / c, dim=-1)
    grad_scores = p * (upstream - (p * upstream).sum(dim=-1, keepdim=True))  # J g (J는 대칭)
    grad_query = torch.einsum("tn,tnd->td", grad_scores, keys) / c  # ∂z_j/∂q = k_j / c
    return grad_scores, grad_query


def query_gradient_norms(d_k: int, n_keys: int = N_KEYS, n_trials: int = 1000, seed: int = 0) -> dict[str, dict[str, float]]:
    """c = √d_k와 c = d_k에서, 확률에 들어온 기울기 g(성분 N(0, 1))가 점수와 쿼리까지 전해진 크기의 평균."""
    generator = torch.Generator().manual_seed(seed + d_k)
    q = torch.randn(n_trials, d_k, generator=generator)
    keys = torch.randn(n_trials, n_keys, d_k, generator=generator)
    upstream = torch.randn(n_trials, n_keys, generator=generator)
    result = {}
    for name in ("scaled", "over_d_k"):
        grad_scores, grad_query = query_gradient(q, keys, upstream, DIVISORS[name](d_k))
        result[name] = {"scores": grad_scores.norm(dim=-1).mean().item(), "query": grad_query.norm(dim=-1).mean().item()}
    return result


# %%
if __name__ == "__main__":
    gradients = query_gradient_norms(D_KS[-1])
    publish("sdp_over_d_k_max_prob_last", last["max_prob_over_d_k"])
    publish("sdp_over_d_k_jacobian_last", last["jacobian_over_d_k"])
    publish("sdp_over_d_k_score_grad_ratio", gradients["over_d_k"]["scores"] / gradients["scaled"]["scores"])
    publish("sdp_over_d_k_query_grad_ratio", gradients["over_d_k"]["query"] / gradients["scaled"]["query"])
    print(f"d_k = {D_KS[-1]}, 키 {N_KEYS}개")
    print(f"{'c':>6} | {'max p':>6} | {'‖J‖':>6} | {'‖Jg‖':>6} | {'‖∂/∂q‖':>7}")
    for name, label in (("scaled", "√d_k"), ("over_d_k", "d_k")):
        print(
            f"{label:>6} | {last[f'max_prob_{name}']:>6.3f} | {last[f'jacobian_{name}']:>6.3f} | "
            f"{gradients[name]['scores']:>6.3f} | {gradients[name]['query']:>7.4f}"
        )

# %% [markdown]
# $d_k$로 나누면 $d_k = 1024$에서 가장 큰 확률이 평균 {{ sdp_over_d_k_max_prob_last:.3f }}(으)로 균등 분포의
# {{ sdp_uniform_prob:.3f }}에 가깝다: 어텐션이 어느 키에도 특별히 주목하지 않는다. 야코비안 노름은
# {{ sdp_over_d_k_jacobian_last:.3f }}(으)로 균등 분포의 값 {{ sdp_jacobian_uniform:.3f }}에 다가갈 뿐 0으로 가지 않는다.
# 점수까지 전해진 기울기도 $\sqrt{d_k}$로 나눌 때의 {{ sdp_over_d_k_score_grad_ratio:.2f }}배로 조금 작을 뿐이다.
# 쿼리까지 전해진 기울기는 {{ sdp_over_d_k_query_grad_ratio:.3f }}배로, 그 값에 연쇄 법칙의 인수
# $\sqrt{d_k}/d_k = 1/32$배를 곱한 만큼 작다. 쿼리까지 가는 기울기를 줄이는 것은 주로 softmax가 아니라 이 인수다
# (키 $k_j$까지 가는 기울기도 같은 까닭으로 $q / c$를 곱해 받는다).
