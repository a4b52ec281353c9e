"""The loopback API answers concurrent calls as AWS does: each call atomic, and a long
poll does not hold up the send it waits for.

moto reads, checks and writes an UpdateItem without a lock: unserialized, two first
arrivals at a barrier item can both create it and one arrival is lost (a run that never
ends). Threads switch every microsecond here, so that such a race shows in a few calls.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest

from infra.local.emulator import loopback_api

ITEMS = 60
SHARDS = 8  # concurrent arrivals at each item


def session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


@contextmanager
def frequent_thread_switches() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


@pytest.fixture
def url() -> Iterator[str]:
    with loopback_api(port=0) as endpoint_url:
        yield endpoint_url


def arrive(url: str, shard: int, start: threading.Barrier) -> None:
    client = session().client("dynamodb", endpoint_url=url)  # one per thread, as boto3 asks
    start.wait()
    for item in range(ITEMS):
        client.update_item(
            TableName="barriers",
            Key={"pk": {"S": f"barrier-{item}"}},
            UpdateExpression="ADD arrived :k",
            ConditionExpression="attribute_not_exists(arrived) OR NOT contains(arrived, :s)",
            ExpressionAttributeValues={":k": {"NS": [str(shard)]}, ":s": {"N": str(shard)}},
        )


def test_concurrent_first_arrivals_at_one_item_all_count(url: str) -> None:
    dynamodb = session().client("dynamodb", endpoint_url=url)
    dynamodb.create_table(
        TableName="barriers",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    start = threading.Barrier(SHARDS)
    threads = [threading.Thread(target=arrive, args=(url, k, start)) for k in range(SHARDS)]
    with frequent_thread_switches():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    counts = {
        i["pk"]["S"]: len(i["arrived"]["NS"]) for i in dynamodb.scan(TableName="barriers")["Items"]
    }
    assert len(counts) == ITEMS
    lost = {pk: n for pk, n in counts.items() if n != SHARDS}
    assert not lost, f"arrivals lost at {len(lost)} of {ITEMS} items: {lost}"


def test_a_long_poll_receives_what_is_sent_while_it_waits(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.sqs.models import Queue

    waiting = threading.Event()
    wait_for_messages = Queue.wait_for_messages  # the emulator's, which lets go of the lock

    def signalled(queue: Queue, timeout: int) -> None:
        waiting.set()
        wait_for_messages(queue, timeout)

    monkeypatch.setattr(Queue, "wait_for_messages", signalled)
    sqs = session().client("sqs", endpoint_url=url)
    queue_url = sqs.create_queue(QueueName="waiting")["QueueUrl"]
    received: list[dict] = []
    poll = threading.Thread(
        target=lambda: received.extend(
            session()
            .client("sqs", endpoint_url=url)
            .receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
            .get("Messages", [])
        )
    )
    poll.start()
    assert waiting.wait(timeout=60)
    # Sent while the poll waits: held up behind it, it would come too late for the poll.
    sqs.send_message(QueueUrl=queue_url, MessageBody="while you wait")
    poll.join(timeout=60)
    assert not poll.is_alive()
    assert [m["Body"] for m in received] == ["while you wait"]
