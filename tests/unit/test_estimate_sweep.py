"""A sweep's estimate from its trials' shapes: trials alike but for values are measured
once, the wall time is the list schedule of the trials' times, a quota stretches it."""

import pytest
from rich.console import Console

from lnn.estimate.estimate import Estimate
from lnn.estimate.plan import plan
from lnn.estimate.pricebook import BANDS, load_price_book
from lnn.estimate.projection import Parts
from lnn.estimate.sweep import SweepEstimate, SweepTrial, shape_groups, wall_time
from lnn.estimate.sweep_report import quota_note, render_sweep
from lnn.estimate.tally import Tally
from messages.train_request import TrainConfig

BASE = TrainConfig(
    dataset="moons",
    layers=[{"units": 8, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}],
)


@pytest.mark.parametrize(
    ("times", "concurrency", "wall"),
    [
        ([1.0, 1.0, 1.0], 1, 3.0),
        ([3.0, 1.0, 1.0, 1.0], 2, 3.0),  # the short ones take turns beside the long one
        ([1.0, 1.0, 1.0, 1.0, 5.0], 2, 7.0),  # in index order: the long one starts last
        ([2.0, 4.0], 8, 4.0),  # more slots than trials
        ([], 4, 0.0),
    ],
)
def test_the_wall_time_is_the_list_schedule(
    times: list[float], concurrency: int, wall: float
) -> None:
    assert wall_time(times, concurrency) == wall


def test_trials_differing_only_in_values_are_one_shape() -> None:
    configs = [
        BASE.model_copy(update={"lr": 0.1}),
        BASE.model_copy(update={"batch_size": 32}),
        BASE.model_copy(update={"lr": 0.001, "l2": 0.5, "dropout": 0.8, "beta1": 0.5}),
        BASE.model_copy(update={"optimizer": "adam"}),  # its state is more to store
        BASE.model_copy(update={"batch_size": 32, "seed": 7}),
    ]
    of_trial, shapes = shape_groups(configs)
    assert of_trial == [0, 1, 0, 2, 1]
    assert shapes == [configs[0], configs[1], configs[3]]


def made_up(config: TrainConfig, seconds: float, dollars_of_sqs: float) -> Estimate:
    """An estimate whose run takes ``seconds`` in every band (p99: twice) and whose bill
    is its SQS requests."""
    book = load_price_book()
    path = {f"path.{band}": seconds * (2 if "p99" in band else 1) for band in BANDS}
    sqs = dollars_of_sqs / book.prices["sqs_request"].each
    run = Tally({**path, "units.sqs_request": sqs})
    return Estimate(config, plan(config, 100, 1), {}, Parts(Tally(), Tally(), Tally()), run, book)


def sweep(quota: int | None) -> SweepEstimate:
    wide = BASE.model_copy(update={"shards": 4})  # 5 executions at once
    shapes = (
        made_up(wide, 60.0, 0.01),
        made_up(wide.model_copy(update={"epochs": 10}), 6.0, 0.001),
    )
    trials = tuple(
        SweepTrial(i, {"lr": 0.1 * (i + 1)}, shapes[s].config, s)
        for i, s in enumerate([0, 0, 1, 0, 1, 1, 0, 0])
    )
    return SweepEstimate("lr=log:1e-3:1", "random", trials, shapes, 8, quota)


def test_the_sweep_adds_up_its_trials() -> None:
    e = sweep(None)
    totals = e.totals()
    assert totals["sequential_s"]["p50_low"] == pytest.approx(5 * 60 + 3 * 6)
    assert totals["sequential_s"]["p99_high"] == pytest.approx(2 * (5 * 60 + 3 * 6))
    assert totals["wall_s"]["p50_low"] == 60  # 8 trials, 8 at once
    assert totals["bill_usd"]["p50_high"] == pytest.approx(5 * 0.01 + 3 * 0.001)
    document = e.as_dict()
    assert [t["shape"] for t in document["trials"]] == [0, 0, 1, 0, 1, 1, 0, 0]
    assert document["shapes"][1]["trials"] == [2, 4, 5]
    assert document["sweep"]["executions_at_once"] == 40
    assert document["sweep"]["capped"] is None
    assert "new AWS account's quota can be 10" in quota_note(e)


def test_a_quota_of_10_lets_2_trials_run_and_says_what_it_costs_in_time() -> None:
    e = sweep(10)
    totals = e.totals()
    # 2 slots, trials in index order: one runs 60, 6, 6, 6, 60 (138), the other 60, 60, 60.
    assert totals["wall_under_quota_s"]["p50_low"] == 180
    assert totals["wall_s"]["p50_low"] == 60
    assert e.as_dict()["sweep"]["concurrency_under_quota"] == 2
    assert quota_note(e) == (
        "8 trials at once need up to 8 x 5 = 40 concurrent Lambda executions; a quota of 10 "
        "lets 2 run at once: wall 3.0 min instead of 60.00 s (p50)"
    )
    console = Console(record=True, width=200)
    render_sweep(e, console)
    text = console.export_text()
    assert "wall time under the quota: 2 at a time" in text and "lr=0.8" in text
