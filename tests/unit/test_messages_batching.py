"""Batch calls carry at most 10 bodies and PUBLISH_BATCH_BYTES of them, in order."""

from messages.batching import batch_bodies
from messages.limits import PUBLISH_BATCH_BYTES, PUBLISH_BATCH_ENTRIES


def test_bodies_are_cut_by_count_and_by_bytes_in_order() -> None:
    small = [f"m{i}" for i in range(23)]
    assert [len(b) for b in batch_bodies(small)] == [10, 10, 3]
    big = ["x" * 100_000] * 10  # ten task messages near their inline budget: 1 MB
    chunks = batch_bodies(big)
    assert all(sum(len(body) for _, body in c) <= PUBLISH_BATCH_BYTES for c in chunks)
    assert all(len(c) <= PUBLISH_BATCH_ENTRIES for c in chunks)
    assert [i for c in chunks for i, _ in c] == list(range(10))
    assert batch_bodies(["y" * (PUBLISH_BATCH_BYTES + 1)]) == [
        [(0, "y" * (PUBLISH_BATCH_BYTES + 1))]
    ]
