"""How many trials run at once under a Lambda concurrency quota: a run's peak executions
from its widest layer's shards, and the cap a quota puts on a sweep."""

import pytest

from lnn.sweep.quota import capped_concurrency, peak_executions
from messages.train_request import TrainConfig


def config(layers: str, shards: int = 1) -> TrainConfig:
    specs = [
        {"units": int(units), "activation": activation}
        for units, activation in (layer.split(":") for layer in layers.split(","))
    ]
    return TrainConfig(dataset="moons", layers=specs, shards=shards)


@pytest.mark.parametrize(
    ("layers", "shards", "peak"),
    [
        ("8:relu,1:sigmoid", 1, 2),  # one shard a stage, and the one that published it
        ("8:relu,1:sigmoid", 4, 5),
        ("8:relu,1:sigmoid", 16, 9),  # a layer has no more shards than units
        ("20:relu,7:relu,1:sigmoid", 10, 11),
        ("3:relu,4:softmax", 8, 5),  # the output layer can be the widest
    ],
)
def test_a_run_peaks_at_its_widest_layer_plus_its_publisher(
    layers: str, shards: int, peak: int
) -> None:
    assert peak_executions(config(layers, shards)) == peak


def test_a_quota_caps_the_trials_at_once() -> None:
    trials = [config("8:relu,1:sigmoid", 4)] * 8
    used, reason = capped_concurrency(trials, 8, 10)
    assert used == 2
    assert reason == (
        "8 trials at once need up to 8 x 5 = 40 concurrent Lambda executions; "
        "a quota of 10 lets 2 run at once"
    )


def test_no_cap_without_a_quota_or_within_it() -> None:
    trials = [config("8:relu,1:sigmoid", 4)] * 3
    assert capped_concurrency(trials, 8, None) == (8, None)
    # 3 trials never run more than 3 at once: 3 x 5 fits a quota of 15.
    assert capped_concurrency(trials, 8, 15) == (8, None)
    assert capped_concurrency(trials, 8, 14)[0] == 2


def test_the_widest_trial_sets_the_cap() -> None:
    trials = [config("8:relu,1:sigmoid", 1), config("8:relu,1:sigmoid", 8)]  # peaks 2 and 9
    assert capped_concurrency(trials, 2, 10) == (
        1,
        "2 trials at once need up to 2 x 9 = 18 concurrent Lambda executions; "
        "a quota of 10 lets 1 run at once",
    )


def test_a_quota_below_one_trial_runs_one_at_a_time_and_says_so() -> None:
    used, reason = capped_concurrency([config("8:relu,1:sigmoid", 8)] * 4, 4, 5)
    assert used == 1 and reason is not None and "below even one trial's 9" in reason


@pytest.mark.parametrize(("concurrency", "quota"), [(0, 10), (2, 0)])
def test_nonsense_counts_are_refused(concurrency: int, quota: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        capped_concurrency([config("8:relu,1:sigmoid")], concurrency, quota)
