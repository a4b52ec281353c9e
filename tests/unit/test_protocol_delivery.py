"""At-least-once delivery: duplicates and any order change nothing; a cancel stops a run
mid-step; a run that cannot go on ends FAILED with its reason and its message dead-lettered;
an invalid network message is dead-lettered without failing the run it names."""

import json

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

from functions.memory import InMemoryStack, QueuedMessage
from functions.protocol.keys import params_key
from functions.protocol.trainer import cancel_run
from lnn.bench.workload import same_bytes
from messages.status import RunStatus
from messages.tasks import CancelRun, ForwardTask

NETWORKS = {"plain": {}, "batch-norm": {"layers": BATCH_NORMED_TOY}}


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("network", list(NETWORKS))
def test_duplicates_and_reordering_change_no_byte(network: str, seed: int) -> None:
    """Batch norm's running averages too: moved by every step, written with its version."""
    x, y = toy_data()
    cfg = config(**NETWORKS[network])
    expected = train(InMemoryStack(), cfg, x, y).model(RUN)[0]
    assert network == "plain" or running_averages_moved(expected)
    stack = train(InMemoryStack(seed=seed, duplicate=0.5, reorder=True), cfg, x, y)
    assert stack.record(RUN).status is RunStatus.SUCCEEDED
    assert same_bytes(stack.model(RUN)[0], expected)
    assert not stack.dead_lettered
    kinds = [event["event"] for event in stack.events]
    assert kinds.count("run_succeeded") == 1 and kinds.count("run_accepted") == 1


def test_a_duplicated_train_request_starts_one_run() -> None:
    x, y = toy_data()
    stack = InMemoryStack()
    stack.submit(config(), x, y, RUN)
    stack.submit(config(), x, y, RUN)
    stack.run()
    assert [e["event"] for e in stack.events].count("run_accepted") == 1
    assert stack.record(RUN).status is RunStatus.SUCCEEDED


def test_cancel_mid_step_stops_the_run() -> None:
    x, y = toy_data()
    stack = InMemoryStack()
    stack.submit(config(epochs=5), x, y, RUN)
    stack.run(until=lambda: stack.deliveries >= 20)  # inside the first steps
    before = stack.record(RUN)
    assert before.status is RunStatus.RUNNING and before.step < 5 * 2
    assert cancel_run(stack.ledger, stack.bus, RUN, "enough")
    stack.run()  # what was in flight drains without effect
    record = stack.record(RUN)
    assert record.status is RunStatus.CANCELLED and record.reason == "enough"
    assert record.model_key is None and record.step == before.step
    assert not cancel_run(stack.ledger, stack.bus, RUN, "again")
    assert [e["event"] for e in stack.events].count("run_cancelled") == 1


def test_a_lost_object_fails_the_run_after_the_last_delivery() -> None:
    x, y = toy_data()
    cfg = config()
    stack = InMemoryStack(max_receives=3)
    stack.submit(cfg, x, y, RUN)
    stack.run(until=lambda: bool(stack.blobs.objects.get(params_key(RUN, 1, 0, 0))))
    stack.blobs.delete([params_key(RUN, 1, 0, 0)])
    stack.restart()  # or the trainer's container still holds its copy
    stack.run()
    record = stack.record(RUN)
    assert record.status is RunStatus.FAILED
    assert "ObjectNotFoundError" in record.reason and "l1/s0/v0" in record.reason
    assert len(stack.dead_lettered) == 1 and stack.dead_lettered[0].receives == 3
    assert stack.dead_lettered[0].queue == "layer-1"
    assert not stack.kept  # its consumer found the run already failed, and let it go


def test_an_invalid_network_message_is_dead_lettered_and_spares_the_run_it_names() -> None:
    x, y = toy_data()
    stack = InMemoryStack()
    stack.submit(config(), x, y, RUN)
    stack.run(until=lambda: stack.deliveries >= 3)
    stack.bus.publish_tasks(['{"kind": "forward", "run_id": "run-1", "layer": 0}'], "1")
    stack.run()
    assert stack.record(RUN).status is RunStatus.SUCCEEDED
    dead = [m for m in stack.dead_lettered if m.receives == stack.settings.max_receives]
    assert len(dead) == 1 and '"layer": 0' in dead[0].body
    assert "run_failed" not in [e["event"] for e in stack.events]


def test_a_network_deeper_than_the_stack_is_rejected() -> None:
    x, y = toy_data()
    stack = train(InMemoryStack(max_depth=2), config(), x, y)
    record = stack.record(RUN)
    assert record.status is RunStatus.FAILED and "at most 2" in record.reason
    assert not any(key.startswith(f"runs/{RUN}/params") for key in stack.blobs.objects)


def test_a_run_that_never_ends_cannot_hang_the_stack() -> None:
    x, y = toy_data()
    stack = InMemoryStack()
    stack.submit(config(epochs=50), x, y, RUN)
    with pytest.raises(RuntimeError, match="deliveries"):
        stack.run(max_deliveries=30)
    assert np.isfinite(stack.deliveries)


def test_a_cancel_message_with_the_run_s_token_stops_the_run() -> None:
    x, y = toy_data()
    stack = InMemoryStack()
    stack.submit(config(epochs=5), x, y, RUN, cancel_token="the-publisher-s-secret")
    stack.run(until=lambda: stack.deliveries >= 10)
    cancel = CancelRun(run_id=RUN, token="the-publisher-s-secret", reason="published by awscli")
    stack.bus.send_to_trainer(cancel)
    stack.run()
    record = stack.record(RUN)
    assert (record.status, record.reason) == (RunStatus.CANCELLED, "published by awscli")
    assert record.model_key is None and not stack.dead_lettered


def _is_backward_of_layer_2_shard_1(message: QueuedMessage) -> bool:
    document = json.loads(message.body)
    return (document.get("kind"), document.get("layer"), document.get("shard")) == (
        "backward",
        2,
        1,
    )


def test_a_message_that_kills_its_process_every_time_fails_its_run() -> None:
    x, y = toy_data()
    stack = train(InMemoryStack(poison=_is_backward_of_layer_2_shard_1), config(), x, y)
    record = stack.record(RUN)
    assert record.status is RunStatus.FAILED
    assert record.reason == (
        "train backward task (layer 2, shard 1, epoch 0, batch 0) was dead-lettered after 5 "
        "deliveries; no error was recorded (did the process die, of a timeout or out of memory?)"
    )
    assert stack.crashes == 5 and len(stack.dead_lettered) == 1 and not stack.kept
    assert [e["event"] for e in stack.events].count("run_failed") == 1


def test_a_dead_letter_names_the_last_error_recorded() -> None:
    """The handler fails four times and records why; the fifth delivery kills the process."""
    x, y = toy_data()
    stack = InMemoryStack(poison=lambda message: message.receives == 5)
    stack.submit(config(), x, y, RUN)
    stack.run(until=lambda: bool(stack.blobs.objects.get(params_key(RUN, 2, 1, 0))))
    stack.blobs.delete([params_key(RUN, 2, 1, 0)])
    stack.restart()
    stack.run()
    record = stack.record(RUN)
    assert record.status is RunStatus.FAILED
    assert record.reason.startswith("train forward task (layer 2, shard 1, epoch 0, batch 0)")
    assert record.reason.endswith("l2/s1/v0.npz does not exist")
    assert "last error: ObjectNotFoundError" in record.reason


def test_a_dead_letter_without_a_run_is_kept_and_creates_no_run() -> None:
    x, y = toy_data()
    stack = train(InMemoryStack(), config(), x, y)
    stack.bus.publish_tasks(["not json", '{"kind": "forward", "run_id": "ghost"}'], "1")
    stack.run()
    assert [m.body for m in stack.kept] == ["not json", '{"kind": "forward", "run_id": "ghost"}']
    assert [r.run_id for r in stack.ledger.runs()] == [RUN]
    assert stack.record(RUN).status is RunStatus.SUCCEEDED


def test_a_well_formed_dead_letter_naming_no_run_is_kept() -> None:
    """docs/failure-model.md: a dead letter that names no run of the stack stays in its DLQ
    for people to read (it used to be dropped when it parsed)."""
    stack = InMemoryStack()
    task = ForwardTask(run_id="ghost", epoch=0, batch=0, step=0, phase="train", layer=1, shard=0)
    stack.bus.send_tasks([task], "1")
    stack.run()
    assert [m.body for m in stack.kept] == [task.model_dump_json()]
    assert stack.ledger.runs() == []
