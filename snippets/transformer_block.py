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
# # Transformer 블록 그림: Post-LN과 Pre-LN
#
# 인코더 층 하나는 두 서브층(Multi-Head Attention, FFN)으로 되어 있고, 서브층마다 잔차 연결과 LayerNorm(LN)이 붙는다.
# 두 구조의 차이는 LN의 자리 하나뿐이다.
#
# $$\text{Post-LN:}\quad x_{l+1} = \mathrm{LN}\big(x_l + F(x_l)\big) \qquad\qquad
#   \text{Pre-LN:}\quad x_{l+1} = x_l + F\big(\mathrm{LN}(x_l)\big)$$
#
# 이 노트북은 층 하나의 상자 순서와 잔차 경로를 데이터로 적고(`block_layout`, `residual_paths`), 그 데이터로 그림을
# 그린다. 그림과 테스트가 같은 데이터를 본다.

# %%
import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

# 저장소 폴더에서 `python -m snippets.transformer_block`으로 실행하거나 빌더가 실행한다.
from snippets._figures import publish, save_figure  # noqa: F401  (이 그림은 숫자를 인용하지 않는다)

VARIANTS = ("post", "pre")
TITLES = {"post": "Post-LN (원래 Transformer)", "pre": "Pre-LN"}
LABELS = {
    "input": r"입력 $x_l$",
    "attention": "Multi-Head Attention",
    "ffn": "Feed-Forward (FFN)",
    "norm": "LayerNorm",
    "add": "+",
    "output": r"출력 $x_{l+1}$",
}

# %% [markdown]
# ## 층 하나의 구조
#
# 아래에서 위로(입력에서 출력으로) 상자의 종류를 적는다. `"add"`는 잔차를 더하는 자리다.
#
# - Post-LN: 서브층 → 더하기 → LN. LN이 잔차 경로 **위에** 있다.
# - Pre-LN: LN → 서브층 → 더하기. LN은 서브층으로 가는 갈래에만 있고, 잔차 경로는 LN을 거치지 않는다.
#   그래서 마지막 층 뒤에 LN을 한 번 더 건다(최종 LN).

# %%
def block_layout(variant: str) -> list[str]:
    """층 하나의 상자 종류를 입력에서 출력 순서로 돌려준다."""
    if variant == "post":
        return ["input", "attention", "add", "norm", "ffn", "add", "norm", "output"]
    if variant == "pre":
        return ["input", "norm", "attention", "add", "norm", "ffn", "add", "output"]
    raise ValueError(f"unknown block variant {variant!r}; expected one of {VARIANTS}")


def residual_paths(variant: str) -> list[tuple[int, int]]:
    """잔차 연결마다 (갈라지는 상자, 더해지는 "add" 상자)의 위치를 돌려준다.

    잔차는 서브층 갈래가 시작되기 바로 앞의 상자에서 갈라진다: Post-LN은 서브층 바로 앞,
    Pre-LN은 서브층 앞 LN의 바로 앞.
    """
    layout = block_layout(variant)
    paths = []
    for add in (i for i, kind in enumerate(layout) if kind == "add"):
        start = add - 1
        while layout[start] in ("attention", "ffn") or (variant == "pre" and layout[start] == "norm"):
            start -= 1
        paths.append((start, add))
    return paths


def residual_stream(variant: str) -> list[str]:
    """입력에서 출력까지 잔차 경로를 따라갈 때 지나는 상자 종류 (서브층 갈래를 건너뛴다)."""
    layout = block_layout(variant)
    skips = dict(residual_paths(variant))
    stream, position = [], 0
    while position < len(layout):
        stream.append(layout[position])
        position = skips.get(position, position + 1)
    return stream


def has_final_norm(variant: str) -> bool:
    """마지막 층 뒤에 LN을 한 번 더 거는가: 잔차 경로에 LN이 없는 Pre-LN만."""
    return "norm" not in residual_stream(variant)


# %%
if __name__ == "__main__":
    for variant in VARIANTS:
        print(f"{TITLES[variant]}: {' → '.join(block_layout(variant))}")
        print(f"  잔차 경로: {' → '.join(residual_stream(variant))}, 최종 LN: {has_final_norm(variant)}")

# %% [markdown]
# ## 그림
#
# 상자는 아래에서 위로 쌓고, 오른쪽의 굽은 화살표가 잔차 연결이다. Pre-LN의 점선 상자는 층을 모두 쌓은 뒤
# 한 번만 거는 최종 LN이다.

# %%
BOX_WIDTH, BOX_HEIGHT, GAP = 2.6, 0.62, 0.38
STYLE = {"attention": "C0", "ffn": "C2", "norm": "C1"}


def _draw_block(ax, variant: str) -> None:
    layout = block_layout(variant)
    foreground = plt.rcParams["text.color"]
    y = [i * (BOX_HEIGHT + GAP) for i in range(len(layout))]
    for i, kind in enumerate(layout):
        if kind == "add":
            ax.add_patch(plt.Circle((0, y[i]), 0.22, fill=False, edgecolor=foreground, linewidth=1.4))
            ax.text(0, y[i], "+", ha="center", va="center", fontsize=13)
        elif kind in STYLE:
            color = STYLE[kind]
            ax.add_patch(FancyBboxPatch((-BOX_WIDTH / 2, y[i] - BOX_HEIGHT / 2), BOX_WIDTH, BOX_HEIGHT,
                                        boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=color, alpha=0.28,
                                        edgecolor="none"))
            ax.add_patch(FancyBboxPatch((-BOX_WIDTH / 2, y[i] - BOX_HEIGHT / 2), BOX_WIDTH, BOX_HEIGHT,
                                        boxstyle="round,pad=0.02,rounding_size=0.12", fill=False, edgecolor=color,
                                        linewidth=1.6))
            ax.text(0, y[i], LABELS[kind], ha="center", va="center", fontsize=10)
        else:  # 입력, 출력
            ax.text(0, y[i], LABELS[kind], ha="center", va="center", fontsize=11)
        if i:  # 아래 상자에서 올라오는 화살표
            below = 0.22 if layout[i - 1] == "add" else (0.18 if layout[i - 1] in ("input",) else BOX_HEIGHT / 2)
            above = 0.22 if kind == "add" else (0.18 if kind == "output" else BOX_HEIGHT / 2)
            ax.annotate("", xy=(0, y[i] - above), xytext=(0, y[i - 1] + below),
                        arrowprops=dict(arrowstyle="-|>", color=foreground, linewidth=1.2))
    for start, add in residual_paths(variant):  # 잔차: 오른쪽으로 돌아 "+"로 들어간다
        x_side = BOX_WIDTH / 2 + 0.45
        branch = y[start] + (0.18 if layout[start] == "input" else BOX_HEIGHT / 2 if layout[start] != "add" else 0.22) + 0.12
        ax.plot([0, x_side, x_side], [branch, branch, y[add]], color=foreground, linewidth=1.2)
        ax.annotate("", xy=(0.22, y[add]), xytext=(x_side, y[add]),
                    arrowprops=dict(arrowstyle="-|>", color=foreground, linewidth=1.2))
        ax.text(x_side + 0.1, (branch + y[add]) / 2, "잔차", rotation=90, ha="left", va="center", fontsize=9)
    top = y[-1]
    if has_final_norm(variant):
        final_y = top + 0.6 + BOX_HEIGHT
        ax.annotate("", xy=(0, final_y - BOX_HEIGHT), xytext=(0, top + 0.2),
                    arrowprops=dict(arrowstyle="-|>", color=foreground, linewidth=1.2, linestyle=":"))
        ax.add_patch(FancyBboxPatch((-BOX_WIDTH / 2, final_y - BOX_HEIGHT), BOX_WIDTH, 2 * BOX_HEIGHT,
                                    boxstyle="round,pad=0.02,rounding_size=0.12", fill=False, edgecolor=STYLE["norm"],
                                    linewidth=1.6, linestyle="--"))
        ax.text(0, final_y, "최종 LayerNorm\n(N층을 모두 지난 뒤 한 번)", ha="center", va="center", fontsize=9,
                linespacing=1.4)
    # 층 하나가 N번 반복된다는 표시: 왼쪽의 세로 괄호
    x_brace = -BOX_WIDTH / 2 - 0.2
    ax.plot([x_brace + 0.1, x_brace, x_brace, x_brace + 0.1], [y[0] + 0.3, y[0] + 0.3, y[-1] - 0.3, y[-1] - 0.3],
            color=foreground, linewidth=1.0)
    ax.text(x_brace - 0.1, (y[0] + y[-1]) / 2, "×N", ha="right", va="center", fontsize=11)
    ax.set_title(TITLES[variant], fontsize=12)
    ax.set_xlim(-BOX_WIDTH / 2 - 0.9, BOX_WIDTH / 2 + 0.9)
    ax.set_ylim(-0.5, (len(layout) - 1) * (BOX_HEIGHT + GAP) + 0.8 + 2 * BOX_HEIGHT)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_blocks():
    """Post-LN과 Pre-LN 블록을 나란히."""
    fig, axes = plt.subplots(1, 2, figsize=(7.0, 5.6))
    for ax, variant in zip(axes, VARIANTS):
        _draw_block(ax, variant)
    fig.tight_layout()
    return fig


def describe(variant: str) -> str:
    """그림의 대체 텍스트에 쓰는 한 구조의 설명 (상자 순서와 잔차 경로)."""
    names = {"input": "입력", "attention": "Multi-Head Attention", "ffn": "FFN", "norm": "LayerNorm",
             "add": "잔차 더하기", "output": "출력"}
    chain = " → ".join(names[kind] for kind in block_layout(variant))
    stream = " → ".join(names[kind] for kind in residual_stream(variant))
    final = " 마지막 층 뒤에 최종 LayerNorm을 한 번 건다." if has_final_norm(variant) else ""
    return f"{TITLES[variant]}: {chain}. 잔차 경로는 {stream}.{final}"


# %%
if __name__ == "__main__":
    save_figure(
        "tb-blocks",
        draw_blocks,
        alt="Transformer 인코더 층 하나를 두 구조로 나란히 그린 그림. " + " ".join(describe(v) for v in VARIANTS),
    )

# %% [markdown]
# 왼쪽 Post-LN에서는 잔차로 더한 값이 곧바로 LN을 지난다. 층을 쌓으면 입력에서 출력까지 가는 잔차 경로에 LN이
# 층마다 두 번씩 놓인다. 오른쪽 Pre-LN에서는 LN이 서브층으로 가는 갈래에만 있어서, 잔차 경로가 입력에서 출력까지
# 더하기만으로 이어진다. 기울기가 이 경로로 LN을 거치지 않고 흐른다는 점이 Xiong et al. (2020)이 Pre-LN의 기울기가
# 층에 따라 고르다고 본 이유다. 대신 잔차 경로의 값은 정규화되지 않은 채 쌓이므로 마지막에 최종 LN을 건다.
