"""The message timeline's document on a run of the in-memory stack: the legend in words, and
each bar's task (where it ran, what came of it, what it computed) for the page's panel."""

import numpy as np
import pytest
from memory_runs import RUN, config, toy_data, train

from functions.memory import InMemoryStack
from functions.protocol import RunPlan, find_plan
from functions.telemetry.spans import OUTCOMES, Span
from lnn.watch.notation import task_lines
from lnn.watch.timeline import MARKED, run_plan, timeline_section
from lnn.watch.view import RunView


def _run(outputs: int = 1, **overrides: object) -> tuple[list[Span], RunPlan]:
    """Two epochs of 2 batches (17 training columns of 24, in 10 and 7), evaluated after each,
    two shards per layer; one output unit: the loss runs inside its shard."""
    x, y = toy_data()
    if outputs > 1:  # one-hot classes for a softmax output, as many shards as units
        y = np.eye(outputs)[:, (x[0] > 0).astype(int) + (x[1] > 0).astype(int)]
    cfg = config(epochs=2, batch_size=10, eval_every=1, telemetry_every=0, **overrides)
    stack = train(InMemoryStack(duplicate=0.3, seed=3), cfg, x, y)
    plan = find_plan(stack.store, RUN)
    assert plan is not None
    return stack.spans(RUN), plan


def _start(span: Span) -> float:
    return span.start


def test_the_legend_says_what_lanes_outcomes_the_outline_and_the_loss_mark_mean() -> None:
    spans, plan = _run()
    legend = timeline_section(spans, plan)["legend"]
    assert [o["outcome"] for o in legend["outcomes"]] == list(OUTCOMES)
    meanings = {o["outcome"]: o["meaning"] for o in legend["outcomes"]}
    assert "dropped" in meanings["duplicate"] and "redelivers" in meanings["failed"]
    # the lane it names is one of the run's, with the units that shard owns
    assert "neuron L1 s1 is layer 1's shard 1: units 2-3 of 4" in legend["lanes"]
    assert "red outline" in legend["outline"] and "redelivery" in legend["outline"]
    assert "the loss runs inside it (neuron L3 s0" in legend["loss"]
    assert "docs/reading.md" in legend["notation"]
    softmax = [{"units": 4, "activation": "relu"}, {"units": 3, "activation": "softmax"}]
    sharded_output, plan = _run(3, layers=softmax, shards=3)
    loss = timeline_section(sharded_output, plan)["legend"]["loss"]
    assert "(the loss lane)" in loss and "inside" not in loss


UNITS = {  # memory_runs' layers of 4, 3 and 1 units on two shards
    (1, 0): "units 0-1 of 4",
    (1, 1): "units 2-3 of 4",
    (2, 0): "units 0-1 of 3",
    (2, 1): "unit 2 of 3",
    (3, 0): "the layer's 1 unit",
}


def test_each_bar_carries_its_task_and_what_it_computed() -> None:
    spans, plan = _run()
    section = timeline_section(spans, plan)
    assert section["steps"] == ["train e2 b0", "train e2 b1", "eval e2 b0"]
    recent = {("train", 1, 0), ("train", 1, 1), ("eval", 1, 0)}
    shown = sorted((s for s in spans if (s.phase, s.epoch, s.batch) in recent), key=_start)
    assert len(section["bars"]) == len(shown)
    for bar, span in zip(section["bars"], shown, strict=True):
        d = bar["details"]
        assert bar["lane"] == span.lane and d["run"] == RUN
        assert (d["epoch"], d["epochs"], d["batch"]) == (2, 2, span.batch)
        assert (d["phase"], d["delivery"], d["outcome"]) == (
            span.phase,
            span.delivery,
            span.outcome,
        )
        assert d["duration_s"] == pytest.approx(span.duration, abs=1e-4)
        assert d["start_s"] == pytest.approx(span.start - shown[0].start, abs=1e-4)
        assert d["math"] and d["math"] == task_lines(plan, span)
        assert bar["marked"] == (span.outcome in MARKED or span.delivery > 1)
        if span.function == "neuron":
            assert d["units"] == UNITS[(span.layer, span.shard)]
        if span.phase == "train":  # 17 columns in batches of 10 and 7: steps 3 and 4
            assert (d["samples"], d["step"]) == ((10, 7)[span.batch], 3 + span.batch)
        else:  # train, dev and test side by side
            assert (d["samples"], d["step"], d["direction"]) == (24, None, "forward")
    # the output layer's one shard computes the cost: its backward task, its eval forward
    loss = {
        (b["details"]["phase"], b["details"]["direction"])
        for b in section["bars"]
        if b["details"]["loss"]
    }
    assert loss == {("train", "backward"), ("eval", "forward")}
    assert {b["lane"] for b in section["bars"] if b["details"]["loss"]} == {"neuron L3 s0"}
    assert section["counts"]["duplicate"] > 0


def test_a_failed_delivery_shows_its_error_in_the_panel() -> None:
    failed = Span("neuron", "train", "fwd", 0, 0, 1, 0, 10.0, 10.5, 2, "failed", "boom: S3 down")
    plan = run_plan("r", config(epochs=1), 3, (24, 0, 0))
    (bar,) = timeline_section([failed], plan)["bars"]
    assert bar["marked"] and bar["details"]["error"] == "boom: S3 down"
    assert bar["details"]["delivery"] == 2 and bar["details"]["epoch"] == 1
    assert bar["details"]["math"][0].startswith("Z[1] = W[1] A[0] + b[1] for units 0-1 of 4")


def test_a_span_the_plan_does_not_know_gets_its_facts_without_math() -> None:
    plan = run_plan("r", config(epochs=1), 3, (24, 0, 0))  # layers of 4, 3 and 1 units
    stray = Span("neuron", "train", "bwd", 0, 0, 3, 1, 1.0, 1.2, 1, "completed")  # no shard 1
    (bar,) = timeline_section([stray], plan)["bars"]
    assert bar["details"]["math"] == [] and bar["details"]["shard"] == 1
    assert "units" not in bar["details"]


def test_the_view_gives_the_timeline_its_plan_once_it_knows_the_sizes() -> None:
    x, _ = toy_data()
    view = RunView(engine="embedded", run_id=RUN)
    view.update(config=config(epochs=1), n_features=int(x.shape[0]))
    span = Span("neuron", "train", "fwd", 0, 0, 1, 0, 1.0, 1.1, 1, "completed")
    view.set_spans([span])
    assert view.document()["timeline"]["bars"][0]["details"]["math"] == []  # sizes unknown
    view.update(eval_sizes=(18, 6, 0))
    details = view.document()["timeline"]["bars"][0]["details"]
    assert details["samples"] == 10 and np.isclose(details["duration_s"], 0.1)
    assert details["math"][0] == "Z[1] = W[1] A[0] + b[1] for units 0-1 of 4, 10 samples, A[0] = X"
