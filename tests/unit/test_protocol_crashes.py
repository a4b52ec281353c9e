"""A process may die before or after any port call takes effect; the run still ends with
the clean run's model, byte for byte.

The first test crashes a small run once at every port call it makes (every effect boundary
of every handler: trainer start, forward and backward shards, the loss stage, step and
evaluation transitions, the model write), before and after the call.
"""

import numpy as np
import pytest
from memory_runs import (
    BATCH_NORMED_TOY,
    RUN,
    config,
    running_averages_moved,
    toy_data,
    train,
)

from functions.memory import CrashPlan, InMemoryStack
from functions.memory.stack import QueuedMessage
from functions.protocol.telemetry import read_telemetry
from lnn.bench.workload import same_bytes
from messages.status import RunStatus


def _tiny(batch_norm: bool):  # two shards on the hidden layer, two batches, one evaluation
    hidden = {"units": 3, "activation": "relu", "batch_norm": batch_norm}
    return config(
        layers=[hidden, {"units": 1, "activation": "sigmoid"}],
        epochs=1,
        batch_size=6,
        holdout=0.0,
        telemetry_every=0,  # telemetry's own calls: the case below
    )


@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "batch-norm"])
def test_a_crash_at_every_port_call_changes_no_byte(batch_norm: bool) -> None:
    x, y = toy_data(m=12)
    cfg = _tiny(batch_norm)
    clean = train(InMemoryStack(), cfg, x, y)
    expected = clean.model(RUN)[0]
    history = clean.ledger.history(RUN)
    assert not batch_norm or running_averages_moved(expected)
    calls = clean.counter.calls
    touched = {name.split(".")[1] for name in calls}
    assert {"arrive", "send_tasks", "claim_step", "claim_eval", "succeed"} <= touched
    failures = []
    for at, name in enumerate(calls):
        for when in ("before", "after"):
            stack = train(InMemoryStack(crash=CrashPlan(at, when)), cfg, x, y)
            record = stack.record(RUN)
            if stack.crashes != 1:
                failures.append(f"{when} {name} (call {at}): {stack.crashes} crashes")
            elif record is None or record.status is not RunStatus.SUCCEEDED:
                failures.append(f"{when} {name} (call {at}): {record}")
            elif not same_bytes(stack.model(RUN)[0], expected):
                failures.append(f"{when} {name} (call {at}): a different model")
            elif stack.ledger.history(RUN) != history:
                failures.append(f"{when} {name} (call {at}): a different history")
    assert not failures, failures


def test_a_crash_at_every_port_call_leaves_the_clean_telemetry() -> None:
    x, y = toy_data(m=12)
    cfg = config(
        layers=[{"units": 3, "activation": "relu"}, {"units": 2, "activation": "softmax"}],
        epochs=1,
        batch_size=6,
        holdout=0.0,
        telemetry_every=1,
    )
    y = np.vstack([y, 1 - y])
    clean = train(InMemoryStack(), cfg, x, y)
    model, records = clean.model(RUN)[0], [r.to_document() for r in clean.telemetry(RUN)]
    assert len(records) == 4
    failures = []
    for at, name in enumerate(clean.counter.calls):
        for when in ("before", "after"):
            stack = train(InMemoryStack(crash=CrashPlan(at, when)), cfg, x, y)
            record = stack.record(RUN)
            if stack.crashes != 1 or record is None or record.status is not RunStatus.SUCCEEDED:
                failures.append(f"{when} {name} (call {at}): {stack.crashes} crashes, {record}")
            elif not same_bytes(stack.model(RUN)[0], model):
                failures.append(f"{when} {name} (call {at}): a different model")
            elif [r.to_document() for r in read_telemetry(stack.store, RUN)] != records:
                failures.append(f"{when} {name} (call {at}): different telemetry")
    assert not failures, failures


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("layers", [None, BATCH_NORMED_TOY], ids=["plain", "batch-norm"])
def test_crashes_with_duplicates_and_reordering(layers: list[dict] | None, seed: int) -> None:
    x, y = toy_data()
    cfg = config() if layers is None else config(layers=layers)
    clean = train(InMemoryStack(), cfg, x, y)
    expected, history = clean.model(RUN)[0], clean.ledger.history(RUN)
    for at in range(seed * 37 + 5, 400, 53):
        stack = InMemoryStack(seed=seed, duplicate=0.3, reorder=True, crash=CrashPlan(at, "after"))
        train(stack, cfg, x, y)
        assert stack.record(RUN).status is RunStatus.SUCCEEDED
        assert same_bytes(stack.model(RUN)[0], expected), at
        assert stack.ledger.history(RUN) == history, at


def test_an_evaluation_close_redelivered_in_the_next_epoch_changes_nothing() -> None:
    # The message that closed epoch 1's evaluation comes again once epoch 2 has claimed a
    # step: its close was done whole, so it must neither record epoch 1 again nor move on.
    x, y = toy_data()
    cfg = config(epochs=3, eval_every=1)
    clean = train(InMemoryStack(), cfg, x, y)
    stack = InMemoryStack()
    stack.submit(cfg, x, y, RUN)
    delivered: dict[str, QueuedMessage] = {}
    closed_at: int | None = None  # the step at which epoch 1's evaluation closed
    redelivered = False
    while stack.queued:
        delivered[stack.queued[0].message_id] = stack.queued[0]
        stack.deliver_one()
        record = stack.record(RUN)
        assert record is not None
        if closed_at is None and record.eval_epoch == 0:
            closed_at = record.step
        if not redelivered and closed_at is not None and record.step > closed_at:
            closing = delivered[record.eval_message or ""]
            stack.queued.append(QueuedMessage(closing.queue, closing.message_id, closing.body))
            redelivered = True
    assert redelivered
    assert stack.record(RUN).status is RunStatus.SUCCEEDED
    assert stack.ledger.history(RUN) == clean.ledger.history(RUN)
    assert same_bytes(stack.model(RUN)[0], clean.model(RUN)[0])
    assert _epochs_completed(stack) == _epochs_completed(clean)


def _epochs_completed(stack: InMemoryStack) -> list[dict]:
    """The EpochCompleted events the run emitted, without their times."""
    events = [e for e in stack.events if e.get("event") == "epoch_completed"]
    return [{k: v for k, v in e.items() if k != "at"} for e in events]
