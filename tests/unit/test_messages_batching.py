"""Batch calls carry at most 10 bodies and at most their service's byte budget of them, in
order: SNS PublishBatch 240 KiB, SQS SendMessageBatch (1 MiB since 2025) 1008 KiB."""

import pytest

from messages.batching import batch_bodies
from messages.limits import (
    PUBLISH_BATCH_BYTES,
    PUBLISH_BATCH_ENTRIES,
    SEND_BATCH_BYTES,
    SNS_MESSAGE_BYTES,
)


@pytest.mark.parametrize("budget", [PUBLISH_BATCH_BYTES, SEND_BATCH_BYTES])
def test_bodies_are_cut_by_count_and_by_bytes_in_order(budget: int) -> None:
    small = [f"m{i}" for i in range(23)]
    assert [len(b) for b in batch_bodies(small, max_bytes=budget)] == [10, 10, 3]
    big = ["x" * 100_000] * 10  # ten task messages near their inline budget: 1 MB
    chunks = batch_bodies(big, max_bytes=budget)
    assert all(sum(len(body) for _, body in c) <= budget for c in chunks)
    assert all(len(c) <= PUBLISH_BATCH_ENTRIES for c in chunks)
    assert [i for c in chunks for i, _ in c] == list(range(10))
    assert batch_bodies(["y" * (budget + 1)], max_bytes=budget) == [[(0, "y" * (budget + 1))]]


def test_sqs_batches_pack_what_sns_batches_must_split() -> None:
    """Ten 100 kB bodies: five PublishBatch calls on SNS, one SendMessageBatch on SQS."""
    big = ["x" * 100_000] * 10
    assert len(batch_bodies(big, max_bytes=PUBLISH_BATCH_BYTES)) == 5
    assert len(batch_bodies(big, max_bytes=SEND_BATCH_BYTES)) == 1
    # Ten SNS messages at their limit, copied into a queue, still take three calls.
    largest = ["z" * SNS_MESSAGE_BYTES] * 10
    assert [len(c) for c in batch_bodies(largest, max_bytes=SEND_BATCH_BYTES)] == [3, 3, 3, 1]
