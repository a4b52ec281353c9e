"""Fan-in and shard state: what a shard reads, claims and keeps in either direction.

- Outputs through the barrier: a shard's output rides in its arrival's item when small and
  goes to S3 when not; the completing arrival reads them all back in shard order.
- Parameter versions: version v of a shard (v = the updates it has had) is written by that
  shard's backward pass of step v. When it is small (``inline``: within its share of
  PARAMS_ITEM_BUDGET) it rides in that pass's barrier arrival, in the very UpdateItem that
  claims it, so a step makes no PutObject for it; otherwise, and for version 0 (written by
  the trainer) and layer 1's picture steps (kept past the barrier items' expiry for the
  first layer's pictures), it is the object at ``params_key``. Where a version lives is a
  pure function of the plan, so readers need no lookup, and this process keeps a copy that
  the shard's next task usually finds.
- The claim: a shard's arrival at its layer's barrier carries its output, its span and the
  message id of its delivery (docs/design.md, rules 4 and 5).
- The Z cache: Z of recent forward shards stays in this process so the backward pass can
  skip a matmul; a container that did not run the forward recomputes the same bits.
"""

import io

import numpy as np

from functions.ports import (
    Arrival,
    Barriers,
    IncompleteBarrierError,
    ObjectNotFoundError,
    ShardOutput,
)
from functions.protocol.arrays import ArrayStore
from functions.protocol.delivery import Services, current
from functions.protocol.keys import barrier_key, output_key, params_key
from functions.protocol.plan import RunPlan
from functions.protocol.telemetry import arrival_span, note
from functions.training.step import shard_mask
from messages.arrays import decode_npy, encode_npy
from messages.limits import BARRIER_ITEM_BUDGET, PARAMS_ITEM_BUDGET
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


Params = dict[str, np.ndarray]
_NPZ_OVERHEAD = 256  # zip and .npy headers per array, generously


def inline(plan: RunPlan, layer: int) -> bool:
    """Whether this layer's versions after 0 ride in its backward arrivals."""
    ranges = plan.ranges(layer)
    rows = max(hi - lo for lo, hi in ranges)
    fan_in = plan.n_features if layer == 1 else plan.specs[layer - 2].units
    arrays = 2 * (1 + len(plan.optimizer.moments))  # W, b and each of their moments
    size = arrays * _NPZ_OVERHEAD + 8 * rows * (fan_in + 1) * (1 + len(plan.optimizer.moments))
    return size <= PARAMS_ITEM_BUDGET // len(ranges)


def stored(plan: RunPlan, layer: int, version: int) -> bool:
    """Whether the version is an S3 object (rather than bytes in its backward arrival)."""
    kept = layer == 1 and version in plan.picture_steps
    return version == 0 or kept or not inline(plan, layer)


def _written_by(plan: RunPlan, layer: int, version: int) -> str:
    """The backward barrier of step ``version``, whose arrivals carry that version."""
    epoch, batch = divmod(version - 1, plan.batches_per_epoch)
    return barrier_key(plan.run_id, "train", epoch, batch, "bwd", layer)


def _encode_params(params: Params) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **params)
    return buffer.getvalue()


def _decode(body: bytes) -> Params:
    with np.load(io.BytesIO(body), allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def write_params(
    store: ArrayStore, plan: RunPlan, layer: int, shard: int, version: int, params: Params
) -> bytes | None:
    """Store version ``version``: the bytes its backward arrival must carry, or None when
    it went to S3 (the arrival then carries nothing more)."""
    key = params_key(plan.run_id, layer, shard, version)
    if stored(plan, layer, version):
        store.put_npz(key, params)
        return None
    store.remember_npz(key, params)
    return _encode_params(params)


def read_params(
    store: ArrayStore, barriers: Barriers, plan: RunPlan, layer: int, shard: int, version: int
) -> Params:
    """Version ``version`` of the shard; ObjectNotFoundError when it is not there (pruned
    from S3, or its backward arrival has not happened). Clients read with it too."""
    key = params_key(plan.run_id, layer, shard, version)
    if stored(plan, layer, version):
        return store.get_npz(key)
    found = store.cached_npz(key)
    if found is None:
        body = barriers.shard_params(_written_by(plan, layer, version), shard)
        if body is None:
            raise ObjectNotFoundError(
                f"version {version} of layer {layer} shard {shard} is not in its barrier"
            )
        found = store.remember_npz(key, _decode(body))
    return found


def read_layer(
    store: ArrayStore, barriers: Barriers, plan: RunPlan, layer: int, version: int
) -> tuple[np.ndarray, np.ndarray]:
    """W and b of the whole layer at ``version``, every shard's rows joined in order (one
    read per shard); ObjectNotFoundError as read_params."""
    count = len(plan.ranges(layer))
    shards = [read_params(store, barriers, plan, layer, k, version) for k in range(count)]
    w = np.concatenate([p["W"] for p in shards], axis=0)
    return w, np.concatenate([p["b"] for p in shards], axis=0)


def read_layers(
    store: ArrayStore, barriers: Barriers, plan: RunPlan, version: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every layer's (W, b) at ``version``: the whole network after that many steps
    (ObjectNotFoundError as read_params)."""
    return [read_layer(store, barriers, plan, layer, version) for layer in range(1, plan.depth + 1)]


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
    """The shard's parameters at the task's step; None for a late duplicate whose version
    has been pruned (its shard already arrived at the barrier: nothing is left to do)."""
    layer, shard, run = task.layer, task.shard, task.run_id
    try:
        return read_params(svc.store, svc.barriers, plan, layer, shard, task.step)
    except ObjectNotFoundError:
        key = barrier_key(run, task.phase, task.epoch, task.batch, direction, layer)
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


def remember_z(svc: Services, key: tuple, z: np.ndarray) -> None:
    svc.memory.z.put((svc.blobs.bucket, *key), z)


def recall_z(svc: Services, key: tuple) -> np.ndarray | None:
    return svc.memory.z.pop((svc.blobs.bucket, *key))
