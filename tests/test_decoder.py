"""Claims of the decoder section of docs/qna/complexity.md, checked on snippets/decoder.py.

Multiply-adds are counted (FlopCounterMode, meta tensors), never timed; "the same output" means a
maximum absolute difference below dec.TOLERANCE in float64.
"""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from snippets import decoder as dec

D, L = 64, 2
LENGTHS = (64, 128, 256, 512, 1024)


def test_settings_are_the_pages():
    assert (dec.D_MODEL, dec.N_HEADS, dec.N_LAYERS, dec.N_GENERATE) == (64, 2, 2, 32)
    assert (dec.D_MODEL_EXERCISE, dec.N_LAYERS_EXERCISE) == (128, 4)


def test_generation_with_a_kv_cache_gives_the_same_tokens_and_logits():
    # 페이지: 캐시 없이와 캐시로 생성한 토큰이 모두 같고, 로짓의 차이는 허용 오차(float64) 안이다
    comparison = dec.compare_generation(n_new=16)
    assert comparison["same_tokens"] == 16
    assert comparison["max_abs_diff"] < dec.TOLERANCE
    assert comparison["distinct_tokens"] > 3  # 같은 토큰만 되풀이하는 약한 비교가 아니다


def test_a_wrong_cache_would_be_caught():
    # 대조: 캐시의 위치를 잘못 두면(위치 임베딩을 0부터 다시) 로짓이 허용 오차 밖으로 달라진다
    model, prompt = dec.tiny_decoder(), dec.prompt_tokens()
    with torch.no_grad():
        full, _ = model(prompt)
        _, caches = model(prompt[:-1])
        x = model.tokens(prompt[-1:]) + model.positions(torch.tensor([0]))  # 위치 PROMPT_LEN - 1이어야 한다
        wrong, _ = model.decode(x, caches)
        wrong = model.head(model.norm(wrong))
        right, _ = model(prompt[-1:], caches)
    assert (right[-1] - full[-1]).abs().max() < dec.TOLERANCE
    assert (wrong[-1] - full[-1]).abs().max() > 1e-3


@pytest.mark.parametrize("n", [1, 64, 1000])
def test_counted_multiply_adds_are_exact(n):
    # 캐시로: 층마다 12 d² + 2 n d, 캐시 없이: 층마다 12 n d² + 2 n² d (곱셈-덧셈)
    cached, uncached = dec.per_token_macs(n, True), dec.per_token_macs(n, False)
    assert cached == {"attention": L * 2 * n * D, "other": L * 12 * D * D, "total": L * (2 * n * D + 12 * D * D)}
    assert uncached == {
        "attention": L * 2 * n * n * D,
        "other": L * 12 * n * D * D,
        "total": L * (2 * n * n * D + 12 * n * D * D),
    }


def test_meta_counts_equal_the_counts_of_a_real_cached_step():
    # 모양만 있는 meta 텐서로 센 값이 실제로 실행한 캐시 단계의 값과 같다
    model, n = dec.tiny_decoder(), 20
    with torch.no_grad():
        _, caches = model(torch.zeros(n - 1, dtype=torch.long))
        x = torch.zeros(1, D, dtype=torch.float64)
        with FlopCounterMode(display=False) as counter:
            model.decode(x, caches)
    assert counter.get_total_flops() // 2 == dec.per_token_macs(n, True)["total"]


def test_attention_exponents_are_one_with_the_cache_and_two_without():
    # 페이지: 어텐션 부분의 로그-로그 기울기 캐시로 1, 캐시 없이 2; 나머지는 캐시로 0, 캐시 없이 1
    sweep = dec.cost_sweep(LENGTHS)
    assert dec.loglog_slope(LENGTHS, sweep[True]["attention"]) == pytest.approx(1.0, abs=1e-6)
    assert dec.loglog_slope(LENGTHS, sweep[False]["attention"]) == pytest.approx(2.0, abs=1e-6)
    assert dec.loglog_slope(LENGTHS, sweep[True]["other"]) == 0.0
    assert dec.loglog_slope(LENGTHS, sweep[False]["other"]) == pytest.approx(1.0, abs=1e-6)


def test_whole_layer_exponents_approach_one_and_two_from_below():
    # 페이지: 층 전체의 기울기는 n = 64~128에서 작고 n = 2048~4096에서 1(캐시로)과 2(캐시 없이)에 다가간다
    def local_slope(a, b, use_cache):
        return dec.loglog_slope((a, b), [dec.per_token_macs(n, use_cache)["total"] for n in (a, b)])

    first, last = local_slope(64, 128, True), local_slope(2048, 4096, True)
    assert first < 0.3 < 0.8 < last < 1.0
    assert 1.8 < local_slope(2048, 4096, False) < 2.0


@pytest.mark.parametrize("n", [128, 1024, 4096])
def test_without_the_cache_a_token_costs_exactly_n_times_more(n):
    # 캐시 없이는 위치 n개를 모두 다시 계산한다: 캐시로 한 단계의 정확히 n배
    assert dec.per_token_macs(n, False)["total"] == n * dec.per_token_macs(n, True)["total"]


def test_with_the_cache_attention_overtakes_the_fixed_part_at_n_equals_6d():
    # 페이지와 연습 문제: 2 n d ≥ 12 d²이 되는 n = 6d, d = 64에서 384, d = 128에서 768로 옮겨 간다
    assert dec.cached_crossover() == 384
    assert dec.cached_crossover(d_model=128) == 768
    below, at = dec.per_token_macs(383, True), dec.per_token_macs(384, True)
    assert below["attention"] < below["other"] and at["attention"] >= at["other"]


def test_n_layers_4_doubles_costs_and_cache_but_not_the_ratio():
    # 연습 문제: 4층이면 토큰 하나의 비용과 KV 캐시가 2배, 캐시 없이/캐시로의 비는 그대로
    two = {c: dec.per_token_macs(1024, c)["total"] for c in (False, True)}
    four = {c: dec.per_token_macs(1024, c, n_layers=4)["total"] for c in (False, True)}
    assert four == {c: 2 * two[c] for c in two}
    assert four[False] / four[True] == two[False] / two[True] == 1024
    assert dec.cache_elements(1024) == 2 * L * 1024 * D
    assert dec.cache_elements(1024, n_layers=4) == 2 * dec.cache_elements(1024)


def _target(n_new=12):
    model, prompt = dec.tiny_decoder(), dec.prompt_tokens()
    generated, _ = dec.generate(model, prompt, n_new, use_cache=True)
    return model, torch.cat([prompt, generated])


def test_teacher_forcing_matches_running_positions_one_by_one():
    # 페이지: 마스크가 있으면 한 번에 넣은 출력이 모든 위치에서 하나씩 실행한 출력과 같다
    model, target = _target()
    check = dec.teacher_forcing_check(model, target)
    assert check["matching"] == check["positions"] == len(target)


def test_control_without_the_mask_only_the_last_position_matches():
    # 대조군: 마스크를 빼면 시퀀스 전체를 보는 마지막 위치만 같다
    model, target = _target()
    check = dec.teacher_forcing_check(model, target, causal=False)
    assert check["matching"] == 1
    assert check["max_abs_diff"] > 0.1


def test_teacher_forcing_takes_a_constant_number_of_steps_generation_one_run_per_token():
    # 페이지: 순차 단계는 한 번에 넣으면 시퀀스 길이와 무관하고, 생성하면 토큰 수에 비례한다
    model, prompt = dec.tiny_decoder(), dec.prompt_tokens()
    depths = {n: dec.sequential_depths(model, prompt, n) for n in (4, 8)}
    assert depths[4]["teacher_forcing"] == depths[8]["teacher_forcing"]
    assert depths[8]["generation"] == 2 * depths[4]["generation"]
    assert depths[4]["generation"] == 4 * depths[4]["teacher_forcing"]


def test_the_causal_mask_makes_the_outputs_depend_on_position():
    # 페이지: 마스크가 있으면 첫 토큰에 주는 확률이 위치마다 다르고(뒤로 갈수록 작다) 같은 토큰의 출력도 다르다
    weights, _ = dec.first_token_weights(causal=True)
    later = weights[1:]
    assert bool((later[1:] < later[:-1]).all())
    assert dec.output_spread(causal=True) > 1.0


def test_control_without_the_mask_every_position_gives_the_same_output():
    # 대조군: 마스크가 없으면 같은 토큰이 놓인 위치의 확률과 출력이 모두 같다
    weights, _ = dec.first_token_weights(causal=False)
    assert float(weights[1:].max() - weights[1:].min()) < 1e-12
    assert dec.output_spread(causal=False) < 1e-12
    # 마스크가 있는 마지막 위치도 모두를 보므로 같은 확률이다
    causal, _ = dec.first_token_weights(causal=True)
    assert float(causal[-1]) == pytest.approx(float(weights[-1]), abs=1e-12)


def test_a_sequence_of_one_repeated_token_carries_no_position_even_with_the_mask():
    # 페이지: 시퀀스가 모두 같은 토큰이면 마스크가 있어도 위치마다 출력이 같다
    assert dec.output_spread(causal=True, distinct_first=False) < 1e-12
