"""A run on a stack stopped by Ctrl-C keeps what the reference engine keeps after as many
steps, wherever the stop lands: mid-epoch, or while the evaluation that records an epoch is
still in flight (that epoch's step is claimed, its history entry not written yet)."""

from collections.abc import Callable

import pytest
from memory_runs import (
    RUN,
    MemoryClient,
    assert_same_first_layer,
    config,
    max_difference,
    toy_data,
)

from functions.memory import InMemoryStack
from functions.training.split import split_training_data
from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference
from lnn.engines.results import interrupted
from messages.status import RunRecord
from messages.train_request import TrainConfig


def stop_after(steps: int) -> Callable[[], bool]:
    """A stop check that says yes from the ``steps + 1``-th question on (one per step)."""
    asked = iter(range(10**9))
    return lambda: next(asked) >= steps


def stopped_on_stack(
    cfg: TrainConfig, until: Callable[[RunRecord], bool]
) -> tuple[TrainingResult, RunRecord]:
    """Run ``cfg`` until its record satisfies ``until``, then stop it as Ctrl-C does; the
    result and the record at the stop."""
    x, y = toy_data()
    stack = InMemoryStack()
    stack.submit(cfg, x, y, RUN)

    def reached() -> bool:
        record = stack.record(RUN)
        return record is not None and until(record)

    stack.run(until=reached)
    at_stop = stack.record(RUN)
    assert at_stop is not None

    def deliver(done: Callable[[], bool], within: float) -> None:
        stack.run(until=done)

    return interrupted(MemoryClient(stack), RUN, settle=deliver), at_stop


def reference_after(cfg: TrainConfig, steps: int) -> TrainingResult:
    x, y = toy_data()
    split = split_training_data(x, y, holdout=cfg.holdout, seed=cfg.seed)
    return train_reference(cfg, split, stop=stop_after(steps))


def assert_same_result(result: TrainingResult, reference: TrainingResult) -> None:
    assert result.status == reference.status == "CANCELLED"
    assert result.steps == reference.steps and result.reason == reference.reason
    assert [h.epoch for h in result.history] == [h.epoch for h in reference.history]
    for ours, theirs in zip(result.history, reference.history, strict=True):
        assert ours.cost == pytest.approx(theirs.cost, abs=1e-9)
        assert ours.train_accuracy == theirs.train_accuracy
        assert ours.dev_accuracy == theirs.dev_accuracy
        assert ours.train_confusion == theirs.train_confusion
    assert result.final_cost == pytest.approx(reference.final_cost, abs=1e-9)
    assert (result.train_accuracy, result.dev_accuracy) == (
        reference.train_accuracy,
        reference.dev_accuracy,
    )
    assert max_difference(result.params, reference.params) <= 1e-9
    assert_same_first_layer(result.first_layer, reference.first_layer, 1e-9)


def test_a_stop_during_an_evaluation_keeps_the_epoch_it_records() -> None:
    """Every epoch evaluated: the stop lands after epoch 3's last step was claimed, while
    its evaluation runs; the result has epochs 1 to 3, epoch 3's cost and accuracies."""
    cfg = config(epochs=5, eval_every=1)
    result, at_stop = stopped_on_stack(cfg, lambda record: record.epoch == 3)
    assert at_stop.eval_epoch == 1 and at_stop.status.value == "RUNNING"  # epoch 3's pending
    assert [h.epoch for h in result.history] == [1, 2, 3]
    assert result.history[-1].train_accuracy is not None
    assert_same_result(result, reference_after(cfg, at_stop.step))


def test_a_stop_mid_epoch_keeps_the_epochs_completed() -> None:
    cfg = config(epochs=5, eval_every=2)
    result, at_stop = stopped_on_stack(cfg, lambda record: record.step == 5)
    assert at_stop.step == 5 and [h.epoch for h in result.history] == [1, 2]
    assert_same_result(result, reference_after(cfg, 5))


def test_a_cancel_decided_at_one_step_does_not_apply_at_another() -> None:
    """What the client read at step s decides the cancel; a run that has claimed another
    step since is not cancelled, and the client reads again."""
    cfg = config(epochs=5)
    x, y = toy_data()
    stack = InMemoryStack()
    stack.submit(cfg, x, y, RUN)
    stack.run(until=lambda: (record := stack.record(RUN)) is not None and record.step == 2)
    client = MemoryClient(stack)
    assert not client.cancel(RUN, "stale", at_step=1)
    assert client.require_record(RUN).status.value == "RUNNING"
    assert client.cancel(RUN, "current", at_step=2)
    assert client.require_record(RUN).reason == "current"
