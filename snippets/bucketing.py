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
# 3. 로그-정규 분포 길이의 시퀀스 10,000개에서 무작위 배치와 버킷팅 배치의 패딩 비율을 잰다.
# 4. 패딩이 학습에 해가 없으려면 마스킹(attention의 key padding mask, 손실의 `ignore_index`)이 있어야 한다는 것을
#    작은 모델의 손실로 확인한다.

# %%
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, Sampler

# 저장소 폴더에서 `python -m snippets.bucketing`으로 실행하거나 빌더가 실행한다.
from snippets._figures import publish, save_figure  # noqa: F401  (publish: 페이지가 인용하는 값)
from snippets.layer_norm import single_thread  # 스레드 수와 상관없이 같은 값이 나오게 (7절)

# %% [markdown]
# ### 설정
#
# 연습 문제에서 바꾸는 값이 여기 있다. 값을 바꾸고 **모든 셀을 다시 실행**한다.

# %%
N_SEQUENCES = 10_000
BATCH_SIZE = 32
# 덩어리(chunk) 하나의 크기는 시퀀스 수로 정한다: 3,200개 = 배치 32개짜리 100개 분량.
# 배치 크기를 바꿔도 덩어리 크기는 그대로라서, 배치 크기를 바꾸는 비교에서 덩어리가 데이터 전체를 덮지 않는다.
CHUNK_SIZE = 3_200
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
# 인덱스를 길이순으로 **전부** 정렬해서 잘라 쓰면 패딩은 최소가 되지만, 매 epoch 배치의 길이 구성이 똑같고 짧은 배치부터
# 긴 배치 순서로 학습하게 된다. 그래서 무작위성을 두 군데 남긴다.
#
# 1. 인덱스 전체를 섞는다.
# 2. 섞은 인덱스를 **덩어리(chunk)** 로 나누고, 덩어리 **안에서만** 길이순으로 정렬한다. 덩어리 하나는 시퀀스
#    `chunk_size`개다. 덩어리가 크면 그 안에 비슷한 길이가 많아서 패딩이 줄어든다. 덩어리가 데이터 전체만큼 크면
#    전체 정렬과 같아져서 epoch마다 배치의 길이 구성이 똑같아진다.
# 3. 정렬된 덩어리를 배치 크기로 자른다.
# 4. 모든 배치의 **순서를 섞는다.** 한 배치 안의 길이는 비슷하고, 배치의 순서는 무작위다.
#
# `DataLoader(dataset, batch_sampler=...)`에 넣을 수 있도록 `__iter__`가 배치(인덱스 리스트)를 하나씩 내놓는다.
# epoch마다 다른 배치를 원하면 `set_epoch(epoch)`를 부른다(시드 = `seed + epoch`).

# %%
# --8<-- [start:sampler]
class BucketBatchSampler(Sampler[list[int]]):
    """길이가 비슷한 인덱스끼리 배치로 묶고, 배치의 순서를 섞는 배치 샘플러."""

    def __init__(self, lengths, batch_size: int, chunk_size: int = CHUNK_SIZE, seed: int = 0):
        if batch_size < 1 or chunk_size < 1:
            raise ValueError(f"batch_size와 chunk_size는 1 이상이어야 한다: {batch_size}, {chunk_size}")
        self.lengths = torch.as_tensor(lengths)
        self.batch_size = batch_size
        self.chunk_size = chunk_size  # 덩어리 하나의 시퀀스 수
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
# $$\text{패딩 비율} = 1 - \frac{\sum_i \text{길이}_i}{\sum_b |b| \cdot \max_{i \in b} \text{길이}_i}$$
#
# 이다($b$는 배치 하나, $|b|$는 그 배치의 시퀀스 수). 0이면 패딩이 없고, 1에 가까울수록 계산하는 토큰 대부분이 패딩이다.

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
# 덩어리 크기(시퀀스 수)를 바꿔 가며 배치 32의 패딩 비율을 잰다. 마지막 10,000은 데이터 전체, 즉 전체 정렬이다.
CHUNK_SIZES = (32, 320, 1_600, 3_200, N_SEQUENCES)


def padding_by_chunk_size(lengths, batch_size: int = BATCH_SIZE, chunk_sizes=CHUNK_SIZES, seed: int = 0) -> list[float]:
    """덩어리 크기마다 버킷팅 배치의 패딩 비율."""
    return [padding_fraction(BucketBatchSampler(lengths, batch_size, c, seed), lengths) for c in chunk_sizes]


# %%
if __name__ == "__main__":
    lengths = sample_lengths()
    publish("bucket_length_median", lengths.median())
    publish("bucket_length_max", lengths.max())
    random_fraction = padding_fraction(random_batches(lengths, BATCH_SIZE), lengths)
    publish("bucket_random", random_fraction)
    by_chunk = padding_by_chunk_size(lengths)
    for chunk_size, fraction in zip(CHUNK_SIZES, by_chunk):
        publish(f"bucket_chunk_{chunk_size}", fraction)

# %% [markdown]
# 무작위로 묶으면 계산하는 토큰의 {{ bucket_random:.0% }}(이)가 패딩이다. 길이 분포의 꼬리가 길어서, 배치의 시퀀스 32개 중
# 하나만 길어도 나머지 31개가 그 길이만큼 패딩된다. 덩어리가 시퀀스 32개(배치 하나)면 정렬할 것이 배치 자신뿐이라 무작위와
# 같고({{ bucket_chunk_32:.0% }}), 덩어리가 커질수록 패딩이 줄어 시퀀스 320개면 {{ bucket_chunk_320:.0% }},
# 1,600개면 {{ bucket_chunk_1600:.0% }}, 3,200개(배치 100개 분량)면 {{ bucket_chunk_3200:.1% }}만 남는다.
# 데이터 전체를 정렬하면 {{ bucket_chunk_10000:.1% }}(으)로 가장 적지만, 그때는 epoch마다 배치들의 길이 구성이 똑같다
# (같은 길이의 시퀀스끼리만 자리를 바꾼다).
#
# ## 5. `DataLoader`에 넣기
#
# 샘플러는 `batch_sampler`로, 패딩은 `collate_fn`으로 넘긴다. 배치마다 패딩된 텐서와 원래 길이가 나온다.

# %%
def bucketed_loader(dataset: ToySequences, lengths, batch_size: int = BATCH_SIZE, seed: int = 0) -> DataLoader:
    """버킷팅 샘플러와 패딩 collate를 쓰는 DataLoader."""
    sampler = BucketBatchSampler(lengths, batch_size, seed=seed)  # 덩어리는 CHUNK_SIZE개 시퀀스
    return DataLoader(dataset, batch_sampler=sampler, collate_fn=pad_collate)


# %%
if __name__ == "__main__":
    dataset = ToySequences(lengths)
    loader = bucketed_loader(dataset, lengths)
    for step, (padded, batch_lengths) in zip(range(3), loader):
        print(f"배치 {step}: 텐서 {tuple(padded.shape)}, 길이 {batch_lengths.min()}~{batch_lengths.max()}")

# %% [markdown]
# ## 6. 그림
#
# 첫째, 배치 크기에 따른 패딩 비율. 배치가 클수록 긴 시퀀스가 끼어들 확률이 커서 무작위 배치의 패딩이 늘어난다.
# 버킷팅도 배치 크기가 커지면 패딩이 늘지만(덩어리 하나에서 나오는 배치 수가 줄어 한 배치에 더 다양한 길이가 섞인다)
# 모든 배치 크기에서 무작위 배치보다 훨씬 적다. 덩어리는 배치 크기와 상관없이 시퀀스 {{ bucket_chunk_size }}개(`CHUNK_SIZE`)로 둔다. 덩어리를
# "배치 100개 분량"으로 잡으면 배치 128에서는 덩어리 하나(12,800개)가 데이터 전체(10,000개)보다 커서 전체 정렬이
# 되고, 위에서 피하려던 고정된 길이 구성을 재게 된다.

# %%
BATCH_SIZES = (8, 16, 32, 64, 128)


def padding_by_batch_size(lengths, batch_sizes=BATCH_SIZES, chunk_size: int = CHUNK_SIZE,
                          seed: int = 0) -> dict[str, list[float]]:
    """배치 크기마다 무작위 배치와 버킷팅 배치(덩어리 = 시퀀스 chunk_size개)의 패딩 비율."""
    return {
        "random": [padding_fraction(random_batches(lengths, b, seed), lengths) for b in batch_sizes],
        "bucketed": [padding_fraction(BucketBatchSampler(lengths, b, chunk_size, seed), lengths) for b in batch_sizes],
    }


# %%
if __name__ == "__main__":
    import matplotlib.pyplot as plt

    by_size = padding_by_batch_size(lengths)
    publish("bucket_chunk_size", CHUNK_SIZE)  # 연습 문제 1이 바꿔 보라는 설정값: 페이지가 인용해 두면 바꿔도 맞다
    publish("bucket_random_smallest_batch", by_size["random"][0])
    publish("bucket_random_largest_batch", by_size["random"][-1])
    publish("bucket_bucketed_min", min(by_size["bucketed"]))
    publish("bucket_bucketed_max", max(by_size["bucketed"]))
    for batch_size, fraction in zip(BATCH_SIZES, by_size["bucketed"]):
        publish(f"bucket_bucketed_padding_{batch_size}", fraction)

    def draw_padding_by_batch_size():
        """배치 크기에 따른 패딩 비율, 무작위 vs 버킷팅."""
        fig, ax = plt.subplots(figsize=(6.5, 3.8))
        ax.plot(BATCH_SIZES, by_size["random"], "o-", color="C1", label="무작위 배치")
        ax.plot(BATCH_SIZES, by_size["bucketed"], "s-", color="C0", label=f"버킷팅 (덩어리 = 시퀀스 {CHUNK_SIZE:,}개)")
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
            "{{ bucket_random_smallest_batch:.2f }}에서 {{ bucket_random_largest_batch:.2f }}(으)로 늘어나고, "
            f"버킷팅(덩어리 = 시퀀스 {CHUNK_SIZE:,}개)은 "
            "{{ bucket_bucketed_min:.2f }}에서 {{ bucket_bucketed_max:.2f }}(으)로 늘지만 모든 배치 크기에서 무작위 배치보다 훨씬 낮다"
        ),
    )

# %% [markdown]
# 버킷팅의 패딩이 배치 크기와 함께 느는 이유가 "덩어리 하나에서 나오는 배치 수가 줄어서"라면, 덩어리를 배치 크기와 함께
# 키워 배치 수를 고정하면 패딩이 그만큼 늘지 않아야 한다. 대조 실험으로 덩어리를 늘 배치 100개 분량으로 잡아 본다.
# 배치 128에서는 100개 분량(12,800개)이 데이터 전체보다 커서 전체 정렬이 되므로 배치 8~64만 잰다.
#
# | 배치 크기 8~64 | 버킷팅의 패딩 비율 |
# |---|---|
# | 덩어리 고정 (시퀀스 {{ bucket_chunk_size }}개) | {{ bucket_bucketed_padding_8:.3f }}에서 {{ bucket_bucketed_padding_64:.3f }}까지 는다 |
# | 덩어리 = 배치 100개 분량 | {{ bucket_hundred_batches_padding_min:.3f }}~{{ bucket_hundred_batches_padding_max:.3f }} 사이 |

# %%
BATCHES_PER_CHUNK = 100  # 대조 실험: 덩어리 하나 = 배치 100개 분량


def padding_with_chunk_of_batches(lengths, batch_sizes=BATCH_SIZES[:-1], batches_per_chunk: int = BATCHES_PER_CHUNK,
                                  seed: int = 0) -> list[float]:
    """덩어리를 배치 크기에 비례하게(배치 batches_per_chunk개 분량) 잡을 때, 배치 크기마다 버킷팅의 패딩 비율."""
    return [padding_fraction(BucketBatchSampler(lengths, b, b * batches_per_chunk, seed), lengths) for b in batch_sizes]


# %%
if __name__ == "__main__":
    hundred_batches = padding_with_chunk_of_batches(lengths)
    publish("bucket_hundred_batches_padding_min", min(hundred_batches))
    publish("bucket_hundred_batches_padding_max", max(hundred_batches))

# %% [markdown]
# 페이지의 연습 문제 1은 `CHUNK_SIZE`를 1,600으로 줄여 다시 실행해 보라고 한다. 빌드가 그 변형도 여기서 함께 실행하고,
# 페이지의 답이 이 값을 인용한다. 배치 크기마다 버킷팅의 패딩 비율은 다음과 같다.
#
# | 배치 크기 | 8 | 16 | 32 | 64 | 128 |
# |---|---|---|---|---|---|
# | 덩어리 {{ bucket_chunk_size }}개 | {{ bucket_bucketed_padding_8:.3f }} | {{ bucket_bucketed_padding_16:.3f }} | {{ bucket_bucketed_padding_32:.3f }} | {{ bucket_bucketed_padding_64:.3f }} | {{ bucket_bucketed_padding_128:.3f }} |
# | 덩어리 1,600개 | {{ bucket_chunk_size_1600_padding_8:.3f }} | {{ bucket_chunk_size_1600_padding_16:.3f }} | {{ bucket_chunk_size_1600_padding_32:.3f }} | {{ bucket_chunk_size_1600_padding_64:.3f }} | {{ bucket_chunk_size_1600_padding_128:.3f }} |
#
# 배치 128에서는 1,600이 128의 배수가 아니어서, 덩어리마다 가장 긴 시퀀스들이 절반 크기(64개)의 배치로 따로 남는다.
# 대조로 128의 배수인 덩어리(시퀀스 {{ bucket_whole_batch_chunk }}개)도 잰다: {{ bucket_whole_batch_chunk_padding_128:.3f }}.

# %%
EXERCISE_CHUNK_SIZE = 1_600  # 연습 문제 1: CHUNK_SIZE를 이 값으로 줄이면
# 대조: EXERCISE_CHUNK_SIZE보다 작은 가장 큰 128의 배수(1,536). 덩어리가 배치 128로 나누어떨어진다
WHOLE_BATCH_CHUNK = EXERCISE_CHUNK_SIZE // BATCH_SIZES[-1] * BATCH_SIZES[-1]

# %%
if __name__ == "__main__":
    variant = f"bucket_chunk_size_{EXERCISE_CHUNK_SIZE}"
    smaller_chunks = padding_by_batch_size(lengths, chunk_size=EXERCISE_CHUNK_SIZE)["bucketed"]
    for batch_size, fraction, default in zip(BATCH_SIZES, smaller_chunks, by_size["bucketed"]):
        publish(f"{variant}_padding_{batch_size}", fraction)
        publish(f"{variant}_gap_{batch_size}", fraction - default)
    ratios = [fraction / default for fraction, default in zip(smaller_chunks, by_size["bucketed"])][:-1]  # 배치 8~64
    publish(f"{variant}_ratio_min_8_64", min(ratios))
    publish(f"{variant}_ratio_max_8_64", max(ratios))
    publish("bucket_whole_batch_chunk", WHOLE_BATCH_CHUNK)
    whole_batches = BucketBatchSampler(lengths, BATCH_SIZES[-1], WHOLE_BATCH_CHUNK)
    publish("bucket_whole_batch_chunk_padding_128", padding_fraction(whole_batches, lengths))

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
        fig, axes = plt.subplots(*((2, 1) if narrow else (1, 2)), figsize=(4.6, 8.0) if narrow else (9.0, 5.0),
                                 sharex=True, sharey=True, layout="constrained")  # 같은 눈금으로 비교
        for ax, (title, batches, color) in zip(axes, panels):
            rows, tokens, padded_to = [], [], []  # 시퀀스마다: 줄 번호, 길이, 배치의 최대 길이
            row = 0
            for batch in batches:
                batch_lengths = lengths[batch].tolist()
                width = max(batch_lengths)
                rows += range(row, row + len(batch))
                tokens += batch_lengths
                padded_to += [width] * len(batch)
                row += len(batch)
                fraction = padding_fraction([batch], lengths)
                ax.text(width + 3, row - len(batch) / 2, f"패딩 {fraction:.0%}", va="center")
                row += 3  # 배치 사이의 빈 줄
            padding = [width - length for width, length in zip(padded_to, tokens)]
            ax.barh(rows, tokens, height=1.0, color=color, linewidth=0)  # 실제 토큰
            ax.barh(rows, padding, left=tokens, height=1.0, color=color, alpha=0.25, linewidth=0)  # 패딩
            ax.set_title(title)
            ax.set_xlabel("토큰 위치")
            ax.grid(False)
        longest = max(int(lengths[batch].max()) for _, batches, _ in panels for batch in batches)
        axes[0].set_xlim(0, longest * 1.3)  # 가장 긴 배치 오른쪽에 "패딩 …%"가 들어갈 자리
        axes[0].invert_yaxis()
        axes[0].set_yticks([])
        axes[0].set_ylabel(f"시퀀스 (배치 {SHOWN}개 × {BATCH_SIZE}개)")
        return fig

    save_figure(
        "bucket-batches",
        draw_batches,
        narrow=True,
        alt=(
            f"배치 {SHOWN}개씩의 시퀀스를 가로 막대로 그린 그림. 첫 번째 패널 무작위 배치에서는 배치마다 긴 시퀀스 하나에 맞춰 "
            "대부분의 줄이 옅은 패딩으로 채워져 있다. 두 번째 패널 버킷팅 배치에서는 한 배치 안의 길이가 거의 같아 패딩이 "
            "거의 보이지 않는다"
        ),
    )

# %% [markdown]
# ## 7. 마스킹: 패딩이 결과를 바꾸지 않으려면
#
# 버킷팅은 패딩의 **양**(계산 비용)을 줄일 뿐이다. 패딩이 학습 결과에 끼어들지 않게 하는 것은 마스킹이다.
#
# - **key padding mask**: attention이 패딩 위치를 키로 보지 않게 한다. 없으면 실제 토큰이 패딩 토큰에도 attention
#   가중치를 주어 출력이 바뀐다. `nn.MultiheadAttention(..., key_padding_mask=padded == PAD)`.
# - **ignore_index**: 손실에서 패딩 위치의 정답을 빼고 실제 토큰만 평균한다. `cross_entropy(..., ignore_index=PAD)`.
#
# 작은 모델(임베딩, self-attention 한 층, 출력 선형층, 학습하지 않은 초기 상태)로 무작위 배치 하나(시퀀스 8개)에서
# 각 토큰이 자기 자신을 맞히는 cross-entropy를 잰다: 시퀀스를 하나씩 패딩 없이 넣은 기준, 두 마스크를 다 쓴 배치,
# 마스크를 하나씩 뺀 배치.

# %%
MASK_BATCH = 8  # 마스킹 확인에 쓰는 배치 크기
MASK_D_MODEL = 16
MASK_VOCAB = 100  # ToySequences의 토큰 번호 0..99 (0 = PAD)


class TinyAttentionModel(nn.Module):
    """임베딩 → self-attention 한 층 → 어휘 크기의 logit. 마스킹 확인용."""

    def __init__(self, d_model: int = MASK_D_MODEL, vocab: int = MASK_VOCAB, n_heads: int = 2):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.attention = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.output = nn.Linear(d_model, vocab)

    def forward(self, tokens: torch.Tensor, key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """tokens (B, L) → logit (B, L, vocab). key_padding_mask는 True인 위치를 키에서 뺀다."""
        h = self.embed(tokens)
        mixed, _ = self.attention(h, h, h, key_padding_mask=key_padding_mask, need_weights=False)
        return self.output(mixed)


def masking_losses(sequences: list[torch.Tensor], seed: int = 0) -> dict[str, float]:
    """시퀀스들의 자기 토큰 맞히기 cross-entropy와 logit 변화: 하나씩(기준), 마스킹한 배치, 마스킹을 하나씩 뺀 배치."""
    with single_thread():
        torch.manual_seed(seed)
        model = TinyAttentionModel().double()
        vocab = model.output.out_features
        # 1. 기준: 시퀀스를 하나씩, 패딩 없이. 토큰 손실의 합을 실제 토큰 수로 나눈다
        alone_logits = [model(seq[None])[0] for seq in sequences]
        total = sum(nn.functional.cross_entropy(z, seq, reduction="sum") for z, seq in zip(alone_logits, sequences))
        alone = total / sum(len(seq) for seq in sequences)
        # 2~4. 패딩한 배치
        padded, _ = pad_collate(sequences)
        is_pad = padded == PAD
        masked, unmasked = model(padded, key_padding_mask=is_pad), model(padded)
        # ignore_index=-100은 cross_entropy의 기본값이라 아무 위치도 빼지 않는다
        loss = lambda logits, ignore: nn.functional.cross_entropy(  # noqa: E731
            logits.reshape(-1, vocab), padded.reshape(-1), ignore_index=ignore).item()
        # 실제 토큰 위치의 logit이 하나씩 넣었을 때와 가장 많이 다른 정도
        change = lambda logits: max(  # noqa: E731
            (z - logits[i, : len(z)]).abs().max().item() for i, z in enumerate(alone_logits))
        return {"alone": alone.item(), "masked": loss(masked, PAD), "no_ignore_index": loss(masked, -100),
                "no_key_mask": loss(unmasked, PAD), "logit_change_masked": change(masked),
                "logit_change_no_key_mask": change(unmasked)}


# %%
if __name__ == "__main__":
    dataset = ToySequences(lengths)
    mask_batch = random_batches(lengths, MASK_BATCH)[0]
    losses = masking_losses([dataset[i] for i in mask_batch])
    publish("bucket_mask_padding", padding_fraction([mask_batch], lengths))
    publish("bucket_mask_shortest", lengths[mask_batch].min())
    publish("bucket_mask_longest", lengths[mask_batch].max())
    for name in ("alone", "masked", "no_ignore_index", "no_key_mask"):
        publish(f"bucket_mask_loss_{name}", losses[name])
    # 마스킹한 배치의 logit 변화는 반올림 오차 수준이라 인용하지 않는다(테스트가 확인한다)
    publish("bucket_mask_logit_change", losses["logit_change_no_key_mask"])

# %% [markdown]
# 배치의 길이는 {{ bucket_mask_shortest }}~{{ bucket_mask_longest }}이고 패딩 비율은 {{ bucket_mask_padding:.0% }}(이)다.
# 하나씩 넣은 기준 손실은 {{ bucket_mask_loss_alone:.4f }}, key padding mask와 ignore_index를 모두 쓴 배치의 손실도
# {{ bucket_mask_loss_masked:.4f }}(으)로 같다(테스트가 `1e-9` 안에서 같음을 확인한다). ignore_index를 빼면
# {{ bucket_mask_loss_no_ignore_index:.4f }}, key padding mask를 빼면 {{ bucket_mask_loss_no_key_mask:.4f }}(으)로 달라진다.
# 손실 차이가 작은 것은 학습하지 않은 모델의 손실이 모두 $\ln 100$ 근처이기 때문이고, 출력 자체는 크게 바뀐다:
# key padding mask가 없으면 실제 토큰의 logit이 하나씩 넣었을 때보다 최대 {{ bucket_mask_logit_change:.3f }}만큼 달라진다.
# 마스킹이 있으면 패딩은 계산만 차지하고 결과는 바꾸지 않는다. 버킷팅이 줄이는 것은 그 계산이다.
