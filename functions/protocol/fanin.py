"""Fan-in and shard state: what a shard reads, claims and keeps in either direction.

- Outputs through the barrier: a shard's output rides in its arrival's item when small and
  goes to S3 when not; the completing arrival reads them all back in shard order (a
  backward layer of one shard passes none: backward.py).
- Parameters: a shard reads its version of the task's step (functions/protocol/versions.py
  says where a version lives); a late duplicate finds it pruned, or kept, and stops.
- The claim: a shard's arrival at its layer's barrier carries its output, its span and the
  message id of its delivery (docs/design.md, rules 4 and 5).
- The Z cache: Z of recent forward shards stays in this process so the backward pass can
  skip a matmul; a container that did not run the forward recomputes the same bits.
"""

import numpy as np

from functions.nn.dense import DenseForward
from functions.ports import (
    Arrival,
    Barriers,
    IncompleteBarrierError,
    ObjectNotFoundError,
    ShardOutput,
)
from functions.protocol.arrays import ArrayStore
from functions.protocol.delivery import Services, current
from functions.protocol.keys import barrier_key, output_key
from functions.protocol.plan import RunPlan
from functions.protocol.telemetry import arrival_span, note
from functions.protocol.versions import in_s3, kept, read_params
from functions.training.step import shard_mask
from messages.arrays import decode_npy, encode_npy
from messages.limits import BARRIER_ITEM_BUDGET
from messages.tasks import BackwardTask, ForwardTask


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


ShardTask = ForwardTask | BackwardTask


def dropout_mask(
    plan: RunPlan, phase: str, epoch: int, batch: int, layer: int, m: int, rows: tuple[int, int]
) -> np.ndarray | None:
    if phase != "train" or layer == plan.depth:
        return None
    return shard_mask(
        keep_prob=plan.config.dropout,
        seed=plan.config.seed,
        epoch=epoch,
        batch=batch,
        layer=layer,
        units=plan.specs[layer - 1].units,
        m=m,
        rows=rows,
    )


def shard_params(
    plan: RunPlan, svc: Services, task: ShardTask, direction: str
) -> dict[str, np.ndarray] | None:
    """The shard's parameters at the task's step; None for a late duplicate whose shard
    already arrived at the barrier: nothing is left to do.

    Such a duplicate usually finds its version pruned. A kept version (a picture step's)
    is there for ever, so a backward task reading one looks at its arrival first when the
    version it writes is an S3 object that pruning deletes: a duplicate would otherwise
    write it again, long after, and leave an object nothing deletes (one read per shard on
    the picture steps only). A redelivery of the message that claimed the arrival goes on,
    to publish what its process may have died before publishing."""
    layer, shard, run = task.layer, task.shard, task.run_id
    key = barrier_key(run, task.phase, task.epoch, task.batch, direction, layer)
    written = task.step + 1
    prunable = in_s3(plan, layer, written) and not kept(plan, layer, written)
    if direction == "bwd" and prunable and kept(plan, layer, task.step):
        arrival = svc.barriers.read(key, len(plan.ranges(layer)))
        if shard in arrival.arrived and arrival.message_ids.get(shard) != current().message_id:
            note(svc.barriers, task, "duplicate", "its step passed: the shard has arrived")
            return None
    try:
        return read_params(svc.store, svc.barriers, plan, layer, shard, task.step)
    except ObjectNotFoundError:
        if shard in svc.barriers.read(key, len(plan.ranges(layer))).arrived:
            note(svc.barriers, task, "duplicate", "its parameters were pruned: step passed")
            return None
        raise


def claim_arrival(
    plan: RunPlan,
    svc: Services,
    task: ShardTask,
    direction: str,
    output: np.ndarray | None,
    value: float | None = None,
    telemetry: str | None = None,
    params: bytes | None = None,
) -> tuple[int, Arrival]:
    """Claim this shard's arrival at its layer's barrier: (shards, arrival)."""
    stage = (task.run_id, task.phase, task.epoch, task.batch, direction, task.layer)
    expected = len(plan.ranges(task.layer))
    arrival = arrive(
        svc.barriers,
        svc.store,
        barrier_key(*stage),
        task.shard,
        expected,
        output,
        spill_key=output_key(*stage, task.shard),
        value=value,
        telemetry=telemetry,
        span=arrival_span(),
        message_id=current().message_id,
        params=params,
    )
    if not arrival.claimed:
        if publishes(task, arrival):
            note(svc.barriers, task, "healed", "a redelivery of the claiming message: published")
        else:
            note(svc.barriers, task, "duplicate")
    return expected, arrival


def publishes(task: ShardTask, arrival: Arrival) -> bool:
    return arrival.publishes(task.shard, current().message_id)


def remember_forward(svc: Services, key: tuple, forward: DenseForward) -> None:
    """Keep a hidden shard's forward pass (its Z, and batch norm's Z_tilde and statistics)
    for the shard's backward task, if it lands in this process."""
    svc.memory.z.put((svc.blobs.bucket, *key), forward)


def recall_forward(svc: Services, key: tuple) -> DenseForward | None:
    return svc.memory.z.pop((svc.blobs.bucket, *key))
