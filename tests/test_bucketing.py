"""Claims of docs/assignment/bucketing.md, checked on snippets/bucketing.py."""

from __future__ import annotations

import math
from collections import Counter

import pytest
import torch

from snippets import bucketing as bk


@pytest.fixture(scope="module")
def lengths():
    return bk.sample_lengths()


def test_lengths_follow_the_log_normal_distribution(lengths):
    assert len(lengths) == 10_000
    log_lengths = lengths.double().log()
    assert log_lengths.mean().item() == pytest.approx(3.0, abs=0.05)
    assert log_lengths.std().item() == pytest.approx(0.7, abs=0.05)


@pytest.mark.parametrize("batch_size,chunk_size", [(32, 3_200), (32, 224), (50, 150), (32, 100), (1, 1)])
def test_every_index_appears_exactly_once_per_epoch(lengths, batch_size, chunk_size):
    sampler = bk.BucketBatchSampler(lengths, batch_size, chunk_size=chunk_size)
    batches = list(sampler)
    counts = Counter(index for batch in batches for index in batch)
    assert sorted(counts) == list(range(len(lengths)))
    assert set(counts.values()) == {1}
    assert len(batches) == len(sampler)
    assert all(1 <= len(batch) <= batch_size for batch in batches)


def test_random_batches_pad_heavily(lengths):
    assert bk.padding_fraction(bk.random_batches(lengths, 32), lengths) >= 0.3


def test_bucketed_batches_pad_little(lengths):
    assert bk.padding_fraction(bk.BucketBatchSampler(lengths, 32), lengths) <= 0.10


def test_larger_chunks_pad_less(lengths):
    fractions = bk.padding_by_chunk_size(lengths)
    assert list(bk.CHUNK_SIZES) == sorted(bk.CHUNK_SIZES)
    assert fractions == sorted(fractions, reverse=True)


def test_chunk_of_one_batch_is_no_better_than_random(lengths):
    # 덩어리가 배치 하나면 정렬할 것이 배치 자신뿐: 배치 구성은 무작위 배치와 같은 분포
    one_batch = bk.padding_fraction(bk.BucketBatchSampler(lengths, 32, chunk_size=32), lengths)
    random = bk.padding_fraction(bk.random_batches(lengths, 32), lengths)
    assert one_batch == pytest.approx(random, abs=0.05)


def test_chunk_size_is_counted_in_sequences_not_batches(lengths):
    # 배치 크기를 바꿔도 덩어리(시퀀스 수)는 그대로: 배치 128에서도 데이터 전체를 정렬하지 않는다
    sampler = bk.BucketBatchSampler(lengths, 128)
    assert sampler.chunk_size == bk.CHUNK_SIZE < len(lengths)
    global_sort = bk.padding_fraction(bk.BucketBatchSampler(lengths, 128, chunk_size=len(lengths)), lengths)
    assert bk.padding_fraction(sampler, lengths) > global_sort

    # 덩어리 버킷팅은 전체 정렬과 다른 배치를 만들고, epoch마다 배치가 달라진다
    def memberships(sampler, epoch):
        sampler.set_epoch(epoch)
        return {tuple(sorted(batch)) for batch in sampler}

    whole = bk.BucketBatchSampler(lengths, 128, chunk_size=len(lengths))
    assert memberships(whole, 0) != memberships(sampler, 0)
    assert memberships(sampler, 0) != memberships(sampler, 1)


def test_whole_sort_repeats_the_length_composition_every_epoch(lengths):
    # 페이지: 전체 정렬은 epoch마다 배치들의 길이 구성이 똑같다(같은 길이끼리만 자리를 바꾼다); 덩어리 버킷팅은 달라진다
    def length_compositions(sampler, epoch):
        sampler.set_epoch(epoch)
        return sorted(tuple(sorted(lengths[batch].tolist())) for batch in sampler)

    def memberships(sampler, epoch):
        sampler.set_epoch(epoch)
        return {tuple(sorted(batch)) for batch in sampler}

    whole = bk.BucketBatchSampler(lengths, 32, chunk_size=len(lengths))
    assert length_compositions(whole, 0) == length_compositions(whole, 1)
    assert memberships(whole, 0) != memberships(whole, 1)  # 같은 길이의 시퀀스는 자리를 바꾼다
    chunked = bk.BucketBatchSampler(lengths, 32)
    assert length_compositions(chunked, 0) != length_compositions(chunked, 1)


def test_bucketing_pads_far_less_than_random_at_every_batch_size(lengths):
    by_size = bk.padding_by_batch_size(lengths)
    assert all(b < 0.5 * r for b, r in zip(by_size["bucketed"], by_size["random"]))
    assert by_size["random"] == sorted(by_size["random"])


def test_bucketed_padding_grows_with_batch_size(lengths):
    # 페이지: 버킷팅(덩어리 고정)도 배치 8에서 128로 가며 패딩이 는다
    bucketed = bk.padding_by_batch_size(lengths)["bucketed"]
    assert all(small < large for small, large in zip(bucketed, bucketed[1:]))
    assert bucketed[-1] > 5 * bucketed[0]


def test_chunk_of_a_fixed_number_of_batches_keeps_padding_from_growing(lengths):
    # 대조 실험: 덩어리 = 배치 100개 분량이면 배치 8~64에서 패딩이 크게 늘지 않는다(덩어리 고정은 몇 배로 는다)
    fixed_chunk = bk.padding_by_batch_size(lengths, batch_sizes=bk.BATCH_SIZES[:-1])["bucketed"]
    hundred_batches = bk.padding_with_chunk_of_batches(lengths)
    assert max(hundred_batches) / min(hundred_batches) < 2.5
    assert fixed_chunk[-1] / fixed_chunk[0] > 4
    assert max(hundred_batches) < fixed_chunk[-1]


@pytest.fixture(scope="module")
def chunk_size_1600(lengths):
    """연습 문제 1: 덩어리 3,200개(기본)와 1,600개에서 배치 크기마다 버킷팅의 패딩 비율."""
    assert bk.CHUNK_SIZE == 3_200 and bk.EXERCISE_CHUNK_SIZE == 1_600
    default = bk.padding_by_batch_size(lengths)["bucketed"]
    smaller = bk.padding_by_batch_size(lengths, chunk_size=bk.EXERCISE_CHUNK_SIZE)["bucketed"]
    return dict(zip(bk.BATCH_SIZES, zip(default, smaller)))


def test_chunk_size_1600_pads_about_one_and_a_half_times_more_at_batch_8_to_64(chunk_size_1600):
    for batch_size in (8, 16, 32, 64):
        default, smaller = chunk_size_1600[batch_size]
        assert 1.3 < smaller / default < 1.7


def test_chunk_size_1600_gap_is_smallest_at_batch_8_and_largest_at_64(chunk_size_1600):
    gaps = [smaller - default for default, smaller in (chunk_size_1600[b] for b in (8, 16, 32, 64))]
    assert all(small < large for small, large in zip(gaps, gaps[1:]))
    assert gaps[-1] > 5 * gaps[0]


def test_chunk_size_1600_and_3200_are_nearly_equal_at_batch_128(chunk_size_1600):
    default, smaller = chunk_size_1600[128]
    assert abs(smaller - default) < 0.01
    gap_64 = chunk_size_1600[64][1] - chunk_size_1600[64][0]
    assert abs(smaller - default) < gap_64 / 10


def test_at_batch_128_the_half_batch_of_the_longest_keeps_chunk_1600_low(lengths, chunk_size_1600):
    # 1,600 = 128 × 12 + 64: 덩어리마다 가장 긴 64개가 절반 크기의 배치로 남는다
    batches = list(bk.BucketBatchSampler(lengths, 128, bk.EXERCISE_CHUNK_SIZE))
    full_chunks = len(lengths) // bk.EXERCISE_CHUNK_SIZE
    assert sum(len(batch) == 64 for batch in batches) == full_chunks
    # 대조: 128의 배수인 덩어리(1,536)는 그런 배치가 없고, 덩어리 3,200개보다 패딩이 많다
    assert bk.WHOLE_BATCH_CHUNK == 1_536
    whole = bk.padding_fraction(bk.BucketBatchSampler(lengths, 128, bk.WHOLE_BATCH_CHUNK), lengths)
    default, smaller = chunk_size_1600[128]
    assert whole > default + 0.05 and whole > smaller + 0.05


def test_random_batches_do_not_depend_on_the_chunk_size(lengths):
    assert (
        bk.padding_by_batch_size(lengths, chunk_size=bk.EXERCISE_CHUNK_SIZE)["random"]
        == bk.padding_by_batch_size(lengths)["random"]
    )


def test_the_shown_random_batches_are_mostly_padding_and_the_bucketed_ones_barely(lengths):
    # 그림 bucket-batches: 무작위 배치 4개는 대부분이 패딩, 버킷팅 배치 4개는 패딩이 거의 없다
    random = [bk.padding_fraction([batch], lengths) for batch in bk.random_batches(lengths, 32)[:4]]
    bucketed = [bk.padding_fraction([batch], lengths) for batch in list(bk.BucketBatchSampler(lengths, 32))[:4]]
    assert min(random) > 0.5
    assert max(bucketed) < 0.05


def test_two_seeds_give_different_batch_orders(lengths):
    first = list(bk.BucketBatchSampler(lengths, 32, seed=0))
    second = list(bk.BucketBatchSampler(lengths, 32, seed=1))
    assert first != second
    assert first == list(bk.BucketBatchSampler(lengths, 32, seed=0))  # and one seed repeats itself


def test_set_epoch_changes_the_batches(lengths):
    sampler = bk.BucketBatchSampler(lengths, 32)
    epoch0 = list(sampler)
    sampler.set_epoch(1)
    assert list(sampler) != epoch0


def test_batch_order_is_shuffled_not_sorted(lengths):
    maxima = [int(lengths[batch].max()) for batch in bk.BucketBatchSampler(lengths, 32)]
    assert maxima != sorted(maxima) and maxima != sorted(maxima, reverse=True)


def test_padding_fraction_by_hand():
    # 배치 [3, 1] → 2×3 = 6칸 중 실제 4칸; 배치 [2] → 2칸 중 2칸: 패딩 2/8
    assert bk.padding_fraction([[0, 1], [2]], [3, 1, 2]) == pytest.approx(0.25)


def test_pad_collate_pads_to_the_longest():
    batch = [torch.tensor([5, 6, 7]), torch.tensor([8])]
    padded, lengths = bk.pad_collate(batch)
    assert padded.tolist() == [[5, 6, 7], [8, bk.PAD, bk.PAD]]
    assert lengths.tolist() == [3, 1]


def test_data_loader_yields_padded_batches_of_similar_length(lengths):
    dataset = bk.ToySequences(lengths)
    loader = bk.bucketed_loader(dataset, lengths)
    seen = 0
    for padded, batch_lengths in loader:
        assert padded.shape == (len(batch_lengths), int(batch_lengths.max()))
        for row, length in zip(padded, batch_lengths):
            assert (row[:length] != bk.PAD).all() and (row[length:] == bk.PAD).all()
        seen += len(batch_lengths)
    assert seen == len(dataset)


def test_bad_arguments_are_rejected(lengths):
    with pytest.raises(ValueError, match="batch_size"):
        bk.BucketBatchSampler(lengths, 0)
    with pytest.raises(ValueError, match="chunk_size"):
        bk.BucketBatchSampler(lengths, 32, chunk_size=0)


@pytest.fixture(scope="module")
def masking(lengths):
    dataset = bk.ToySequences(lengths)
    batch = bk.random_batches(lengths, bk.MASK_BATCH)[0]
    assert bk.padding_fraction([batch], lengths) > 0.3  # 확인에 쓰는 배치에 패딩이 충분히 있다
    return bk.masking_losses([dataset[i] for i in batch])


def test_masked_padding_leaves_loss_and_outputs_unchanged(masking):
    assert masking["masked"] == pytest.approx(masking["alone"], abs=1e-9)
    assert masking["logit_change_masked"] < 1e-9


def test_without_ignore_index_padding_enters_the_loss(masking):
    assert abs(masking["no_ignore_index"] - masking["alone"]) > 1e-3


def test_untrained_losses_are_all_near_ln_100(masking):
    # 페이지: 학습하지 않은 모델이라 손실이 모두 ln 100 근처여서 차이가 작아 보인다
    for name in ("alone", "masked", "no_ignore_index", "no_key_mask"):
        assert masking[name] == pytest.approx(math.log(bk.MASK_VOCAB), abs=0.1)


def test_without_key_padding_mask_real_tokens_see_the_padding(masking):
    assert masking["logit_change_no_key_mask"] > 1e-2
    assert abs(masking["no_key_mask"] - masking["alone"]) > 1e-5
