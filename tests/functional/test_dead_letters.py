"""A malformed message is never retried into a loop: it lands in the layer queue's DLQ after
maxReceiveCount deliveries (docs/design.md, rule 7). Only the stack's functions publish network
tasks, so a malformed one does not fail the run it names."""

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from infra.local.chaos import ProcessDeath
from lnn.datasets import load_dataset
from lnn.engines.stack import embedded_stack, run_embedded, train_on_stack
from lnn.prepare import prepare
from messages.function_sizes import DEFAULT_FUNCTION_SIZES
from messages.status import RunStatus
from messages.train_request import TrainConfig

RUN_ID = "bad-message-run"


def test_malformed_layer_message_ends_in_dlq_and_spares_its_run(
    stack_target: Callable[[], dict[str, Any]],
) -> None:
    with embedded_stack(**stack_target()) as (client, runner):
        outputs = client.outputs
        client.ledger.start(RUN_ID, dataset="flower", epochs=1)
        body = {
            "kind": "forward",
            "run_id": RUN_ID,
            "epoch": 0,
            "batch": 0,
            "step": 0,
            "phase": "train",
            "layer": 1,
            "shard": "first",
        }
        client.clients.sns.publish(
            TopicArn=outputs.network_topic_arn,
            Message=json.dumps(body),
            MessageAttributes={"layer": {"DataType": "String", "StringValue": "1"}},
        )
        sqs = client.clients.sqs
        dlq = outputs.queue_urls["layer-1-dlq"]

        def dead_lettered() -> bool:
            attrs = sqs.get_queue_attributes(
                QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"]
            )
            return int(attrs["Attributes"]["ApproximateNumberOfMessages"]) == 1

        assert runner.run_until(dead_lettered, timeout=60)
        neuron = runner.stats.function(outputs.function_arns["neuron"].split(":")[-1])
        assert neuron.failed == 5  # every delivery up to maxReceiveCount failed
        assert client.record(RUN_ID).status is RunStatus.RUNNING
        landed = sqs.receive_message(QueueUrl=dlq)["Messages"][0]
        assert json.loads(landed["Body"]) == body


def test_a_process_that_dies_on_every_delivery_fails_its_run(
    monkeypatch: pytest.MonkeyPatch, stack_target: Callable[[], dict[str, Any]]
) -> None:
    """Nothing in the handler runs (as on a timeout or an out-of-memory kill): the message
    is dead-lettered after maxReceiveCount deliveries and the DLQ's consumer ends the run."""
    from functions.protocol import backward as module

    backward = module.backward

    def dies_on_layer_2_shard_1(task, svc):  # type: ignore[no-untyped-def]
        if (task.layer, task.shard) == (2, 1):
            raise ProcessDeath("killed: out of memory")
        return backward(task, svc)

    monkeypatch.setattr(module, "backward", dies_on_layer_2_shard_1)
    dataset = load_dataset("moons", samples=40)
    layers = [{"units": 4, "activation": "relu"}, {"units": 2, "activation": "tanh"}]
    layers.append({"units": 1, "activation": "sigmoid"})
    config = TrainConfig(dataset="moons", layers=layers, shards=2, epochs=2)
    result = train_on_stack(config, prepare(dataset, layers), **stack_target())
    assert result.status == "FAILED"
    # The process dies with its whole batch, so shard 0's task (same batch) may be named.
    assert re.fullmatch(
        r"train backward task \(layer 2, shard [01], epoch 0, batch 0\) was dead-lettered "
        r"after 5 deliveries; no error was recorded \(did the process die, of a timeout or "
        r"out of memory\?\)",
        result.reason or "",
    ), result.reason


def test_a_trainer_past_its_timeout_on_every_delivery_fails_its_run(
    monkeypatch: pytest.MonkeyPatch, stack_target: Callable[[], dict[str, Any]]
) -> None:
    """A run's start that Lambda stops at the trainer's timeout, before it got anywhere: each
    delivery of the TrainRequest fails in a fresh container, the request is dead-lettered
    after maxReceiveCount deliveries, and the dead-letter consumer fails the run, naming a
    timeout among the causes (nothing in the stack can know which it was)."""
    from functions.protocol import start as module
    from functions.protocol.delivery import current

    containers: list[object] = []
    receives: list[int] = []

    def overruns(request, svc):  # type: ignore[no-untyped-def]
        containers.append(svc)
        receives.append(current().count)
        time.sleep(1.2)  # past the trainer's 1 s: Lambda would have stopped it here

    monkeypatch.setattr(module, "start_run", overruns)
    layers = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    config = TrainConfig(dataset="moons", layers=layers, epochs=1)
    data = prepare(load_dataset("moons", samples=20), layers)
    sizes = DEFAULT_FUNCTION_SIZES.replaced(timeouts={"trainer": 1})
    with embedded_stack(sizes=sizes, **stack_target()) as session:
        result = run_embedded(session, config, data, stall_after=120)
        trainer = session.client.outputs.function_arns["trainer"].split(":")[-1]
        stats = session.runner.stats.function(trainer)
    assert result.status == "FAILED"
    assert (stats.timeouts_exceeded, stats.handler_errors) == (5, 0)
    assert receives == [1, 2, 3, 4, 5]
    assert len({id(svc) for svc in containers}) == 5  # no memory kept past a timeout
    assert re.fullmatch(
        r"the run never started: train_request message was dead-lettered after 5 "
        r"deliveries; no error was recorded \(did the process die, of a timeout or out of "
        r"memory\?\)",
        result.reason or "",
    ), result.reason


def test_a_run_whose_message_is_lost_stops_as_stalled(monkeypatch: pytest.MonkeyPatch) -> None:
    from functions.protocol import forward as module

    forward = module.forward

    def loses_layer_2(task, svc):  # type: ignore[no-untyped-def]
        return None if task.layer == 2 else forward(task, svc)  # acknowledged, never done

    monkeypatch.setattr(module, "forward", loses_layer_2)
    layers = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    config = TrainConfig(dataset="moons", layers=layers, epochs=2)
    data = prepare(load_dataset("moons", samples=20), layers)
    result = train_on_stack(config, data, stall_after=2)
    assert result.status == "STALLED"
    assert "made no progress for more than 2 s" in (result.reason or "")
