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
# # 버킷팅: 길이가 비슷한 시퀀스끼리 배치 만들기
#
# 배치 안의 시퀀스는 길이가 달라서, 가장 긴 시퀀스에 맞춰 나머지 뒤를 패딩 토큰으로 채운다.
# 패딩은 계산만 차지하고 학습에는 쓸모가 없다. **버킷팅(bucketing)** 은 길이가 비슷한 시퀀스끼리 한 배치로 묶어
# 패딩을 줄이는 기법이다.
#
# 이 노트북에서 하는 것:
#
# 1. PyTorch의 `Sampler`로 버킷팅 배치 샘플러를 단계마다 이름을 붙여 구현하고, 패딩은 `collate_fn`에 맡긴다.
# 2. 샘플러가 지켜야 할 것을 확인한다: 한 epoch에 모든 인덱스가 정확히 한 번, 시드가 다르면 배치 순서가 다르다.
# 3. 로그-정규 분포 길이의 시퀀스 10 000개에서 무작위 배치와 버킷팅 배치의 패딩 비율을 잰다.

# %%
import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, Sampler

# 저장소 폴더에서 `python -m snippets.bucketing`으로 실행하거나 빌더가 실행한다.
from snippets._figures import publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)

N_SEQUENCES = 10_000
BATCH_SIZE = 32
CHUNK_BATCHES = 100  # 덩어리 하나 = 배치 100개 분량의 시퀀스
PAD = 0  # 패딩 토큰의 번호

# %% [markdown]
# ## 1. 데이터: 길이가 제각각인 시퀀스
#
# 문장 길이는 오른쪽으로 꼬리가 긴 분포를 따르는 경우가 많다. 여기서는 $\ln(\text{길이}) \sim N(3, 0.7^2)$인
# 로그-정규 분포에서 길이를 뽑는다(중앙값 $e^3 \approx 20$ 토큰). 각 시퀀스는 1부터 99까지의 무작위 토큰 번호로 채운다
# (0은 패딩용).

# %%
def sample_lengths(n: int = N_SEQUENCES, seed: int = 0) -> torch.Tensor:
    """로그-정규(μ=3, σ=0.7) 분포에서 시퀀스 길이 n개를 뽑는다 (최소 1)."""
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.exp(3.0 + 0.7 * torch.randn(n, generator=generator)).round().long()
    return lengths.clamp(min=1)


class ToySequences(Dataset):
    """길이만 정해진 무작위 토큰 시퀀스들. dataset[i]는 길이 lengths[i]의 1차원 LongTensor."""

    def __init__(self, lengths: torch.Tensor, seed: int = 0):
        generator = torch.Generator().manual_seed(seed)
        self.sequences = [torch.randint(1, 100, (int(n),), generator=generator) for n in lengths]

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, index: int) -> torch.Tensor:
        return self.sequences[index]


# %% [markdown]
# ## 2. 패딩: `collate_fn`
#
# `DataLoader`는 샘플러가 준 인덱스 묶음으로 시퀀스들을 꺼내 `collate_fn`에 넘긴다. 여기서 가장 긴 시퀀스에 맞춰
# 뒤를 `PAD`로 채운다. PyTorch의 `pad_sequence`가 이 일을 한다. 나중에 attention mask를 만들 수 있도록 원래 길이도
# 함께 돌려준다.

# %%
# --8<-- [start:collate]
def pad_collate(batch: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """시퀀스 리스트 → (패딩한 배치 (B, 최대 길이), 원래 길이 (B,))."""
    lengths = torch.tensor([len(sequence) for sequence in batch])
    padded = pad_sequence(batch, batch_first=True, padding_value=PAD)
    return padded, lengths
# --8<-- [end:collate]


# %% [markdown]
# ## 3. 버킷팅 샘플러
#
# 인덱스를 길이순으로 **전부** 정렬해서 잘라 쓰면 패딩은 최소가 되지만, 매 epoch 배치 구성이 똑같고 짧은 배치부터
# 긴 배치 순서로 학습하게 된다. 그래서 무작위성을 두 군데 남긴다.
#
# 1. 인덱스 전체를 섞는다.
# 2. 섞은 인덱스를 **덩어리(chunk)** 로 나누고, 덩어리 **안에서만** 길이순으로 정렬한다. 덩어리 하나는 배치
#    `chunk_batches`개 분량이다. 덩어리가 크면 그 안에 비슷한 길이가 많아서 패딩이 줄어든다.
# 3. 정렬된 덩어리를 배치 크기로 자른다.
# 4. 모든 배치의 **순서를 섞는다.** 한 배치 안의 길이는 비슷하고, 배치의 순서는 무작위다.
#
# `DataLoader(dataset, batch_sampler=...)`에 넣을 수 있도록 `__iter__`가 배치(인덱스 리스트)를 하나씩 내놓는다.
# epoch마다 다른 배치를 원하면 `set_epoch(epoch)`를 부른다(시드 = `seed + epoch`).

# %%
# --8<-- [start:sampler]
class BucketBatchSampler(Sampler[list[int]]):
    """길이가 비슷한 인덱스끼리 배치로 묶고, 배치의 순서를 섞는 배치 샘플러."""

    def __init__(self, lengths, batch_size: int, chunk_batches: int = CHUNK_BATCHES, seed: int = 0):
        if batch_size < 1 or chunk_batches < 1:
            raise ValueError(f"batch_size와 chunk_batches는 1 이상이어야 한다: {batch_size}, {chunk_batches}")
        self.lengths = torch.as_tensor(lengths)
        self.batch_size = batch_size
        self.chunk_size = batch_size * chunk_batches
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """epoch마다 다른 섞기를 쓴다."""
        self.epoch = epoch

    def __iter__(self):
        generator = torch.Generator().manual_seed(self.seed + self.epoch)
        # 1. 전체 인덱스를 섞는다
        shuffled = torch.randperm(len(self.lengths), generator=generator)
        batches = []
        # 2. 섞인 인덱스를 덩어리로 나누고, 덩어리 안에서만 길이순으로 정렬한다
        #    (stable: 같은 길이는 섞인 순서 그대로)
        for chunk in shuffled.split(self.chunk_size):
            order = torch.argsort(self.lengths[chunk], stable=True)
            # 3. 정렬된 덩어리를 배치 크기로 자른다 (덩어리의 마지막 배치는 작을 수 있다)
            batches += [batch.tolist() for batch in chunk[order].split(self.batch_size)]
        # 4. 배치의 순서를 섞는다
        for position in torch.randperm(len(batches), generator=generator).tolist():
            yield batches[position]

    def __len__(self) -> int:
        full_chunks, rest = divmod(len(self.lengths), self.chunk_size)
        batches_per_chunk = -(-self.chunk_size // self.batch_size)  # 올림 나눗셈
        return full_chunks * batches_per_chunk + -(-rest // self.batch_size)
# --8<-- [end:sampler]


def random_batches(lengths, batch_size: int, seed: int = 0) -> list[list[int]]:
    """비교 기준: 길이를 보지 않고 섞어서 자른 배치들 (PyTorch 기본 DataLoader(shuffle=True)와 같다)."""
    generator = torch.Generator().manual_seed(seed)
    sampler = RandomSampler(range(len(lengths)), generator=generator)
    return list(BatchSampler(sampler, batch_size, drop_last=False))


# %% [markdown]
# ## 4. 패딩 비율
#
# 배치 하나의 크기는 (시퀀스 수) × (가장 긴 길이) 토큰이고, 그중 실제 토큰은 길이의 합이다. 한 epoch 전체에서
#
# $$\text{패딩 비율} = 1 - \frac{\sum_i \text{길이}_i}{\sum_{\text{배치 } b} |b| \cdot \max_{i \in b} \text{길이}_i}$$
#
# 이다. 0이면 패딩이 없고, 0.7이면 계산하는 토큰의 70%가 패딩이다.

# %%
def padding_fraction(batches, lengths) -> float:
    """배치들(인덱스 리스트의 리스트)을 패딩했을 때 전체 토큰 중 패딩 토큰의 비율."""
    lengths = torch.as_tensor(lengths)
    real = padded = 0
    for batch in batches:
        batch_lengths = lengths[batch]
        real += int(batch_lengths.sum())
        padded += len(batch) * int(batch_lengths.max())
    return 1 - real / padded


# %%
if __name__ == "__main__":
    lengths = sample_lengths()
    print(f"시퀀스 {len(lengths)}개, 길이 최소 {lengths.min()}, 중앙값 {lengths.median()}, 최대 {lengths.max()}")
    random_fraction = padding_fraction(random_batches(lengths, BATCH_SIZE), lengths)
    print(f"무작위 배치 (배치 {BATCH_SIZE}): 패딩 비율 {random_fraction:.3f}")
    for chunk_batches in (1, 10, 50, 100):
        sampler = BucketBatchSampler(lengths, BATCH_SIZE, chunk_batches=chunk_batches)
        print(f"버킷팅, 덩어리 = 배치 {chunk_batches:>3}개 분량: 패딩 비율 {padding_fraction(sampler, lengths):.3f}")

# %% [markdown]
# 무작위로 묶으면 계산하는 토큰의 70% 넘게가 패딩이다. 길이 분포의 꼬리가 길어서, 배치 32개 중 하나만 길어도 나머지
# 31개가 그 길이만큼 패딩된다. 덩어리가 배치 1개 분량이면 정렬할 것이 배치 자신뿐이라 무작위와 같고,
# 덩어리가 커질수록 패딩이 줄어 배치 100개 분량이면 7% 정도만 남는다.
#
# ## 5. `DataLoader`에 넣기
#
# 샘플러는 `batch_sampler`로, 패딩은 `collate_fn`으로 넘긴다. 배치마다 패딩된 텐서와 원래 길이가 나온다.

# %%
def bucketed_loader(dataset: ToySequences, lengths, batch_size: int = BATCH_SIZE, seed: int = 0) -> DataLoader:
    """버킷팅 샘플러와 패딩 collate를 쓰는 DataLoader."""
    sampler = BucketBatchSampler(lengths, batch_size, seed=seed)
    return DataLoader(dataset, batch_sampler=sampler, collate_fn=pad_collate)


# %%
if __name__ == "__main__":
    dataset = ToySequences(lengths)
    loader = bucketed_loader(dataset, lengths)
    for step, (padded, batch_lengths) in zip(range(3), loader):
        print(f"배치 {step}: 텐서 {tuple(padded.shape)}, 길이 {batch_lengths.min()}–{batch_lengths.max()}")

# %% [markdown]
# ## 6. 그림
#
# 첫째, 배치 크기에 따른 패딩 비율. 배치가 클수록 긴 시퀀스가 끼어들 확률이 커서 무작위 배치의 패딩이 늘어난다.
# 버킷팅은 배치 크기에 거의 영향을 받지 않는다.

# %%
BATCH_SIZES = (8, 16, 32, 64, 128)


def padding_by_batch_size(lengths, batch_sizes=BATCH_SIZES, seed: int = 0) -> dict[str, list[float]]:
    """배치 크기마다 무작위 배치와 버킷팅 배치의 패딩 비율."""
    return {
        "random": [padding_fraction(random_batches(lengths, b, seed), lengths) for b in batch_sizes],
        "bucketed": [padding_fraction(BucketBatchSampler(lengths, b, seed=seed), lengths) for b in batch_sizes],
    }


# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt

    by_size = padding_by_batch_size(lengths)

    def draw_padding_by_batch_size():
        """배치 크기에 따른 패딩 비율, 무작위 vs 버킷팅."""
        fig, ax = plt.subplots(figsize=(6.5, 3.8))
        ax.plot(BATCH_SIZES, by_size["random"], "o-", color="C1", label="무작위 배치")
        ax.plot(BATCH_SIZES, by_size["bucketed"], "s-", color="C0", label=f"버킷팅 (덩어리 = 배치 {CHUNK_BATCHES}개)")
        ax.set_xscale("log", base=2)
        ax.set_xticks(BATCH_SIZES, [str(b) for b in BATCH_SIZES])
        ax.set_ylim(0, 1)
        ax.set_xlabel("배치 크기")
        ax.set_ylabel("패딩 비율")
        ax.set_title(f"시퀀스 {N_SEQUENCES:,}개 한 epoch의 패딩 비율")
        ax.legend()
        return fig

    save_figure(
        "bucket-padding",
        draw_padding_by_batch_size,
        alt=(
            "배치 크기 8부터 128까지의 패딩 비율. 무작위 배치는 "
            f"{by_size['random'][0]:.2f}에서 {by_size['random'][-1]:.2f}로 늘어나고, "
            f"버킷팅은 {min(by_size['bucketed']):.2f}–{max(by_size['bucketed']):.2f}로 낮게 머문다"
        ),
    )

# %% [markdown]
# 둘째, 배치를 그림으로. 무작위 배치 4개와 버킷팅 배치 4개(각 32개 시퀀스)에서 시퀀스 하나를 가로 막대 하나로
# 그렸다. 진한 부분이 실제 토큰, 옅은 부분이 패딩이다.

# %%
if __name__ == "__main__":
    SHOWN = 4  # 그릴 배치 수

    def draw_batches(narrow=False):
        """무작위 배치와 버킷팅 배치의 토큰(진한 색)과 패딩(옅은 색)."""
        panels = (
            ("무작위 배치", random_batches(lengths, BATCH_SIZE)[:SHOWN], "C1"),
            ("버킷팅 배치", list(BucketBatchSampler(lengths, BATCH_SIZE))[:SHOWN], "C0"),
        )
        fig, axes = plt.subplots(*((2, 1) if narrow else (1, 2)), figsize=(4.6, 8.0) if narrow else (9.0, 5.0), sharex=True, sharey=True)  # 같은 눈금으로 비교
        for ax, (title, batches, color) in zip(axes, panels):
            row = 0
            for number, batch in enumerate(batches):
                batch_lengths = lengths[batch].tolist()
                width = max(batch_lengths)
                for length in batch_lengths:
                    ax.barh(row, length, height=1.0, color=color, linewidth=0)
                    ax.barh(row, width - length, left=length, height=1.0, color=color, alpha=0.25, linewidth=0)
                    row += 1
                fraction = padding_fraction([batch], lengths)
                ax.text(width + 2, row - len(batch) / 2, f"패딩 {fraction:.0%}", va="center", fontsize=9)
                row += 3  # 배치 사이의 빈 줄
            ax.set_title(title)
            ax.set_xlabel("토큰 위치")
            ax.grid(False)
        axes[0].invert_yaxis()
        axes[0].set_yticks([])
        axes[0].set_ylabel(f"시퀀스 (배치 {SHOWN}개 × {BATCH_SIZE}개)")
        fig.tight_layout()
        return fig

    save_figure(
        "bucket-batches",
        draw_batches,
        narrow=True,
        alt=(
            f"배치 {SHOWN}개씩의 시퀀스를 가로 막대로 그린 그림. 왼쪽 무작위 배치에서는 배치마다 긴 시퀀스 하나에 맞춰 "
            "대부분의 줄이 옅은 패딩으로 채워져 있다. 오른쪽 버킷팅 배치에서는 한 배치 안의 길이가 거의 같아 패딩이 "
            "거의 보이지 않는다"
        ),
    )
