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
    expected = train(InMemoryStack(), cfg, x, y).model(RUN)[0]
    for at in range(seed * 37 + 5, 400, 53):
        stack = InMemoryStack(seed=seed, duplicate=0.3, reorder=True, crash=CrashPlan(at, "after"))
        train(stack, cfg, x, y)
        assert stack.record(RUN).status is RunStatus.SUCCEEDED
        assert same_bytes(stack.model(RUN)[0], expected), at
