"""No message from outside the stack's functions may end, fail or fake another run: each hole
found on the train topic and the dead-letter queues, reproduced with the calls a hostile
client of the stack would make (docs/design.md, rule 11; docs/security.md)."""

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from observers import drain, events_queue

from infra.local import LambdaRunner
from lnn.client import RunExistsError, StackClient
from lnn.datasets import load_dataset
from lnn.engines.base import TrainingResult
from lnn.engines.stack import embedded_stack, train_on_stack
from lnn.prepare import PreparedData, prepare
from messages.arrays import InlineArray
from messages.status import RunStatus
from messages.train_request import TrainConfig, TrainingData, TrainRequest

LAYERS = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
CONFIG = TrainConfig(dataset="moons", layers=LAYERS, epochs=6, batch_size=8, lr=0.1, seed=4)
VICTIM = "victim-run"


@pytest.fixture(scope="module")
def data() -> PreparedData:
    return prepare(load_dataset("moons", samples=32), LAYERS)


@pytest.fixture(scope="module")
def clean(data: PreparedData, stack_target: Callable[[], dict[str, Any]]) -> TrainingResult:
    result = train_on_stack(CONFIG, data, **stack_target())
    assert result.status == "SUCCEEDED", result.reason
    return result


def _attack_mid_run(
    data: PreparedData,
    target: dict[str, Any],
    attack: Callable[[StackClient, LambdaRunner, int], None],
) -> tuple[Any, list[dict[str, Any]]]:
    """Start VICTIM, let it make a few steps, ``attack(client, runner, its step)``, then
    serve the stack until the run ends; the record and the events seen."""
    with embedded_stack(**target) as (client, runner):
        events = events_queue(client, f"events-{time.monotonic_ns()}")
        client.start(CONFIG, data, run_id=VICTIM)

        def stepping() -> bool:
            record = client.record(VICTIM)
            return record is not None and record.step >= 3

        assert runner.run_until(stepping, timeout=120)
        attack(client, runner, client.record(VICTIM).step)

        def ended() -> bool:
            return client.record(VICTIM).status.is_terminal

        assert runner.run_until(ended, timeout=300)
        # Serve the dead-letter consumer too, for whatever reached a DLQ, as on AWS.
        runner.run_until(lambda: False, timeout=6)
        return client.record(VICTIM), [json.loads(b) for b in drain(client.clients.sqs, events)]


def _assert_untouched(record: Any, clean: TrainingResult) -> None:
    assert record.status is RunStatus.SUCCEEDED, record.reason
    assert record.reason is None and record.epoch == CONFIG.epochs
    assert record.test_accuracy is None  # the data has no test set
    assert record.final_cost == clean.final_cost
    assert record.train_accuracy == clean.train_accuracy


def test_a_forged_evaluation_result_on_the_train_topic_ends_no_run(
    data: PreparedData, clean: TrainingResult, stack_target: Callable[[], dict[str, Any]]
) -> None:
    def forge_eval_done(client: StackClient, runner: LambdaRunner, step: int) -> None:
        forged = {
            "kind": "eval_done",
            "run_id": VICTIM,
            "epoch": CONFIG.epochs - 1,
            "batch": 0,
            "step": step,
            "phase": "eval",
            "metrics": {"train_cost": 0.001, "train_accuracy": 1.0, "test_accuracy": 1.0},
        }
        client.clients.sns.publish(
            TopicArn=client.outputs.train_topic_arn, Message=json.dumps(forged)
        )

    record, events = _attack_mid_run(data, stack_target(), forge_eval_done)
    _assert_untouched(record, clean)
    refused = [e for e in events if e["event"] == "request_refused"]
    assert refused and "kind" in refused[0]["reason"]


def test_a_letter_sent_straight_into_a_dead_letter_queue_fails_no_run(
    data: PreparedData, clean: TrainingResult, stack_target: Callable[[], dict[str, Any]]
) -> None:
    def forge_dead_letter(client: StackClient, runner: LambdaRunner, step: int) -> None:
        task = {
            "kind": "forward",
            "run_id": VICTIM,
            "epoch": 0,
            "batch": 0,
            "step": step,
            "phase": "train",
            "layer": 1,
            "shard": 0,
        }
        dlq = client.outputs.queue_urls["layer-1-dlq"]
        client.clients.sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps(task))
        assert runner.poll_dead_letters() == 1  # while the run is still RUNNING
        assert client.record(VICTIM).status is RunStatus.RUNNING

    record, _ = _attack_mid_run(data, stack_target(), forge_dead_letter)
    _assert_untouched(record, clean)


def test_an_invalid_request_reusing_a_running_run_s_id_changes_nothing(
    data: PreparedData, clean: TrainingResult, stack_target: Callable[[], dict[str, Any]]
) -> None:
    def reuse_the_id(client: StackClient, runner: LambdaRunner, step: int) -> None:
        topic = client.outputs.train_topic_arn
        evil = {"run_id": VICTIM, "evil": True}
        client.clients.sns.publish(TopicArn=topic, Message=json.dumps(evil))
        with pytest.raises(RunExistsError, match=f"^run {VICTIM} exists already"):
            client.start(CONFIG, data, run_id=VICTIM)  # `lnn submit` answers at once
        # A valid duplicate from a client that does not ask first (awscli, say).
        inline = TrainingData(
            x_train=InlineArray.from_numpy(data.x), y_train=InlineArray.from_numpy(data.y)
        )
        duplicate = TrainRequest(**CONFIG.model_dump(), run_id=VICTIM, data=inline)
        client.clients.sns.publish(TopicArn=topic, Message=duplicate.model_dump_json())

    record, events = _attack_mid_run(data, stack_target(), reuse_the_id)
    _assert_untouched(record, clean)
    reasons = [e["reason"] for e in events if e["event"] == "request_refused"]
    assert any("Extra inputs are not permitted" in r for r in reasons), reasons
    assert f"run {VICTIM} exists already (RUNNING): this request was ignored" in reasons
    assert [e["event"] for e in events].count("run_failed") == 0
