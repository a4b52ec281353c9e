"""Trust boundaries on the in-memory stack: the train topic is a public door through which a
message may start a run under a fresh id and nothing else; a dead letter counts only if SQS
moved it there; a request whose process dies on every delivery still ends its run."""

import json

from memory_runs import RUN, config, toy_data, train

from functions.memory import InMemoryStack, QueuedMessage
from functions.memory.bus import TRAINER_QUEUE
from functions.protocol.delivery import current
from lnn.bench.workload import same_bytes
from messages.status import RunStatus
from messages.tasks import CancelRun, ForwardTask

TOKEN = "the-publisher-s-secret"


def _clean_model() -> list:
    x, y = toy_data()
    return train(InMemoryStack(), config(), x, y).model(RUN)[0]


def _started(**submit: str) -> InMemoryStack:
    """A run of config() that has made a few steps."""
    x, y = toy_data()
    stack = InMemoryStack()
    stack.submit(config(), x, y, RUN, **submit)
    stack.run(until=lambda: stack.deliveries >= 12)
    assert stack.record(RUN).status is RunStatus.RUNNING
    return stack


def _refusals(stack: InMemoryStack) -> list[str]:
    return [e["reason"] for e in stack.events if e["event"] == "request_refused"]


def test_a_forged_evaluation_result_cannot_end_a_run() -> None:
    stack = _started()
    record = stack.record(RUN)
    forged = {
        "kind": "eval_done",
        "run_id": RUN,
        "epoch": 1,
        "batch": 0,
        "step": record.step,
        "phase": "eval",
        "metrics": {"train_cost": 0.001, "train_accuracy": 1.0, "test_accuracy": 1.0},
    }
    stack.publish(TRAINER_QUEUE, json.dumps(forged))
    stack.run()
    record = stack.record(RUN)
    assert record.status is RunStatus.SUCCEEDED and record.test_accuracy is None
    assert same_bytes(stack.model(RUN)[0], _clean_model())
    assert len(_refusals(stack)) == 1  # told once; its redeliveries go on to the DLQ


def test_a_letter_written_straight_into_a_dead_letter_queue_is_refused() -> None:
    stack = _started()
    task = ForwardTask(run_id=RUN, epoch=0, batch=0, step=0, phase="train", layer=1, shard=0)
    stack.send_to_dead_letters("layer-1", task.model_dump_json())
    stack.run()
    assert stack.record(RUN).status is RunStatus.SUCCEEDED
    assert same_bytes(stack.model(RUN)[0], _clean_model())
    assert not stack.kept  # refused and dropped: it cannot come back with a higher count


def test_an_invalid_request_reusing_a_running_run_s_id_leaves_that_run_alone() -> None:
    stack = _started()
    x, y = toy_data()
    stack.submit(config(), x, y, RUN)  # a valid duplicate from another publisher
    stack.publish(TRAINER_QUEUE, json.dumps({"run_id": RUN, "evil": True}))
    stack.run()
    record = stack.record(RUN)
    assert record.status is RunStatus.SUCCEEDED and record.reason is None
    assert same_bytes(stack.model(RUN)[0], _clean_model())
    refusals = _refusals(stack)
    assert refusals[0] == f"run {RUN} exists already (RUNNING): this request was ignored"
    invalid = [r for r in refusals if "evil" in r]
    assert len(invalid) == 1 and "Extra inputs" in invalid[0]
    # Its dead letter reached the consumer, which let the run be.
    assert [m.queue for m in stack.dead_lettered] == [TRAINER_QUEUE]


def test_a_network_too_deep_for_the_stack_never_ends_a_run_of_the_same_id() -> None:
    stack = _started()
    x, y = toy_data()
    deep = config(layers=[{"units": 2, "activation": "relu"}] * 9 + [config().layers[-1]])
    stack.submit(deep, x, y, RUN)
    stack.run()
    assert stack.record(RUN).status is RunStatus.SUCCEEDED
    assert any("deployed for at most 8" in reason for reason in _refusals(stack))


def test_a_cancel_needs_the_token_its_run_was_started_with() -> None:
    stack = _started(cancel_token=TOKEN)
    stack.bus.send_to_trainer(CancelRun(run_id=RUN, token="someone-else-s-guess"))
    stack.run(until=lambda: stack.deliveries >= 40)
    assert stack.record(RUN).status is RunStatus.RUNNING
    stack.bus.send_to_trainer(CancelRun(run_id=RUN, token=TOKEN, reason="enough"))
    stack.run()
    record = stack.record(RUN)
    assert (record.status, record.reason) == (RunStatus.CANCELLED, "enough")
    assert any("the token is not" in reason for reason in _refusals(stack))


def test_a_run_started_without_a_token_cannot_be_cancelled_from_the_train_topic() -> None:
    stack = _started()
    stack.bus.send_to_trainer(CancelRun(run_id=RUN, token=TOKEN))
    stack.run()
    assert stack.record(RUN).status is RunStatus.SUCCEEDED
    assert any("set no cancel token" in reason for reason in _refusals(stack))


def _is_train_request(message: QueuedMessage) -> bool:
    return message.queue == TRAINER_QUEUE


def test_a_request_whose_process_dies_on_every_delivery_ends_failed() -> None:
    x, y = toy_data()
    stack = train(InMemoryStack(poison=_is_train_request), config(), x, y)
    record = stack.record(RUN)
    assert record is not None and record.status is RunStatus.FAILED
    assert record.reason.startswith("the run never started: train_request message was dead-")
    assert "no error was recorded" in record.reason
    assert stack.crashes == stack.settings.max_receives and not stack.kept
    assert [e["event"] for e in stack.events] == ["run_failed"]


def test_a_dead_lettered_request_never_ends_another_request_s_run() -> None:
    x, y = toy_data()
    starter: list[str] = []
    stack = InMemoryStack(poison=lambda m: m.queue == TRAINER_QUEUE and m.message_id not in starter)
    stack.submit(config(), x, y, RUN)
    (request,) = stack.queued
    starter.append(request.message_id)
    stack.run(until=lambda: stack.deliveries >= 12)
    stack.publish(TRAINER_QUEUE, request.body)  # the same request again, as another message
    stack.run()
    assert stack.record(RUN).status is RunStatus.SUCCEEDED
    assert [m.queue for m in stack.dead_lettered] == [TRAINER_QUEUE]


def test_the_dead_letter_consumer_s_own_failure_ends_no_run() -> None:
    """A letter it may not act on (a refused cancel) meets a throttled read in the consumer:
    the letter goes back to its DLQ, and the run it names goes on."""
    stack = _started(cancel_token=TOKEN)
    stack.bus.send_to_trainer(CancelRun(run_id=RUN, token="someone-else-s-guess"))
    reads = stack.ledger.get
    throttled: list[int] = []

    def get(run_id: str):  # type: ignore[no-untyped-def]
        in_the_consumer = current().count > stack.settings.max_receives  # a moved letter
        if not throttled and in_the_consumer:
            throttled.append(1)
            raise RuntimeError("ThrottlingException: Rate exceeded")
        return reads(run_id)

    stack.ledger.get = get  # type: ignore[method-assign]
    stack.run()
    assert throttled and stack.record(RUN).status is RunStatus.SUCCEEDED
