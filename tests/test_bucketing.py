"""Claims of docs/assignment/bucketing.md, checked on snippets/bucketing.py."""

from __future__ import annotations

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


@pytest.mark.parametrize("batch_size,chunk_batches", [(32, 100), (32, 7), (50, 3), (1, 1)])
def test_every_index_appears_exactly_once_per_epoch(lengths, batch_size, chunk_batches):
    sampler = bk.BucketBatchSampler(lengths, batch_size, chunk_batches=chunk_batches)
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
    fractions = [bk.padding_fraction(bk.BucketBatchSampler(lengths, 32, chunk_batches=c), lengths)
                 for c in (1, 10, 50, 100)]
    assert fractions == sorted(fractions, reverse=True)


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
