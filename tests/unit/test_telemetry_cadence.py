"""Which steps record telemetry and which epochs evaluate: pure functions of the config."""

import argparse
from itertools import pairwise

import pytest
from pydantic import ValidationError

from functions.training.schedule import (
    AUTO_EVALUATIONS,
    AUTO_TELEMETRY_STEPS,
    eval_epochs,
    telemetry_cadence,
)
from lnn.cli import training_options as train
from messages.train_request import TrainConfig


def steps(every: int | str, epochs: int, batches: int = 1) -> list[int]:
    cadence = telemetry_cadence(every, epochs, batches)
    return [s for s in range(0, epochs * batches + 2) if s in cadence]


def test_auto_records_every_step_of_a_small_run() -> None:
    assert steps("auto", AUTO_TELEMETRY_STEPS) == list(range(1, AUTO_TELEMETRY_STEPS + 1))
    assert steps("auto", 3, batches=4) == list(range(1, 13))


@pytest.mark.parametrize("total", [501, 999, 1000, 2500, 100_000, 123_457])
def test_auto_spreads_250_to_500_steps_over_a_long_run(total: int) -> None:
    chosen = steps("auto", total)
    assert 250 <= len(chosen) <= AUTO_TELEMETRY_STEPS + 1
    assert chosen[0] == 1 and chosen[-1] == total


def test_the_cat_network_records_every_fifth_step_and_the_last() -> None:
    chosen = steps("auto", 2500)
    assert chosen[:3] == [1, 6, 11] and chosen[-2:] == [2496, 2500]
    assert len(chosen) == 501


def test_an_explicit_interval_and_off() -> None:
    assert steps(4, 10) == [1, 5, 9, 10]
    assert steps(1, 3, batches=2) == [1, 2, 3, 4, 5, 6]
    assert steps(0, 10) == []
    assert steps(20, 10) == [1, 10]
    assert steps("auto", 0) == []


def test_the_config_takes_auto_or_a_count() -> None:
    base = {"dataset": "d", "layers": [{"units": 1, "activation": "sigmoid"}]}
    assert TrainConfig(**base).telemetry_every == "auto"
    assert TrainConfig(**base, telemetry_every=0).telemetry_every == 0
    for bad in (-1, "often", "3", True):
        with pytest.raises(ValidationError):
            TrainConfig(**base, telemetry_every=bad)


def test_cli_telemetry_every() -> None:
    p = argparse.ArgumentParser()
    train.add_arguments(p)
    assert p.parse_args([]).telemetry_every == "auto"
    assert p.parse_args(["--telemetry-every", "off"]).telemetry_every == 0
    assert p.parse_args(["--telemetry-every", "7"]).telemetry_every == 7
    assert p.parse_args(["--telemetry-every", "AUTO"]).telemetry_every == "auto"
    args = p.parse_args(["--telemetry-every", "3"])
    assert train.build_config(args, "flower").telemetry_every == 3
    with pytest.raises(SystemExit):
        p.parse_args(["--telemetry-every", "-2"])


def evaluated(epochs: int, every: int | str = "auto") -> list[int]:
    """The evaluation epochs numbered from 1, as a user reads them."""
    return sorted(e + 1 for e in eval_epochs(epochs, every))


@pytest.mark.parametrize("epochs", [1, 7, 20, 21, 30, 150, 999, 1000, 2500])
def test_auto_evaluates_at_most_20_times_spread_over_the_run(epochs: int) -> None:
    chosen = evaluated(epochs)
    assert chosen[-1] == epochs and len(chosen) <= AUTO_EVALUATIONS
    gaps = {b - a for a, b in pairwise([0, *chosen[:-1]])}
    assert len(gaps) <= 1  # evenly spaced but for the last
    assert len(chosen) >= min(epochs, AUTO_EVALUATIONS // 2)


def test_auto_evaluations_of_a_few_runs() -> None:
    assert evaluated(7) == [1, 2, 3, 4, 5, 6, 7]
    assert evaluated(150)[:3] == [8, 16, 24] and evaluated(150)[-2:] == [144, 150]
    assert evaluated(1000) == list(range(50, 1001, 50))
    assert evaluated(0) == []


def test_an_explicit_eval_interval_and_last_only() -> None:
    assert evaluated(10, 4) == [4, 8, 10]
    assert evaluated(10, 0) == [10]
    assert evaluated(10, 20) == [10]


def test_a_request_without_eval_every_means_auto_and_the_cli_agrees() -> None:
    base = {"dataset": "d", "layers": [{"units": 1, "activation": "sigmoid"}]}
    assert TrainConfig(**base).eval_every == "auto"
    for bad in (-1, "sometimes", True):
        with pytest.raises(ValidationError):
            TrainConfig(**base, eval_every=bad)
    p = argparse.ArgumentParser()
    train.add_arguments(p)
    assert p.parse_args([]).eval_every == "auto"
    assert p.parse_args(["--eval-every", "last"]).eval_every == 0
    assert p.parse_args(["--eval-every", "0"]).eval_every == 0
    assert train.build_config(p.parse_args(["--eval-every", "5"]), "flower").eval_every == 5
    with pytest.raises(SystemExit):
        p.parse_args(["--eval-every", "-1"])


@pytest.mark.parametrize(("every", "total"), [(5, 23), (5, 25), (1, 4), (3, 1), (0, 10)])
def test_latest_is_the_last_telemetry_step_at_or_before_a_step(every: int, total: int) -> None:
    """What the watch page's reader of a stack reads at: the latest claimed telemetry step."""
    cadence = telemetry_cadence(every, total, 1)
    for step in range(0, total + 3):
        before = [s for s in cadence.steps() if s <= step]
        assert cadence.latest(step) == (before[-1] if before else 0), step
