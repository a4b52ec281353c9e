"""Learning-rate schedules against hand-computed values."""

import math
from collections.abc import Iterable

import pytest

from functions.nn import SCHEDULE_NAMES, NNError, Schedule, UnknownScheduleError, make_schedule
from functions.nn.schedules import Constant, ExponentialDecay, InverseTimeDecay, StepDecay


def rates(schedule: Schedule, epochs: Iterable[int]) -> list[float]:
    return [schedule(e) for e in epochs]


def test_constant() -> None:
    assert rates(Constant(0.1), range(3)) == [0.1, 0.1, 0.1]


def test_inverse_time_decay() -> None:
    # 0.1 / (1 + 0.5 k): k = 0, 1, 2
    assert rates(InverseTimeDecay(0.1, 0.5), range(3)) == pytest.approx([0.1, 0.1 / 1.5, 0.05])
    # interval 2: k = floor(epoch / 2) = 0, 0, 1, 1, 2
    assert rates(InverseTimeDecay(0.1, 0.5, 2), range(5)) == pytest.approx(
        [0.1, 0.1, 0.1 / 1.5, 0.1 / 1.5, 0.05]
    )


def test_exponential_decay() -> None:
    # rate ln 2 halves the rate every interval
    assert rates(ExponentialDecay(0.1, math.log(2)), range(3)) == pytest.approx([0.1, 0.05, 0.025])
    assert rates(ExponentialDecay(0.2, 1.0, 3), [0, 2, 3]) == pytest.approx(
        [0.2, 0.2, 0.2 * 0.36787944117144233]
    )


def test_step_decay() -> None:
    # 0.1 * 0.5 ** floor(epoch / 2)
    assert rates(StepDecay(0.1, 0.5, 2), range(6)) == pytest.approx(
        [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    )


def test_make_schedule_builds_each_kind() -> None:
    assert SCHEDULE_NAMES == ("constant", "inverse_time", "exponential", "step")
    assert make_schedule("constant", lr=0.3, rate=0.9) == Constant(0.3)
    assert make_schedule("inverse_time", lr=0.1, rate=0.5, interval=2) == InverseTimeDecay(
        0.1, 0.5, 2
    )
    assert make_schedule("exponential", lr=0.1, rate=0.2) == ExponentialDecay(0.1, 0.2, 1)
    assert make_schedule("step", lr=0.1, rate=0.5, interval=10) == StepDecay(0.1, 0.5, 10)


@pytest.mark.parametrize("name", ["inverse_time", "exponential"])
def test_rate_zero_means_constant(name: str) -> None:
    schedule = make_schedule(name, lr=0.02, rate=0.0)
    assert schedule == Constant(0.02)
    assert schedule(1000) == 0.02


def test_bad_input_is_rejected() -> None:
    with pytest.raises(UnknownScheduleError, match="inverse_time"):
        make_schedule("cosine", lr=0.1, rate=0.1)
    with pytest.raises(NNError, match="decay factor"):
        make_schedule("step", lr=0.1, rate=0.0)
    with pytest.raises(NNError, match="interval"):
        make_schedule("step", lr=0.1, rate=0.5, interval=0)
    with pytest.raises(NNError, match="learning rate"):
        Constant(0.0)
    with pytest.raises(NNError, match="epoch"):
        Constant(0.1)(-1)
