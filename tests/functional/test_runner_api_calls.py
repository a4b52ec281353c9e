"""ApiCallCounter counts every botocore call in the process, by service.Operation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local import ApiCallCounter, EmbeddedStack


@pytest.fixture
def stack() -> Iterator[EmbeddedStack]:
    with EmbeddedStack() as embedded:
        yield embedded


def test_counts_calls_of_clients_created_anywhere_until_exit(stack: EmbeddedStack) -> None:
    sqs = stack.session.client("sqs")  # created before the counter is entered
    with ApiCallCounter() as calls:
        url = sqs.create_queue(QueueName="counted")["QueueUrl"]
        for body in ("a", "b"):
            sqs.send_message(QueueUrl=url, MessageBody=body)
        worker = threading.Thread(
            target=lambda: stack.session.client("sqs").receive_message(QueueUrl=url)
        )
        worker.start()
        worker.join()
        stack.session.client("s3").list_buckets()
    sqs.send_message(QueueUrl=url, MessageBody="after exit")

    assert calls.snapshot() == {
        "sqs.CreateQueue": 1,
        "sqs.SendMessage": 2,
        "sqs.ReceiveMessage": 1,
        "s3.ListBuckets": 1,
    }
    assert calls.by_service() == {"sqs": 4, "s3": 1}
    assert calls.total() == 5


def test_nested_counters_each_count_their_own_span(
    stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    import runner_sample_stack

    sample = runner_sample_stack.deploy_sample(stack.session, "calls", "runner_sample_handlers.ok")
    runner = stack.runner(retry_delay=0)
    with ApiCallCounter() as outer:
        stack.session.client("sqs").send_message(QueueUrl=sample.queue_url, MessageBody="m")
        with ApiCallCounter() as inner:
            assert runner.poll_once() == 1

    assert inner.snapshot()["lambda.ListEventSourceMappings"] == 1
    assert inner.snapshot()["sqs.ReceiveMessage"] == 1
    assert inner.snapshot()["sqs.DeleteMessageBatch"] == 1
    assert "sqs.SendMessage" not in inner.snapshot()
    assert outer.snapshot()["sqs.SendMessage"] == 1
    assert outer.total() == inner.total() + 1
