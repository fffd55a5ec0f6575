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
# 상자에 쓰는 글. 휴대폰에서 두 구조를 나란히 보여 주려고 긴 이름은 두 줄로 쓴다.
LABELS = {
    "input": r"입력 $x_l$",
    "attention": "Multi-Head\nAttention",
    "ffn": "Feed-Forward\n(FFN)",
    "norm": "LayerNorm",
    "output": r"출력 $x_{l+1}$",
    "final": "최종 LayerNorm\n(N층 뒤 한 번)",
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
# 상자는 아래에서 위로 쌓고, 오른쪽으로 돌아 $\oplus$로 들어가는 선이 잔차 연결이다. Pre-LN의 점선 상자는 층을 모두
# 쌓은 뒤 한 번만 거는 최종 LN이다.
#
# 그림의 좌표 단위는 포인트(pt, 1/72인치)다. 글자 크기도 포인트이므로, 상자의 폭과 높이를 글자를 실제로 재어
# 정하면 그림 크기가 어떻든 글자가 상자 안에 여유 있게 들어간다.

# %%
FONT_SIZE = 10  # 상자 글자 (pt)
PAD = 7  # 글자와 상자 테두리 사이 (pt)
GAP = 13  # 상자 사이 세로 간격 (화살표 자리, pt)
ADD_RADIUS = 7  # 잔차를 더하는 ⊕의 반지름 (pt)
LANE = 18  # 상자 오른쪽 끝에서 잔차 선까지 (pt)
MARGIN = 30  # 상자 왼쪽의 "×N" 자리 (pt)
STYLE = {"attention": "C0", "ffn": "C2", "norm": "C1", "final": "C1"}


def _label_size(fig, label: str, fontsize: float) -> tuple[float, float]:
    """글자 하나를 실제로 그려 잰 (폭, 높이), 포인트."""
    probe = fig.text(0, 0, label, fontsize=fontsize, linespacing=1.3)
    extent = probe.get_window_extent(fig.canvas.get_renderer())
    probe.remove()
    return extent.width * 72 / fig.dpi, extent.height * 72 / fig.dpi


def _box_size(fig) -> tuple[float, float]:
    """모든 상자가 함께 쓰는 (폭, 높이): 가장 큰 글자에 여백을 더한다."""
    sizes = [_label_size(fig, LABELS[kind], FONT_SIZE) for kind in ("attention", "ffn", "norm", "final")]
    return max(w for w, _ in sizes) + 2 * PAD, max(h for _, h in sizes) + PAD


def _heights(layout: list[str], box_height: float) -> list[float]:
    """아래에서 위로 각 상자의 높이 (pt): ⊕는 작고, 입력·출력은 글자 한 줄."""
    return [2 * ADD_RADIUS if kind == "add" else box_height if kind in STYLE else FONT_SIZE * 1.6 for kind in layout]


def _centres(heights: list[float], bottom: float) -> list[float]:
    centres, y = [], bottom
    for height in heights:
        centres.append(y + height / 2)
        y += height + GAP
    return centres


def _arrow(ax, start, end, **style) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", color=plt.rcParams["text.color"],
                                                          linewidth=1.2, shrinkA=0, shrinkB=0, **style))


def _draw_block(ax, variant: str, box_width: float, box_height: float, top: float) -> None:
    """구조 하나를 ax에 그린다. ax의 데이터 단위는 포인트다."""
    layout = block_layout(variant)
    foreground = plt.rcParams["text.color"]
    heights = _heights(layout, box_height)
    centres = _centres(heights, bottom=4)
    x = MARGIN + box_width / 2  # 상자 가운데
    for kind, y, height in zip(layout, centres, heights):
        if kind == "add":  # ⊕: 원과 십자 (글자가 아니라 선이라 어느 글꼴에서도 가운데에 온다)
            ax.add_patch(plt.Circle((x, y), ADD_RADIUS, fill=False, edgecolor=foreground, linewidth=1.3))
            ax.plot([x - ADD_RADIUS * 0.6, x + ADD_RADIUS * 0.6], [y, y], color=foreground, linewidth=1.3)
            ax.plot([x, x], [y - ADD_RADIUS * 0.6, y + ADD_RADIUS * 0.6], color=foreground, linewidth=1.3)
        elif kind in STYLE:
            _box(ax, x, y, box_width, height, STYLE[kind])
            ax.text(x, y, LABELS[kind], ha="center", va="center", fontsize=FONT_SIZE, linespacing=1.3)
        else:  # 입력, 출력
            ax.text(x, y, LABELS[kind], ha="center", va="center", fontsize=FONT_SIZE + 1)
    for i in range(1, len(layout)):  # 아래 상자에서 위 상자로
        _arrow(ax, (x, centres[i - 1] + heights[i - 1] / 2), (x, centres[i] - heights[i] / 2))
    lane = MARGIN + box_width + LANE
    for start, add in residual_paths(variant):  # 잔차: 갈라지는 곳에서 오른쪽으로 돌아 ⊕로 들어간다
        branch = centres[start] + heights[start] / 2 + GAP / 2
        ax.plot([x, lane, lane], [branch, branch, centres[add]], color=foreground, linewidth=1.2)
        _arrow(ax, (lane, centres[add]), (x + ADD_RADIUS, centres[add]))
        ax.text(lane + 3, (branch + centres[add]) / 2, "잔차", rotation=90, ha="left", va="center", fontsize=9)
    if has_final_norm(variant):
        final_y = centres[-1] + heights[-1] / 2 + GAP * 1.5 + box_height / 2
        _arrow(ax, (x, centres[-1] + heights[-1] / 2), (x, final_y - box_height / 2), linestyle=":")
        _box(ax, x, final_y, box_width, box_height, STYLE["final"], dashed=True)
        ax.text(x, final_y, LABELS["final"], ha="center", va="center", fontsize=FONT_SIZE, linespacing=1.3)
    # 층 하나가 N번 반복된다는 표시: 왼쪽의 세로 괄호
    low, high = centres[0] + heights[0] / 2 + 2, centres[-1] - heights[-1] / 2 - 2
    ax.plot([MARGIN - 4, MARGIN - 9, MARGIN - 9, MARGIN - 4], [low, low, high, high], color=foreground, linewidth=1.0)
    ax.text(MARGIN - 12, (low + high) / 2, "×N", ha="right", va="center", fontsize=FONT_SIZE + 1)
    ax.text(x, top, TITLES[variant], ha="center", va="top", fontsize=11)


def _box(ax, x: float, y: float, width: float, height: float, color: str, dashed: bool = False) -> None:
    corner = (x - width / 2, y - height / 2)
    style = "round,pad=0,rounding_size=5"
    if not dashed:
        ax.add_patch(FancyBboxPatch(corner, width, height, boxstyle=style, facecolor=color, alpha=0.25,
                                    edgecolor="none"))
    ax.add_patch(FancyBboxPatch(corner, width, height, boxstyle=style, fill=False, edgecolor=color,
                                linewidth=1.5, linestyle="--" if dashed else "-"))


def draw_blocks():
    """Post-LN과 Pre-LN 블록을 나란히. 상자 크기는 글자를 재어 정하고, 좌표 단위는 포인트다."""
    fig = plt.figure()
    box_width, box_height = _box_size(fig)
    panel_width = MARGIN + box_width + LANE + 16  # ×N, 상자, 잔차 선과 "잔차"
    stacks = [_centres(_heights(block_layout(v), box_height), bottom=4) for v in VARIANTS]
    content = max(c[-1] for c in stacks) + FONT_SIZE + GAP * 1.5 + box_height  # 최종 LN까지
    panel_height = content + 24  # 제목 자리
    width, height = 2 * panel_width + 8, panel_height
    fig.set_size_inches(width / 72, height / 72)
    for i, variant in enumerate(VARIANTS):
        ax = fig.add_axes((i * (panel_width + 8) / width, 0, panel_width / width, 1))
        ax.set_xlim(0, panel_width)  # 데이터 1 = 1 pt
        ax.set_ylim(0, panel_height)
        ax.axis("off")
        _draw_block(ax, variant, box_width, box_height, top=panel_height - 2)
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
# 첫 번째(왼쪽) Post-LN에서는 잔차로 더한 값이 곧바로 LN을 지난다. 층을 쌓으면 입력에서 출력까지 가는 잔차 경로에
# LN이 층마다 두 번씩 놓인다. 두 번째(오른쪽) Pre-LN에서는 LN이 서브층으로 가는 갈래에만 있어서, 잔차 경로가 입력에서 출력까지
# 더하기만으로 이어진다. 기울기가 이 경로로 LN을 거치지 않고 흐른다는 점이 Xiong et al. (2020)이 Pre-LN의 기울기가
# 층에 따라 고르다고 본 이유다. 대신 잔차 경로의 값은 정규화되지 않은 채 쌓이므로 마지막에 최종 LN을 건다.
