"""Claims of the warm-up schedule on docs/qna/layer-norm-warmup.md, checked on snippets/warmup_schedule.py."""

from __future__ import annotations

import pytest

from snippets import layer_norm as ln
from snippets import warmup_schedule as ws


@pytest.mark.parametrize("warmup", ws.WARMUP_SETTINGS)
def test_peak_is_at_warmup_steps_and_equals_the_closed_form(warmup):
    step, value = ws.peak(warmup)
    assert step == warmup
    assert value == pytest.approx(ws.D_MODEL**-0.5 * warmup**-0.5, rel=1e-12)


def test_rate_rises_linearly_during_warmup():
    warmup = ws.PAPER_WARMUP
    for step in (10, 100, 1_000):
        assert ws.noam_lrate(2 * step, warmup_steps=warmup) == pytest.approx(
            2 * ws.noam_lrate(step, warmup_steps=warmup)
        )


def test_rate_decays_as_inverse_square_root_after_warmup():
    warmup = ws.PAPER_WARMUP
    for step in (5_000, 20_000):
        assert ws.noam_lrate(4 * step, warmup_steps=warmup) == pytest.approx(
            0.5 * ws.noam_lrate(step, warmup_steps=warmup)
        )
    # warm-up 뒤에는 warmup_steps와 상관없다
    rates = {ws.noam_lrate(ws.TOTAL_STEPS, warmup_steps=w) for w in ws.WARMUP_SETTINGS}
    assert max(rates) == pytest.approx(min(rates))


def test_longer_warmup_gives_a_lower_peak():
    peaks = [ws.peak(w)[1] for w in ws.WARMUP_SETTINGS]
    assert list(ws.WARMUP_SETTINGS) == sorted(ws.WARMUP_SETTINGS)
    assert peaks == sorted(peaks, reverse=True)


def test_step_zero_is_rejected():
    with pytest.raises(ValueError):
        ws.noam_lrate(0)


def test_copy_task_schedule_is_linear_warmup_then_constant():
    rates = [ws.copy_task_lrate(s) for s in range(ln.TRAIN_STEPS)]
    warm = ln.WARMUP_STEPS
    assert rates[warm - 1] == pytest.approx(ln.BIG_LR)
    assert all(r == pytest.approx(ln.BIG_LR) for r in rates[warm:])
    assert all(a < b for a, b in zip(rates[:warm], rates[1:warm]))
    assert rates[0] == pytest.approx(ln.BIG_LR / warm)
    assert all(ws.copy_task_lrate(s, warmup_steps=0) == ln.BIG_LR for s in range(ln.TRAIN_STEPS))


def test_copy_task_schedule_is_the_one_the_training_uses():
    # layer_norm의 학습이 쓰는 LambdaLR과 같은 값인가: 실제 optimizer의 learning rate를 step마다 읽는다
    import torch

    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=ln.BIG_LR)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: ln.linear_warmup_factor(s, ln.WARMUP_STEPS))
    seen = []
    for _ in range(ln.TRAIN_STEPS):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert seen == pytest.approx([ws.copy_task_lrate(s) for s in range(ln.TRAIN_STEPS)])
