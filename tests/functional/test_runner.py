"""LambdaRunner on in-process moto: the SQS event source mapping contract, end to end."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local import EmbeddedStack, RunnerConfigError
from infra.local.chaos import ChaosSpec
from infra.local.redrive import Redriver

HERE = Path(__file__).parent


@pytest.fixture
def handlers(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(HERE))
    import runner_sample_handlers

    runner_sample_handlers.CALLS.clear()
    runner_sample_handlers.PAIR.reset()
    return runner_sample_handlers


@pytest.fixture
def samples(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(HERE))
    import runner_sample_stack

    return runner_sample_stack


@pytest.fixture
def stack() -> Iterator[EmbeddedStack]:
    with EmbeddedStack() as embedded:
        yield embedded


@pytest.fixture
def sqs(stack: EmbeddedStack) -> Any:
    return stack.session.client("sqs")


def test_handler_receives_a_genuine_sqs_event_and_successes_are_deleted(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    sample = samples.deploy_sample(stack.session, "genuine", "runner_sample_handlers.ok")
    sent = sqs.send_message(
        QueueUrl=sample.queue_url,
        MessageBody="hello",
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "forward"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    runner = stack.runner(retry_delay=0)

    assert runner.run_until(lambda: bool(handlers.CALLS), timeout=5)
    runner.poll_once()

    (call,) = handlers.CALLS
    (record,) = call.event["Records"]
    assert record["messageId"] == sent["MessageId"]
    assert record["body"] == "hello"
    assert record["md5OfBody"] == hashlib.md5(b"hello").hexdigest()
    assert record["receiptHandle"]
    assert (record["eventSource"], record["eventSourceARN"]) == ("aws:sqs", sample.queue_arn)
    assert record["awsRegion"] == "us-east-1"
    # The first delivery counts 1: moto's own docker-based delivery must not have run.
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    for key in ("SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"):
        assert record["attributes"][key]
    assert record["messageAttributes"] == {
        "kind": {
            "stringValue": "forward",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "blob": {
            "binaryValue": base64.b64encode(b"\x00\x01").decode(),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }
    assert 0 < call.remaining_ms <= 30_000
    assert call.context["function_name"] == "genuine-fn"
    assert call.context["invoked_function_arn"] == sample.function_arn
    assert call.context["memory_limit_in_mb"] == 128
    assert call.context["log_group_name"] == "/aws/lambda/genuine-fn"
    assert call.context["aws_request_id"]
    assert samples.depth(sqs, sample.queue_url) == 0
    assert runner.stats.function("genuine-fn").records == 1
    assert runner.stats.failed == 0


def test_runner_is_idle_after_a_pass_that_found_every_queue_empty(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    sample = samples.deploy_sample(stack.session, "quiet", "runner_sample_handlers.ok")
    runner = stack.runner(retry_delay=0)
    assert not runner.idle  # nothing polled yet
    sqs.send_message(QueueUrl=sample.queue_url, MessageBody="hello")

    assert runner.poll_once() == 1
    assert not runner.idle
    assert runner.poll_once() == 0
    assert runner.idle


def test_partial_batch_failure_redelivers_only_the_failed_record(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    sample = samples.deploy_sample(stack.session, "partial", "runner_sample_handlers.fail_bad_once")
    for body in ("good-1", "bad", "good-2"):
        sqs.send_message(QueueUrl=sample.queue_url, MessageBody=body)
    runner = stack.runner(retry_delay=0)

    assert runner.run_until(lambda: samples.depth(sqs, sample.queue_url) == 0, timeout=5)

    assert Counter(handlers.bodies()) == {"good-1": 1, "good-2": 1, "bad": 2}
    first, second = handlers.CALLS
    assert len(first.event["Records"]) == 3
    (again,) = second.event["Records"]
    assert (again["body"], again["attributes"]["ApproximateReceiveCount"]) == ("bad", "2")
    assert runner.stats.function("partial-fn").failed == 1


def test_a_record_that_always_fails_lands_in_the_dlq_after_max_receive_count(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    sample = samples.deploy_sample(
        stack.session, "poison", "runner_sample_handlers.always_raise", max_receive_count=2
    )
    sqs.send_message(QueueUrl=sample.queue_url, MessageBody="poison")
    runner = stack.runner(retry_delay=0)

    assert runner.run_until(lambda: samples.depth(sqs, sample.dlq_url) == 1, timeout=5)
    assert runner.poll_once() == 0

    counts = [
        c.event["Records"][0]["attributes"]["ApproximateReceiveCount"] for c in handlers.CALLS
    ]
    assert counts == ["1", "2"]
    assert samples.depth(sqs, sample.queue_url) == 0
    (dead,) = sqs.receive_message(QueueUrl=sample.dlq_url)["Messages"]
    assert dead["Body"] == "poison"
    assert runner.stats.function("poison-fn").handler_errors == 2


def test_a_handler_past_its_timeout_fails_its_batch_until_it_is_dead_lettered(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    """As on Lambda, an invocation that ran past its function's timeout fails whatever the
    handler returned: its batch is redelivered, and after maxReceiveCount dead-lettered."""
    sample = samples.deploy_sample(
        stack.session,
        "overrun",
        "runner_sample_handlers.sleeps_past_its_timeout",
        timeout=1,
        max_receive_count=3,
    )
    sqs.send_message(QueueUrl=sample.queue_url, MessageBody="slow")
    runner = stack.runner(retry_delay=0)

    assert runner.run_until(lambda: samples.depth(sqs, sample.dlq_url) == 1, timeout=60)
    counts = [
        c.event["Records"][0]["attributes"]["ApproximateReceiveCount"] for c in handlers.CALLS
    ]
    assert counts == ["1", "2", "3"]
    assert samples.depth(sqs, sample.queue_url) == 0
    (dead,) = sqs.receive_message(QueueUrl=sample.dlq_url)["Messages"]
    assert dead["Body"] == "slow"
    stats = runner.stats.function("overrun-fn")
    assert (stats.timeouts_exceeded, stats.failed, stats.handler_errors) == (3, 3, 0)


def test_nothing_a_handler_does_past_its_timeout_reaches_aws(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    """Lambda stops the process at the timeout; the runner lets no AWS call through after
    it, so a slow handler cannot do on the embedded stack what AWS would have cut short."""
    outbox = sqs.create_queue(QueueName="outbox")["QueueUrl"]
    sample = samples.deploy_sample(
        stack.session,
        "late-writer",
        "runner_sample_handlers.writes_after_its_timeout",
        timeout=1,
        max_receive_count=2,
        environment={"LNN_SAMPLE_SETTING": outbox},
    )
    sqs.send_message(QueueUrl=sample.queue_url, MessageBody="late")
    runner = stack.runner(retry_delay=0)

    assert runner.run_until(lambda: samples.depth(sqs, sample.dlq_url) == 1, timeout=60)
    assert len(handlers.CALLS) == 2
    assert samples.depth(sqs, outbox) == 0  # neither delivery's send went through
    assert runner.stats.function("late-writer-fn").timeouts_exceeded == 2


def test_a_handler_within_its_timeout_is_acknowledged(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    sample = samples.deploy_sample(stack.session, "prompt", "runner_sample_handlers.ok", timeout=1)
    sqs.send_message(QueueUrl=sample.queue_url, MessageBody="quick")
    runner = stack.runner(retry_delay=0)

    assert runner.poll_once() == 1
    assert samples.depth(sqs, sample.queue_url) == 0
    assert runner.stats.function("prompt-fn").timeouts_exceeded == 0


def test_an_unimportable_handler_fails_its_records_without_stopping_the_runner(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    broken = samples.deploy_sample(stack.session, "broken", "runner_sample_handlers.missing")
    fine = samples.deploy_sample(stack.session, "fine", "runner_sample_handlers.ok")
    sqs.send_message(QueueUrl=broken.queue_url, MessageBody="lost")
    sqs.send_message(QueueUrl=fine.queue_url, MessageBody="kept")
    runner = stack.runner(retry_delay=0)

    assert runner.run_until(lambda: samples.depth(sqs, broken.dlq_url) == 1, timeout=5)
    assert handlers.bodies() == ["kept"]
    assert runner.stats.function("broken-fn").handler_errors == 2


def test_without_retry_delay_a_failed_record_waits_for_the_visibility_timeout(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    sample = samples.deploy_sample(stack.session, "patient", "runner_sample_handlers.always_raise")
    sqs.send_message(QueueUrl=sample.queue_url, MessageBody="later")
    runner = stack.runner(retry_delay=None)

    assert runner.poll_once() == 1
    assert runner.poll_once() == 0
    assert samples.depth(sqs, sample.queue_url) == 1  # in flight for the queue's 60 s


def test_a_short_retry_delay_redelivers_after_the_delay(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    sample = samples.deploy_sample(stack.session, "delayed", "runner_sample_handlers.fail_bad_once")
    sqs.send_message(QueueUrl=sample.queue_url, MessageBody="bad")
    runner = stack.runner(retry_delay=0.2)
    assert runner.poll_once() == 1
    failed_at = time.monotonic()

    assert runner.poll_once() == 0
    assert runner.run_until(lambda: len(handlers.CALLS) == 2, timeout=5)
    assert time.monotonic() - failed_at >= 0.2
    assert samples.depth(sqs, sample.queue_url) == 0


def test_an_invalid_failure_report_fails_the_whole_batch(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    sample = samples.deploy_sample(
        stack.session, "badreport", "runner_sample_handlers.unknown_failure_id"
    )
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=sample.queue_url, MessageBody=body)
    runner = stack.runner(retry_delay=0)

    assert runner.run_until(lambda: samples.depth(sqs, sample.dlq_url) == 2, timeout=5)
    assert Counter(handlers.bodies()) == {"a": 2, "b": 2}


def test_runner_redrives_itself_where_the_api_does_not_enforce_the_policy(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    sample = samples.deploy_sample(stack.session, "policy", "runner_sample_handlers.ok")
    (mapping,) = stack.runner().refresh()
    plain_url = sqs.create_queue(QueueName="no-policy")["QueueUrl"]
    # The mapping keeps its redrive (DLQ, max 2) while the queue itself enforces nothing.
    unenforced = replace(mapping, queue_url=plain_url, queue_arn=samples.queue_arn(sqs, plain_url))
    sqs.send_message(QueueUrl=plain_url, MessageBody="overdue")
    for _ in range(3):
        (received,) = sqs.receive_message(
            QueueUrl=plain_url, AttributeNames=["All"], VisibilityTimeout=0
        )["Messages"]

    deliverable, dead = Redriver(sqs).deliverable(unenforced, [received])

    assert (deliverable, dead) == ([], 1)
    assert samples.depth(sqs, plain_url) == 0
    (moved,) = sqs.receive_message(QueueUrl=sample.dlq_url)["Messages"]
    assert moved["Body"] == "overdue"


def test_chaos_duplicate_delivers_every_record_twice_with_the_same_identity(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    sample = samples.deploy_sample(stack.session, "chaos", "runner_sample_handlers.ok")
    for body in ("x", "y", "z"):
        sqs.send_message(QueueUrl=sample.queue_url, MessageBody=body)
    runner = stack.runner(retry_delay=0, chaos=ChaosSpec(duplicate=1.0))

    assert runner.run_until(lambda: samples.depth(sqs, sample.queue_url) == 0, timeout=5)

    first, duplicate = handlers.CALLS
    assert duplicate.event == first.event
    assert sorted(handlers.bodies()) == ["x", "x", "y", "y", "z", "z"]
    assert duplicate.context["aws_request_id"] != first.context["aws_request_id"]
    assert runner.stats.duplicates_injected == 3
    assert runner.stats.records == 3


def test_function_environment_is_visible_in_the_handler_and_restored_after(
    stack: EmbeddedStack,
    sqs: Any,
    handlers: Any,
    samples: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LNN_SAMPLE_SETTING", "outer")
    sample = samples.deploy_sample(
        stack.session,
        "envvars",
        "runner_sample_handlers.ok",
        environment={"LNN_SAMPLE_SETTING": "from-config"},
    )
    sqs.send_message(QueueUrl=sample.queue_url, MessageBody="m")
    runner = stack.runner(retry_delay=0)

    assert runner.run_until(lambda: bool(handlers.CALLS), timeout=5)

    (call,) = handlers.CALLS
    assert call.env["LNN_SAMPLE_SETTING"] == "from-config"
    assert call.env["AWS_LAMBDA_FUNCTION_NAME"] == "envvars-fn"
    assert os.environ["LNN_SAMPLE_SETTING"] == "outer"
    assert "AWS_LAMBDA_FUNCTION_NAME" not in os.environ


def test_concurrency_keeps_several_batches_of_one_function_in_flight(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    sample = samples.deploy_sample(
        stack.session, "pairs", "runner_sample_handlers.meet_in_pairs", batch_size=1
    )
    for i in range(4):
        sqs.send_message(QueueUrl=sample.queue_url, MessageBody=f"m{i}")
    runner = stack.runner(retry_delay=0, concurrency=2)

    assert runner.run_until(lambda: samples.depth(sqs, sample.queue_url) == 0, timeout=10)

    assert sorted(handlers.bodies()) == ["m0", "m1", "m2", "m3"]
    assert runner.stats.function("pairs-fn").handler_errors == 0
    assert len({c.thread for c in handlers.CALLS} - {threading.current_thread().name}) == 2


def test_follows_a_pipeline_without_sweeping_every_queue_per_hop(
    stack: EmbeddedStack, sqs: Any, handlers: Any, samples: Any
) -> None:
    queues = [
        samples.deploy_sample(stack.session, f"hop{i}", "runner_sample_handlers.ok")
        for i in range(4)
    ]
    runner = stack.runner(retry_delay=0)
    runner.refresh()
    for _ in range(5):  # the same message walks hop0 -> hop3, one queue at a time
        for sample in queues:
            sqs.send_message(QueueUrl=sample.queue_url, MessageBody="hop")
            assert runner.run_until(
                lambda s=sample: samples.depth(sqs, s.queue_url) == 0, timeout=5
            )
    # Once learnt, each hop's queue is polled first; a plain sweep wastes 3 polls a hop.
    assert runner.stats.records == 20
    assert runner.stats.empty_receives < 30


def test_the_stack_session_is_boto3s_default_while_the_stack_is_up() -> None:
    before = boto3.DEFAULT_SESSION
    with EmbeddedStack() as embedded:
        # The functions' own clients come from the default session.
        assert boto3.DEFAULT_SESSION is embedded.session
    assert boto3.DEFAULT_SESSION is before


def test_bad_options_are_rejected(stack: EmbeddedStack) -> None:
    with pytest.raises(RunnerConfigError):
        stack.runner(concurrency=0)
    with pytest.raises(RunnerConfigError):
        stack.runner(retry_delay=-1)
