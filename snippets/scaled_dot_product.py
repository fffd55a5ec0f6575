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

# %%
import torch

# 저장소 폴더에서 `python -m snippets.scaled_dot_product`으로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)

# 실험에 쓰는 d_k 값들 (2의 거듭제곱)
D_KS = (16, 32, 64, 128, 256, 512, 1024)
N_KEYS = 32  # 쿼리 하나가 바라보는 키의 개수

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
# 쿼리 하나와 키 32개의 점수를 softmax에 넣는다. 점수의 퍼짐(표준편차 $\sqrt{d_k}$)이 커지면 가장 큰 점수 하나가
# 확률을 독차지한다. 시행마다 가장 큰 확률 $\max_j p_j$를 구해 평균을 낸다.
#
# ## 3. softmax의 야코비안
#
# $p = \mathrm{softmax}(z)$의 야코비안은
#
# $$J = \frac{\partial p}{\partial z} = \mathrm{diag}(p) - p\,p^\top$$
#
# 이다. $p$가 원-핫에 가까우면 $J$의 모든 성분이 0에 가까워지고, 점수 $z$로 흘러가는 기울기가 사라진다.
# 크기는 프로베니우스 노름 $\lVert J \rVert_F$로 잰다.

# %%
def softmax_jacobian(p: torch.Tensor) -> torch.Tensor:
    """softmax 확률 p (..., n)에서 야코비안 diag(p) - p pᵀ (..., n, n)을 만든다."""
    return torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)


def attention_probabilities(d_k: int, n_trials: int, generator: torch.Generator, scaled: bool) -> torch.Tensor:
    """쿼리 1개와 키 N_KEYS개(성분 i.i.d. N(0, 1))의 softmax 확률을 n_trials번 뽑는다."""
    q = torch.randn(n_trials, 1, d_k, generator=generator)
    keys = torch.randn(n_trials, N_KEYS, d_k, generator=generator)
    scores = (q * keys).sum(dim=-1)  # (n_trials, N_KEYS)
    if scaled:
        scores = scores / d_k**0.5
    return torch.softmax(scores, dim=-1)


def softmax_saturation(d_ks=D_KS, n_trials: int = 1000, seed: int = 0) -> dict[int, dict[str, float]]:
    """d_k마다 스케일링 전후의 평균 최대 확률과 평균 야코비안 노름을 돌려준다."""
    result = {}
    for d_k in d_ks:
        row = {}
        for scaled, name in ((False, "unscaled"), (True, "scaled")):
            # 같은 시드: 스케일링 전후가 똑같은 q, k를 쓴다
            generator = torch.Generator().manual_seed(seed + d_k)
            p = attention_probabilities(d_k, n_trials, generator, scaled)
            row[f"max_prob_{name}"] = p.max(dim=-1).values.mean().item()
            row[f"jacobian_{name}"] = torch.linalg.matrix_norm(softmax_jacobian(p)).mean().item()
        result[d_k] = row
    return result


# %%
if __name__ == "__main__":
    saturation = softmax_saturation()
    first, last = saturation[D_KS[0]], saturation[D_KS[-1]]
    publish("sdp_n_trials", 1000)
    publish("sdp_n_keys", N_KEYS)
    publish("sdp_max_prob_unscaled_first", first["max_prob_unscaled"])
    publish("sdp_max_prob_unscaled_last", last["max_prob_unscaled"])
    publish("sdp_max_prob_scaled_min", min(s["max_prob_scaled"] for s in saturation.values()))
    publish("sdp_max_prob_scaled_max", max(s["max_prob_scaled"] for s in saturation.values()))
    publish("sdp_jacobian_unscaled_first", first["jacobian_unscaled"])
    publish("sdp_jacobian_scaled_first", first["jacobian_scaled"])
    publish("sdp_jacobian_unscaled_last", last["jacobian_unscaled"])
    publish("sdp_jacobian_scaled_last", last["jacobian_scaled"])
    publish("sdp_jacobian_ratio_last", last["jacobian_unscaled"] / last["jacobian_scaled"])
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
# 주의할 점: 이 효과는 $d_k$가 클 때 나타난다. $d_k = 16$에서는 스케일링하지 않은 쪽의 야코비안이 오히려
# 조금 더 크다. 점수가 적당히 퍼져 있으면(확률이 몇 개에 나뉘어 있으면) 기울기가 가장 크고,
# 너무 고르거나(스케일링 후 32개에 퍼짐) 너무 쏠리면(원-핫) 작아지기 때문이다.

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
