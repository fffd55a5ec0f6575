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
# # warm-up 스케줄: Attention Is All You Need §5.3
#
# 원래 Transformer(Vaswani et al., 2017)는 Adam($\beta_1 = 0.9$, $\beta_2 = 0.98$, $\epsilon = 10^{-9}$)의 learning rate를
# step마다 다음 식으로 바꾼다(§5.3, 식 (3)).
#
# $$\mathrm{lrate} = d_\text{model}^{-0.5} \cdot \min\big(\text{step}^{-0.5},\ \text{step} \cdot \text{warmup\_steps}^{-1.5}\big)$$
#
# 처음 `warmup_steps` step 동안은 step에 비례해 선형으로 커지고, 그 뒤로는 $\text{step}^{-0.5}$에 비례해 줄어든다.
# 논문은 `warmup_steps = 4000`을 썼다. 두 항이 같아지는 곳 $\text{step} = \text{warmup\_steps}$에서 최댓값
# $d_\text{model}^{-0.5} \cdot \text{warmup\_steps}^{-0.5}$에 닿는다.
#
# 이 노트북은 이 식을 warm-up 길이 몇 가지로 그리고, Post-LN과 warm-up 페이지의 작은 복사 과제가 쓴 스케줄
# (선형 warm-up 뒤 일정한 learning rate)과 나란히 놓는다.

# %%
import torch

# 저장소 폴더에서 `python -m snippets.warmup_schedule`로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure
from snippets.layer_norm import BIG_LR, TRAIN_STEPS, WARMUP_STEPS, linear_warmup_factor

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다.

# %%
D_MODEL = 512  # base 모델의 d_model
PAPER_WARMUP = 4_000  # 논문의 warmup_steps
WARMUP_SETTINGS = (1_000, PAPER_WARMUP, 16_000)  # 비교하는 warm-up 길이
TOTAL_STEPS = 100_000  # base 모델의 학습 step 수 (§5.2)

# %% [markdown]
# ## 1. 스케줄 식
#
# step은 1부터 센다(step 0에서는 $\text{step}^{-0.5}$가 정의되지 않는다).

# %%
def noam_lrate(step: int, d_model: int = D_MODEL, warmup_steps: int = PAPER_WARMUP) -> float:
    """§5.3의 learning rate: d_model^-0.5 · min(step^-0.5, step · warmup_steps^-1.5), step ≥ 1."""
    if step < 1:
        raise ValueError(f"step은 1부터 센다: {step}")
    return d_model**-0.5 * min(step**-0.5, step * warmup_steps**-1.5)


def schedule(warmup_steps: int, total_steps: int = TOTAL_STEPS, d_model: int = D_MODEL) -> torch.Tensor:
    """step 1..total_steps의 learning rate (float64 텐서)."""
    return torch.tensor([noam_lrate(s, d_model, warmup_steps) for s in range(1, total_steps + 1)], dtype=torch.float64)


def peak(warmup_steps: int, total_steps: int = TOTAL_STEPS, d_model: int = D_MODEL) -> tuple[int, float]:
    """스케줄을 직접 계산해서 찾은 (최댓값의 step, 최댓값)."""
    rates = schedule(warmup_steps, total_steps, d_model)
    index = int(torch.argmax(rates))
    return index + 1, rates[index].item()


def copy_task_lrate(step: int, lr: float = BIG_LR, warmup_steps: int = WARMUP_STEPS) -> float:
    """복사 과제의 learning rate (step은 0부터): 선형 warm-up 뒤 일정 (snippets/layer_norm.py와 같은 함수)."""
    return lr * linear_warmup_factor(step, warmup_steps)


# %%
if __name__ == "__main__":
    peaks = {warmup: peak(warmup) for warmup in WARMUP_SETTINGS}  # 그림도 이 값을 쓴다
    for warmup in WARMUP_SETTINGS:
        step, value = peaks[warmup]
        end = noam_lrate(TOTAL_STEPS, warmup_steps=warmup)
        print(f"warmup_steps {warmup:>6,}: 최댓값 {value:.2e} (step {step:,}), step {TOTAL_STEPS:,}에서 {end:.2e}")
        publish(f"wu_peak_{warmup}", value)
        publish(f"wu_peak_step_{warmup}", step)
        publish(f"wu_end_{warmup}", end)
    publish("wu_copy_warmup_steps", WARMUP_STEPS)  # 복사 과제의 설정 (snippets/layer_norm.py)
    publish("wu_copy_lr", BIG_LR)

# %% [markdown]
# 논문의 설정(warmup_steps 4,000)에서 최댓값은 step {{ wu_peak_step_4000 }}에서 {{ wu_peak_4000:.1e }}이다.
# warm-up이 짧으면(1,000) 최댓값이 {{ wu_peak_1000:.1e }}(으)로 더 크고, 길면(16,000) {{ wu_peak_16000:.1e }}(으)로 작다.
# 최댓값이 $\text{warmup\_steps}^{-0.5}$에 비례하기 때문이다. 이 식에서 warm-up 길이는 증가 구간의 길이만이 아니라
# learning rate의 최댓값도 정한다. warm-up이 끝난 뒤에는 $d_\text{model}^{-0.5} \cdot \text{step}^{-0.5}$로
# warmup_steps와 상관이 없어서, step 100,000에서는 세 설정 모두 {{ wu_end_4000:.1e }}(이)다.

# %% [markdown]
# ## 2. 그림
#
# 첫 번째 패널은 §5.3의 스케줄(세로축 learning rate, 가로축 step)이고 점은 각 설정의 최댓값이다. 두 번째 패널은
# 복사 과제의 스케줄이다. 복사 과제는 처음 {{ wu_copy_warmup_steps }} step 동안 목표값({{ wu_copy_lr:g }})까지 선형으로
# 키운 뒤 일정하게 두고, 줄이지 않는다.

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt
    from matplotlib.ticker import StrMethodFormatter

    # 그림에는 step 100개마다 한 점과 warm-up이 끝나는 점만 그린다 (SVG를 작게)
    plotted = sorted(set(range(1, TOTAL_STEPS + 1, 100)) | set(WARMUP_SETTINGS) | {TOTAL_STEPS})
    rates = {warmup: [noam_lrate(s, warmup_steps=warmup) for s in plotted] for warmup in WARMUP_SETTINGS}

    def draw_schedules(narrow=False):
        """§5.3 스케줄(warm-up 길이 세 가지)과 복사 과제의 스케줄. 휴대폰에서는 위아래로 쌓는다."""
        fig = plt.figure(figsize=(4.6, 8.0) if narrow else (9.0, 4.4), layout="constrained")
        # 패널마다 범례가 다르다: 패널 하나를 작은 그림(subfigure)으로 두고 범례를 그 아래에 단다
        paper, copy = fig.subfigures(2, 1) if narrow else fig.subfigures(1, 2, width_ratios=[3, 2])
        ax = paper.subplots()
        for color, warmup in zip(("C1", "C0", "C2"), WARMUP_SETTINGS):
            label = f"warmup_steps {warmup:,}" + (" (논문)" if warmup == PAPER_WARMUP else "")
            ax.plot(plotted, rates[warmup], color=color, label=label)
            step, value = peaks[warmup]
            ax.plot([step], [value], "o", color=color, markersize=4)  # 최댓값 (범례에는 넣지 않는다)
        ax.set_xlabel("학습 step")
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))  # 10,000처럼 쉼표로 묶는다
        ax.set_ylabel("learning rate")
        ax.set_title("§5.3의 스케줄 (식은 본문)")
        ax.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
        ax.set_ylim(bottom=0)
        legend_below(paper)
        ax = copy.subplots()
        copy_steps = range(TRAIN_STEPS)
        ax.plot([s + 1 for s in copy_steps], [copy_task_lrate(s) for s in copy_steps], color="C1",
                label=f"warm-up {WARMUP_STEPS} step")
        ax.plot([s + 1 for s in copy_steps], [copy_task_lrate(s, warmup_steps=0) for s in copy_steps],
                color="C0", linestyle="--", label="warm-up 없음")
        ax.set_xlabel("학습 step")
        ax.set_ylabel("learning rate")
        ax.set_title("복사 과제: 선형 warm-up 뒤 일정")
        ax.set_ylim(0, BIG_LR * 1.15)
        legend_below(copy)
        return fig

    save_figure(
        "wu-schedule",
        draw_schedules,
        narrow=True,
        alt=(
            "learning rate 스케줄 두 가지. 첫 번째 패널은 Attention Is All You Need §5.3의 식으로, warmup_steps 1,000, 4,000, "
            "16,000 각각 step이 warmup_steps에 닿을 때까지 선형으로 오른 뒤 step의 제곱근에 반비례해 줄어든다. "
            "최댓값은 {{ wu_peak_1000:.1e }}, {{ wu_peak_4000:.1e }}, {{ wu_peak_16000:.1e }}(으)로 warm-up이 길수록 작다. "
            f"두 번째 패널은 복사 과제의 스케줄로, 처음 {WARMUP_STEPS} step 동안 0에서 {BIG_LR:g}까지 선형으로 오른 뒤 "
            "일정하다. "
            f"warm-up이 없으면 처음부터 {BIG_LR:g}다"
        ),
    )
