"""The watch page's reader of a stack, while an embedded run trains: it gathers every
telemetry step once (whole steps only), the history, the parameters and the spans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from functions.protocol.plan import RunPlan
from lnn.datasets import load_dataset
from lnn.engines.reference import train_reference
from lnn.engines.stack import train_on_stack
from lnn.prepare import prepare, split
from lnn.telemetry import differences
from lnn.watch.feeds import planned_view
from lnn.watch.recent_spans import recent_passes
from lnn.watch.stack_feed import StackFeed
from messages.train_request import TrainConfig

CONFIG = TrainConfig(
    dataset="moons",
    layers=[
        {"units": 4, "activation": "relu"},
        {"units": 3, "activation": "tanh"},
        {"units": 1, "activation": "sigmoid"},
    ],
    epochs=6,
    batch_size=30,
    lr=0.3,
    shards=2,
    eval_every=3,
)


def test_the_feed_gathers_the_run_as_it_goes(stack_target: Callable[[], dict[str, Any]]) -> None:
    data = prepare(load_dataset("moons", samples=90), [x.model_dump() for x in CONFIG.layers])
    view = planned_view("embedded", CONFIG, data.x, data.y)  # no split: the feed reads it
    feed = StackFeed(view)
    result = train_on_stack(CONFIG, data, observer=feed, **stack_target())
    assert result.status == "SUCCEEDED", result.reason
    # what the feed read while the run went on, before the result is handed over
    records = view.series.records
    assert [r.step for r in records] == [r.step for r in result.telemetry]
    assert differences(records, result.telemetry) == []
    assert [h.epoch for h in view.history] == list(range(1, 7))
    assert view.step == 6 * 3 and view.status == "SUCCEEDED"
    document = view.document()
    assert document["boundary"]["step"] == 18  # the last step's parameters
    assert document["status"]["calls"]["calls_per_shard_hop"] > 0
    # one output shard runs the loss itself (functions/protocol/output.py): no loss lane
    lanes = document["timeline"]["lanes"]
    assert lanes == ["neuron L1 s0", "neuron L1 s1", "neuron L2 s0", "neuron L2 s1", "neuron L3 s0"]
    # The examples, read once from the run's data keys, named by the built-in dataset; the
    # stack's confusion history equals the reference engine's (engine-equality covers more).
    assert view.examples is not None and view.examples.classes == ("upper", "lower")
    assert view.examples.splits["train"][0].shape == (2, 90)
    predictions = document["predictions"]
    assert predictions["classes"] == ["upper", "lower"]
    evaluated = [h for h in result.history if h.train_confusion is not None]
    assert [e["epoch"] for e in predictions["evaluations"]] == [h.epoch for h in evaluated]
    assert predictions["evaluations"][-1]["matrices"] == {"train": evaluated[-1].train_confusion}
    reference = train_reference(CONFIG, split(data, holdout=CONFIG.holdout, seed=CONFIG.seed))
    for ref, net in zip(reference.history, result.history, strict=True):
        assert (ref.train_confusion, ref.dev_confusion) == (net.train_confusion, net.dev_confusion)


def test_recent_passes_end_at_the_pass_in_flight() -> None:
    plan = RunPlan("r", CONFIG.model_copy(update={"epochs": 2}), 2, (90, 0, 0))
    # 3 steps per epoch, an evaluation after the last epoch only (eval_every 3 > 2 epochs);
    # step 4 claimed: step 5 (epoch 1, batch 1) is in flight
    passes = recent_passes(plan, step=4, count=3)
    assert [(p[0].phase, p[0].epoch, p[0].batch) for p in passes] == [
        ("train", 0, 2),
        ("train", 1, 0),
        ("train", 1, 1),
    ]
    # one output shard: its training task runs the forward, the loss and the backward pass
    assert [s.direction for s in passes[-1]] == ["fwd"] * 2 + ["bwd"] * 3
    final = recent_passes(plan, step=6, count=2)
    assert [(p[0].phase, p[0].epoch) for p in final] == [("train", 1), ("eval", 1)]
