"""Shard outputs through the barrier: small ones ride in the item, large ones go to S3."""

import numpy as np

from functions.ports import Arrival, Barriers, IncompleteBarrierError, ShardOutput
from functions.protocol.arrays import ArrayStore
from messages.arrays import decode_npy, encode_npy
from messages.limits import BARRIER_ITEM_BUDGET


def arrive(
    barriers: Barriers,
    store: ArrayStore,
    key: str,
    shard: int,
    expected: int,
    output: np.ndarray | None,
    *,
    spill_key: str,
    value: float | None = None,
    telemetry: str | None = None,
    span: str | None = None,
    message_id: str | None = None,
    params: bytes | None = None,
) -> Arrival:
    payload = s3_key = None
    if output is not None:
        if output.nbytes <= BARRIER_ITEM_BUDGET // expected:
            payload = encode_npy(output)
        else:
            store.put_array(spill_key, output)
            s3_key = spill_key
    output = ShardOutput(
        payload=payload,
        s3_key=s3_key,
        value=value,
        telemetry=telemetry,
        span=span,
        message_id=message_id,
        params=params,
    )
    return barriers.arrive(key, shard, expected, output)


def outputs(arrival: Arrival, store: ArrayStore, expected: int) -> list[np.ndarray]:
    """Every shard's output in shard order (the order fixes the float sums)."""
    parts = []
    for shard in range(expected):
        if shard in arrival.payloads:
            parts.append(decode_npy(arrival.payloads[shard]))
        else:
            parts.append(store.get_array(arrival.s3_keys[shard]))
    return parts


def stored_outputs(barriers: Barriers, store: ArrayStore, key: str, expected: int) -> np.ndarray:
    """A completed stage's outputs stacked by shard, read back from its barrier.

    The barrier item (and its S3 spills) is the durable copy of a layer's activations, so
    nothing else needs writing for the backward pass that reads them in another container.
    """
    arrival = barriers.read(key, expected)
    if not arrival.complete:
        raise IncompleteBarrierError(f"barrier {key} holds fewer than {expected} outputs")
    return np.concatenate(outputs(arrival, store, expected), axis=0)
