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
# # Post-LN과 Pre-LN: 초기 기울기와 learning-rate warm-up
#
# Transformer 층 하나는 서브층 $F$(self-attention 또는 FFN)와 잔차 연결, Layer Normalization(LN)으로 되어 있다.
# LN을 어디에 거느냐에 따라 두 가지 구조가 있다.
#
# $$\text{Post-LN:}\quad x_{l+1} = \mathrm{LN}\big(x_l + F(x_l)\big) \qquad\qquad
#   \text{Pre-LN:}\quad x_{l+1} = x_l + F\big(\mathrm{LN}(x_l)\big)$$
#
# Pre-LN은 마지막 층 뒤에 LN을 한 번 더 건다(최종 LN). Xiong et al. (2020, "On Layer Normalization in the
# Transformer Architecture")은 초기화 직후 Post-LN에서 **출력층 가까운 층의 기울기 상계가 크다**는 것을 보이고
# (Theorem 1), 6층 인코더와 6층 디코더의 번역 모델에서 층별 기울기를 쟀다(Figure 3). 그래서 처음부터 큰 learning rate를
# 쓰면 불안정하고, 작은 값에서 키워 가는 warm-up이 필요하다(warm-up의 실험 근거는 §3.1, Figure 2).
#
# 이 노트북에서 확인하는 것:
#
# 1. 초기화 직후 12층 인코더에서 층마다 두 번째 FFN 가중치(`linear2`)의 기울기 노름을 잰다.
#    여기서는 논문의 모델이 아니라 무작위 토큰을 넣는 인코더를 쓰고, 논문에서 초기화(Xavier 균등)와 Pre-LN의 최종 LN만
#    따온다. 이 설정에서는 마지막 층의 기울기가 Post-LN이 Pre-LN의 {{ ln_ratio_last:.1f }}배이고,
#    Post-LN은 위쪽 절반의 층으로 갈수록 커진다.
# 2. 같은 측정을 PyTorch 기본 초기화로 다시 하면 차이가 크게 줄어든다. 효과는 설정에 따라 달라진다.
# 3. 작은 복사(copy) 과제를 몇 초 동안 학습해, 큰 learning rate에서 warm-up이 있을 때와 없을 때를 비교한다.

# %%
import math
from contextlib import contextmanager

import torch
from torch import nn

# 저장소 폴더에서 `python -m snippets.layer_norm`으로 실행하거나 빌더가 실행한다.
from snippets._figures import legend_below, publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다.

# %%
# 1·2번 실험(초기 기울기)의 크기: 논문의 base 모델처럼 d_model 512, 8 heads, 12층.
# 속도를 위해 FFN 폭은 1024, 배치는 작게 잡았다(결과의 경향은 2048에서도 같다).
D_MODEL = 512
N_HEADS = 8
D_FF = 1024
N_LAYERS = 12
VOCAB = 1000
BATCH = 4
SEQ_LEN = 32
SEEDS = (0, 1, 2)  # 기울기 노름은 시드 3개의 평균
MIDDLE = N_LAYERS // 2 - 1  # 6번째 층 (0부터 센 인덱스)
SHALLOW_LAYERS = 6  # 연습 문제 1의 층 수: 빌드가 이 설정으로도 한 번 잰다
WARMUP_STEPS = 40  # 2번 실험(복사 과제)의 warm-up 길이 (step)

# %% [markdown]
# ## 모델
#
# `nn.TransformerEncoderLayer`를 쌓는다. `norm_first=False`가 Post-LN, `norm_first=True`가 Pre-LN이다.
# 기울기만 보면 되므로 dropout은 0으로 둔다. 토큰 임베딩(2번 실험에서는 학습되는 위치 임베딩도 더한다)을 넣고,
# 마지막에 선형층으로 어휘 크기의 logit을 낸다. 1번 실험은 무작위 토큰이라 위치 정보가 필요 없어서
# 위치 임베딩을 쓰지 않는다(`max_len=0`).
#
# 초기화는 두 가지를 비교한다.
#
# - `"xavier"`(논문의 설정): 모든 가중치 행렬(임베딩 포함)을 Xavier 균등 분포 $U(-a, a)$,
#   $a = \sqrt{6 / (n_\text{in} + n_\text{out})}$로, bias는 0으로 둔다.
# - `"default"`: PyTorch가 모듈을 만들 때의 기본값을 그대로 쓴다. `nn.Linear`는 $U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$,
#   `nn.Embedding`은 $N(0, 1)$이다.

# %%
class Encoder(nn.Module):
    """임베딩 + nn.TransformerEncoderLayer n_layers개 + (Pre-LN이면) 최종 LN + 출력 선형층."""

    def __init__(self, pre_ln: bool, vocab: int, d_model: int, n_heads: int, d_ff: int, n_layers: int, max_len: int = 0):
        super().__init__()
        self.tokens = nn.Embedding(vocab, d_model)
        # max_len > 0이면 학습되는 위치 임베딩을 더한다
        self.positions = nn.Embedding(max_len, d_model) if max_len > 0 else None
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(
                d_model, n_heads, d_ff, dropout=0.0, norm_first=pre_ln, batch_first=False
            )
            for _ in range(n_layers)
        )
        # Pre-LN은 잔차 경로에 정규화가 없으므로 마지막에 LN을 한 번 건다. Post-LN은 이미 정규화된 값이 나온다.
        self.final_norm = nn.LayerNorm(d_model) if pre_ln else nn.Identity()
        self.output = nn.Linear(d_model, vocab)

    def forward(self, x: torch.Tensor, causal: bool = False) -> torch.Tensor:
        """토큰 (batch, seq) → logit (batch, seq, vocab)."""
        seq_len = x.shape[1]
        # 층 안에서는 (seq, batch, d_model) 순서로 계산한다(층을 batch_first=False로 만든 이유).
        # batch_first=True면 nn.MultiheadAttention이 층마다 입력을 전치해 느린 행렬곱 경로를 탄다. 값은 같다.
        h = self.tokens(x.T)
        if self.positions is not None:
            h = h + self.positions(torch.arange(seq_len))[:, None]
        mask = nn.Transformer.generate_square_subsequent_mask(seq_len) if causal else None
        for layer in self.layers:
            h = layer(h, src_mask=mask, is_causal=causal)
        return self.output(self.final_norm(h)).transpose(0, 1)


def init_weights(model: nn.Module, init: str) -> None:
    """init="xavier"면 모든 가중치 행렬을 Xavier 균등, bias를 0으로 바꾼다. "default"면 그대로 둔다."""
    if init == "default":
        return
    if init != "xavier":
        raise ValueError(f"unknown init {init!r}")
    for name, param in model.named_parameters():
        if param.dim() == 2:  # 가중치 행렬 (LN의 weight는 1차원이라 1로 남는다)
            nn.init.xavier_uniform_(param)
        elif name.endswith("bias"):
            nn.init.zeros_(param)


def build_encoder(pre_ln: bool, init: str = "xavier", **sizes) -> Encoder:
    """12층 인코더(크기는 모듈 상수, sizes로 바꿀 수 있음)를 만들고 init 방식으로 초기화한다."""
    config = dict(vocab=VOCAB, d_model=D_MODEL, n_heads=N_HEADS, d_ff=D_FF, n_layers=N_LAYERS)
    config.update(sizes)
    model = Encoder(pre_ln, **config)
    init_weights(model, init)
    return model


def place_norms(model: Encoder, pre_ln: bool) -> Encoder:
    """model의 LN 자리를 바꾼다(pre_ln이면 Pre-LN, 아니면 Post-LN). 가중치는 그대로 두고 model을 돌려준다.

    두 구조는 층의 norm_first와 최종 LN만 다르다. LN은 난수를 쓰지 않고 배율 1, bias 0으로 시작하므로, 같은 시드로
    만든 Post-LN과 Pre-LN은 가중치가 똑같다. 그래서 모델을 한 번 만들어 두 구조로 잴 수 있다.
    """
    for layer in model.layers:
        layer.norm_first = pre_ln
    model.final_norm = nn.LayerNorm(model.output.in_features) if pre_ln else nn.Identity()
    return model


# %% [markdown]
# ## 1. 초기화 직후 층별 기울기 노름
#
# 무작위 토큰을 넣고, 무작위 정답 토큰에 대한 cross-entropy를 한 번 역전파한다. 학습은 하지 않는다.
# 층 $l$의 FFN은 $W_2\,\mathrm{ReLU}(W_1 x)$이고, 여기서 $W_2$가 `linear2.weight`이다. 그 기울기의
# 프로베니우스 노름 $\lVert \partial \mathcal{L} / \partial W_2^{(l)} \rVert_F$를 층마다 기록한다(논문 Figure 3과 같은 양).

# %%
def layer_grad_norms(pre_ln: bool, init: str = "xavier", seed: int = 0, **sizes) -> list[float]:
    """초기화 직후 한 번의 역전파에서 층마다 linear2.weight 기울기의 노름(아래층부터)을 돌려준다."""
    torch.manual_seed(seed)
    return linear2_grad_norms(build_encoder(pre_ln, init, **sizes), seed)


def linear2_grad_norms(model: Encoder, seed: int = 0) -> list[float]:
    """model에 시드 seed의 무작위 토큰과 정답을 넣고 한 번 역전파해, 층마다 linear2.weight 기울기의 노름을 돌려준다."""
    # linear2.weight의 기울기만 필요하다. 다른 파라미터의 기울기를 계산하지 않으면 역전파가 빨라지고 값은 같다.
    for name, param in model.named_parameters():
        param.requires_grad_(name.endswith("linear2.weight"))
        param.grad = None  # 같은 모델을 다시 잴 때 앞의 기울기에 더해지지 않도록
    vocab = model.output.out_features
    generator = torch.Generator().manual_seed(10_000 + seed)
    x = torch.randint(vocab, (BATCH, SEQ_LEN), generator=generator)
    y = torch.randint(vocab, (BATCH, SEQ_LEN), generator=generator)
    logits = model(x)
    loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
    loss.backward()
    return [layer.linear2.weight.grad.norm().item() for layer in model.layers]


def mean_grad_norms(init: str = "xavier", seeds=SEEDS, **sizes) -> dict[str, list[float]]:
    """Post-LN과 Pre-LN의 층별 기울기 노름을 시드 평균으로 돌려준다: {"post": [...], "pre": [...]}.
    sizes(예: n_layers=6)로 모델 크기를 바꿀 수 있다."""
    runs = {"post": [], "pre": []}
    for seed in seeds:
        torch.manual_seed(seed)
        model = build_encoder(False, init, **sizes)  # 시드마다 한 번 만들어 LN의 자리만 바꿔 두 번 잰다
        for name, pre_ln in (("post", False), ("pre", True)):
            runs[name].append(linear2_grad_norms(place_norms(model, pre_ln), seed))
    return {name: torch.tensor(values).mean(dim=0).tolist() for name, values in runs.items()}


# %%
if __name__ == "__main__":
    norms = {init: mean_grad_norms(init) for init in ("xavier", "default")}
    for init, label in (("xavier", "Xavier 초기화 (논문 설정)"), ("default", "PyTorch 기본 초기화")):
        post, pre = norms[init]["post"], norms[init]["pre"]
        print(label)
        print(f"  마지막 층: Post-LN {post[-1]:.2f}, Pre-LN {pre[-1]:.2f}, 비율 {post[-1] / pre[-1]:.2f}")
        print(f"  Post-LN 6번째 층 → 12번째 층: {post[MIDDLE]:.2f} → {post[-1]:.2f}")
    # 페이지와 아래 설명이 인용하는 값 (xavier: 논문 설정, default: PyTorch 기본 초기화)
    for init, prefix in (("xavier", "ln_"), ("default", "ln_default_")):
        post, pre = norms[init]["post"], norms[init]["pre"]
        publish(f"{prefix}post_last", post[-1])
        publish(f"{prefix}pre_last", pre[-1])
        publish(f"{prefix}ratio_last", post[-1] / pre[-1])
        publish(f"{prefix}post_mid", post[MIDDLE])
        publish(f"{prefix}pre_first", pre[0])
        publish(f"{prefix}pre_mid", pre[MIDDLE])
    publish("ln_sqrt_layers", N_LAYERS**0.5)
    # 연습 문제 1: 층을 6개로 줄이면 (N_LAYERS = 6) 마지막 층의 비가 어떻게 되는가
    shallow = mean_grad_norms("xavier", n_layers=SHALLOW_LAYERS)
    publish(f"ln_n_layers_{SHALLOW_LAYERS}_post_last", shallow["post"][-1])
    publish(f"ln_n_layers_{SHALLOW_LAYERS}_pre_last", shallow["pre"][-1])
    publish(f"ln_n_layers_{SHALLOW_LAYERS}_ratio_last", shallow["post"][-1] / shallow["pre"][-1])
    publish(f"ln_n_layers_{SHALLOW_LAYERS}_sqrt_layers", SHALLOW_LAYERS**0.5)
    # Xavier 균등 초기화한 임베딩 (VOCAB × D_MODEL)의 표준편차: a / √3 = √(2 / (n_in + n_out))
    publish("ln_embedding_std", (2 / (VOCAB + D_MODEL)) ** 0.5)

# %% [markdown]
# 논문의 설정에서는 마지막 층의 기울기가 Post-LN {{ ln_post_last:.2f }}, Pre-LN {{ ln_pre_last:.2f }}(으)로
# {{ ln_ratio_last:.1f }}배다. Theorem 1이 주는 것은 두 **상계**의 비 $\sqrt{L}$($\sqrt{12} \approx$
# {{ ln_sqrt_layers:.1f }})이고, 상계의 비는 실제 값의 비를 예측하지 않는다(두 값은 각자의 상계보다 얼마든지 작을 수 있다).
# 층을 6개로 줄인 같은 측정에서는 비가 {{ ln_n_layers_6_ratio_last:.1f }}배로, 12층보다 작았다.
# Post-LN은 위쪽 층으로 갈수록 기울기가 커진다(6번째 층 {{ ln_post_mid:.2f }} → 12번째 층 {{ ln_post_last:.2f }}).
# 반대로 Pre-LN은 위쪽 층으로 갈수록 작아진다(1번째 층 {{ ln_pre_first:.2f }} → 12번째 층 {{ ln_pre_last:.2f }}).
# 논문 Figure 3에서 Pre-LN은 층에 따라 거의 평평한데, 여기서는 아래층에서 크다. Xavier로 초기화한 임베딩이 작아서
# (표준편차 {{ ln_embedding_std:.3f }}) 첫 층들의 LN이 작은 입력을 크게 키우기 때문으로 보인다. 출력 쪽 층을 비교하는 결론은 같다.
#
# PyTorch 기본 초기화에서는 비율이 {{ ln_default_ratio_last:.2f }}배로 줄고, Post-LN도 위로 갈수록 오히려 작아진다
# (6번째 층 {{ ln_default_post_mid:.2f }} → 12번째 층 {{ ln_default_post_last:.2f }}).
# "Post-LN은 출력 근처 기울기가 크다"는 초기화와 구조(최종 LN)에 기대는 현상이다.
#
# 이 측정은 시드마다 꽤 흔들린다(특히 Post-LN의 층별 모양). 그래서 시드 3개의 평균을 그린다.
#
# 같은 측정을 Post-LN을 고친 DeepNorm과 LN 대신 RMSNorm을 쓴 층으로 한 것은 `ln_variants` 노트북에 있다.

# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt

    def draw_grad_norms(narrow=False):
        """두 초기화 방식에서 층별 linear2 기울기 노름 (두 패널, y축 공유)."""
        layers = list(range(1, N_LAYERS + 1))
        fig, axes = plt.subplots(*((2, 1) if narrow else (1, 2)), figsize=(4.6, 6.6) if narrow else (9.0, 3.8), sharey=True)
        for ax, init, title in (
            (axes[0], "xavier", "Xavier 초기화 + 최종 LN (논문 설정)"),
            (axes[1], "default", "PyTorch 기본 초기화"),
        ):
            ax.plot(layers, norms[init]["post"], "o-", color="C0", label="Post-LN")
            ax.plot(layers, norms[init]["pre"], "s-", color="C1", label="Pre-LN")
            ax.set_title(title)
            ax.set_xlabel("층 번호 (1 = 입력 쪽, 12 = 출력 쪽)")
            ax.set_xticks(layers)
        axes[0].set_ylabel(r"$\Vert \partial \mathcal{L} / \partial W_2 \Vert_F$ (시드 3개 평균)")
        axes[0].set_ylim(bottom=0)
        axes[0].legend()
        fig.tight_layout()
        return fig

    save_figure(
        "ln-grad-norms",
        draw_grad_norms,
        narrow=True,
        alt=(
            "초기화 직후 12층 인코더의 층별 FFN 두 번째 가중치 기울기 노름. "
            "첫 번째 패널(Xavier 초기화): Post-LN은 위층으로 갈수록 커져 마지막 층에서 {{ ln_post_last:.2f }}, "
            "Pre-LN은 작아져 {{ ln_pre_last:.2f }}. "
            "두 번째 패널(PyTorch 기본 초기화): 둘 다 위층으로 갈수록 작아지고 마지막 층의 차이가 작다 "
            "(Post-LN {{ ln_default_post_last:.2f }}, Pre-LN {{ ln_default_pre_last:.2f }})"
        ),
    )

# %% [markdown]
# ## 2. warm-up이 있을 때와 없을 때의 학습
#
# 초기 기울기가 크다는 것이 실제 학습에서 어떤 모습인지 작은 과제로 본다.
#
# - 과제: 길이 8의 무작위 토큰열(어휘 16개)을 두 번 이어 붙인 시퀀스에서, 두 번째 절반을 다음 토큰 예측으로
#   맞힌다(causal mask). 앞 절반을 "복사"하면 손실이 0이 되고, 못 하면 $\ln 16 \approx 2.77$ 근처에 머문다.
# - 모델: 같은 `Encoder`를 작게(d_model 64, 4 heads, FFN 128, 4층), Xavier 초기화.
# - 최적화: Adam($\beta_1 = 0.9, \beta_2 = 0.98$), 120 step, 배치 16.
#   warm-up은 처음 {{ ln_warmup_steps }} step 동안 learning rate를 0에서 목표값까지 선형으로 키우고, 그 뒤로는 일정하게 둔다.
#
# 큰 learning rate(1e-2)에서 네 가지 조합(Post/Pre × warm-up 유무)을 비교하고, Post-LN은 warm-up 없이
# 작은 learning rate(3e-3)로도 한 번 돌려 본다.

# %%
TRAIN_SIZES = dict(vocab=16, d_model=64, n_heads=4, d_ff=128, n_layers=4, max_len=15)
HALF = 8  # 복사할 토큰열의 길이: 입력은 2 * HALF - 1 토큰
TRAIN_STEPS = 120
TRAIN_BATCH = 16
BIG_LR, SMALL_LR = 1e-2, 3e-3  # 비교하는 목표 learning rate (설정값)
SHORT_WARMUP = 5  # 연습 문제 2의 짧은 warm-up: 빌드가 이 설정으로도 한 번 학습한다


def linear_warmup_factor(step: int, warmup_steps: int = WARMUP_STEPS) -> float:
    """목표 learning rate에 곱할 계수: warm-up 동안 (step+1)/warmup_steps로 선형 증가, 그 뒤로 1 (일정).

    step은 0부터 센다. warmup_steps = 0이면 처음부터 1이다.
    """
    return min(1.0, (step + 1) / warmup_steps) if warmup_steps > 0 else 1.0


def copy_batch(generator: torch.Generator, batch: int = TRAIN_BATCH) -> torch.Tensor:
    """무작위 토큰열 a (길이 HALF)를 두 번 이어 붙인 [a, a] (batch, 2 * HALF)를 만든다."""
    a = torch.randint(TRAIN_SIZES["vocab"], (batch, HALF), generator=generator)
    return torch.cat([a, a], dim=1)


def train_copy(pre_ln: bool, lr: float, warmup_steps: int, steps: int = TRAIN_STEPS, seed: int = 0) -> list[float]:
    """복사 과제를 steps번 학습하고 step마다의 손실(두 번째 절반의 cross-entropy)을 돌려준다."""
    # 스레드 수가 바뀌면 행렬곱 안의 덧셈 순서가 바뀌고, 120 step의 학습이 그 마지막 자리 차이를 키워
    # 손실이 눈에 띄게 달라진다. 어느 컴퓨터에서나 같은 곡선이 나오도록 학습은 스레드 하나로 한다.
    with single_thread():
        return _train_copy(pre_ln, lr, warmup_steps, steps, seed)


@contextmanager
def single_thread():
    """블록 안에서만 torch를 스레드 하나로 돌린다."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _train_copy(pre_ln: bool, lr: float, warmup_steps: int, steps: int, seed: int) -> list[float]:
    torch.manual_seed(seed)
    model = build_encoder(pre_ln, "xavier", **TRAIN_SIZES)
    # fused=True: 모든 파라미터의 Adam 갱신을 한 번에 계산한다(식은 같고, 파라미터마다 따로 할 때보다 빠르다)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), fused=True)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: linear_warmup_factor(step, warmup_steps))
    generator = torch.Generator().manual_seed(20_000 + seed)  # 네 조합이 같은 데이터를 본다
    vocab = TRAIN_SIZES["vocab"]
    losses = []
    for _ in range(steps):
        seq = copy_batch(generator)
        logits = model(seq[:, :-1], causal=True)  # 위치 i에서 토큰 i+1을 예측
        # 두 번째 절반(seq[:, HALF:])만 채점: 그 토큰들은 앞 절반에 이미 나왔으니 복사하면 맞힐 수 있다
        loss = nn.functional.cross_entropy(logits[:, HALF - 1 :].reshape(-1, vocab), seq[:, HALF:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    return losses


def final_loss(losses: list[float], last: int = 20) -> float:
    """마지막 last step 손실의 평균."""
    return sum(losses[-last:]) / last


# %%
if __name__ == "__main__":
    runs = {
        (arch, warmup): train_copy(arch == "pre", BIG_LR, warmup)
        for arch in ("post", "pre")
        for warmup in (0, WARMUP_STEPS)
    }
    post_small_lr = train_copy(False, SMALL_LR, 0)
    # 연습 문제 2: warm-up을 SHORT_WARMUP step으로 줄이면 (WARMUP_STEPS = 5)
    short_warmup = {arch: train_copy(arch == "pre", BIG_LR, SHORT_WARMUP) for arch in ("post", "pre")}
    print(f"마지막 20 step 평균 손실 (lr {BIG_LR:g}, 기준선 ln 16 = {torch.log(torch.tensor(16.0)):.2f})")
    for (arch, warmup), losses in runs.items():
        label = f"{'Post' if arch == 'post' else 'Pre'}-LN, warm-up {'있음' if warmup else '없음'}"
        print(f"  {label:<22}: {final_loss(losses):.3f}")
    print(f"  Post-LN, warm-up 없음, lr {SMALL_LR:g}: {final_loss(post_small_lr):.3f}")
    publish("ln_chance_loss", math.log(TRAIN_SIZES["vocab"]))  # 무작위 추측 수준 ln 16
    for (arch, warmup), losses in runs.items():
        publish(f"ln_loss_{arch}_{'warmup' if warmup else 'none'}", final_loss(losses))
    publish("ln_loss_post_small_lr", final_loss(post_small_lr))
    publish("ln_warmup_steps", WARMUP_STEPS)
    for arch, losses in short_warmup.items():
        publish(f"ln_warmup_steps_{SHORT_WARMUP}_loss_{arch}", final_loss(losses))

# %% [markdown]
# lr 1e-2에서 warm-up 없이 시작한 Post-LN은 손실이 $\ln 16$ 근처에서 내려오지 못한다(복사를 배우지 못하고 모든
# 토큰에 비슷한 확률을 준다). 같은 lr이라도 warm-up을 두면 학습된다. Pre-LN은 warm-up이 없어도 학습된다.
# Post-LN도 lr을 3e-3으로 낮추면 warm-up 없이 학습된다: Post-LN이 학습이 안 되는 구조가 아니라,
# **초기 learning rate에 민감한** 구조라는 멘토의 설명과 맞는다.
#
# 이 그림은 예시다. 모델과 과제가 작아서, 실패가 나타나는 learning rate는 실제 번역 모델보다 훨씬 크다
# (Xiong et al. §3.1, Figure 2의 번역 실험은 최대 learning rate 5e-4와 1e-3을 썼다).
# 이 과제는 warm-up 뒤 learning rate를 일정하게 둔다. 원 논문 §5.3의 스케줄은 warmup_schedule 노트북에 있다.

# %%
if __name__ == "__main__":

    def draw_training(narrow=False):
        """Post-LN과 Pre-LN의 학습 손실 곡선, warm-up 유무 (두 패널, y축 공유)."""
        steps = range(1, TRAIN_STEPS + 1)
        fig, axes = plt.subplots(*((2, 1) if narrow else (1, 2)), figsize=(4.6, 7.6) if narrow else (9.0, 4.4),
                                 sharey=True, layout="constrained")
        for ax, arch, title in ((axes[0], "post", "Post-LN"), (axes[1], "pre", "Pre-LN")):
            ax.plot(steps, runs[(arch, 0)], color="C0", label=f"warm-up 없음, lr {BIG_LR:g}")
            ax.plot(steps, runs[(arch, WARMUP_STEPS)], color="C1", label=f"warm-up {WARMUP_STEPS} step, lr {BIG_LR:g}")
            ax.axvline(WARMUP_STEPS, color="C1", linestyle=":", alpha=0.7, label="warm-up 끝")
            ax.set_title(title)
            ax.set_xlabel("학습 step")
        axes[0].plot(steps, post_small_lr, color="C2", linestyle="--", label=f"warm-up 없음, lr {SMALL_LR:g}")
        for ax in axes if narrow else axes[:1]:  # 위아래로 쌓으면 패널마다 세로축 이름을 단다
            ax.set_ylabel("손실 (cross-entropy)")
        axes[0].set_ylim(bottom=0)
        for ax in axes:
            ax.axhline(torch.log(torch.tensor(16.0)).item(), color="C3", linestyle=":", label=r"무작위 추측 수준 $\ln 16$")
        legend_below(fig, ncols=2)  # 두 패널이 함께 쓰는 범례 하나, 축 밖 아래: 곡선을 가리지 않는다
        return fig

    save_figure(
        "ln-warmup-training",
        draw_training,
        narrow=True,
        alt=(
            "복사 과제의 학습 손실 곡선. 첫 번째 패널 Post-LN: lr 1e-2에서 warm-up이 없으면 손실이 무작위 추측 수준 "
            "ln 16(약 {{ ln_chance_loss:.2f }}) 근처에 머물고(마지막 20 step 평균 {{ ln_loss_post_none:.2f }}), "
            f"warm-up {WARMUP_STEPS} step을 두면 " "{{ ln_loss_post_warmup:.2f }}까지 내려간다. "
            "lr 3e-3에서는 warm-up 없이도 {{ ln_loss_post_small_lr:.3f }}까지 내려간다. "
            "두 번째 패널 Pre-LN: warm-up이 없어도 {{ ln_loss_pre_none:.3f }}, 있으면 {{ ln_loss_pre_warmup:.3f }}까지 내려간다"
        ),
    )
