"""Where a parameter version lives, and how it is written and read back.

Version v of a shard (v = the updates it has had) is written by that shard's backward pass
of step v. When it is small (``inline``: within its share of PARAMS_ITEM_BUDGET) it rides
in that pass's barrier arrival, in the very UpdateItem that claims it, so a step makes no
PutObject for it; otherwise, and for version 0 (written by the trainer) and layer 1's
picture steps (kept past the barrier items' expiry for the first layer's pictures), it is
the object at ``params_key`` (``in_s3``). Where a version lives is a pure function of the
plan, so readers need no lookup, and this process keeps a copy that the shard's next task
usually finds.
"""

import io

import numpy as np

from functions.ports import Barriers, ObjectNotFoundError
from functions.protocol.arrays import ArrayStore
from functions.protocol.keys import barrier_key, params_key
from functions.protocol.plan import RunPlan
from messages.limits import PARAMS_ITEM_BUDGET

Params = dict[str, np.ndarray]
_NPZ_OVERHEAD = 256  # zip and .npy headers per array, generously


def inline(plan: RunPlan, layer: int) -> bool:
    """Whether this layer's versions after 0 ride in its backward arrivals."""
    ranges, spec = plan.ranges(layer), plan.specs[layer - 1]
    rows = max(hi - lo for lo, hi in ranges)
    fan_in = plan.n_features if layer == 1 else plan.specs[layer - 2].units
    copies = 1 + len(plan.optimizer.moments)  # each trained array and its moments
    columns = (
        fan_in * copies + (len(spec.trained) - 1) * copies + len(spec.names) - len(spec.trained)
    )
    arrays = len(spec.trained) * copies + len(spec.names) - len(spec.trained)
    size = arrays * _NPZ_OVERHEAD + 8 * rows * columns
    return size <= PARAMS_ITEM_BUDGET // len(ranges)


def kept(plan: RunPlan, layer: int, version: int) -> bool:
    """Whether pruning leaves the version for good: layer 1's at the run's picture steps."""
    return layer == 1 and version in plan.picture_steps


def in_s3(plan: RunPlan, layer: int, version: int) -> bool:
    """Whether the version is an S3 object (rather than bytes in its backward arrival)."""
    return version == 0 or kept(plan, layer, version) or not inline(plan, layer)


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
    if in_s3(plan, layer, version):
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
    if in_s3(plan, layer, version):
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
) -> dict[str, np.ndarray]:
    """The whole layer's parameters at ``version`` (LayerSpec.names, without the optimizer's
    state), every shard's rows joined in order (one read per shard); ObjectNotFoundError as
    read_params."""
    count = len(plan.ranges(layer))
    shards = [read_params(store, barriers, plan, layer, k, version) for k in range(count)]
    names = plan.specs[layer - 1].names
    return {name: np.concatenate([p[name] for p in shards], axis=0) for name in names}


def read_layers(
    store: ArrayStore, barriers: Barriers, plan: RunPlan, version: int
) -> list[dict[str, np.ndarray]]:
    """Every layer's parameters at ``version``: the whole network after that many steps
    (ObjectNotFoundError as read_params)."""
    return [read_layer(store, barriers, plan, layer, version) for layer in range(1, plan.depth + 1)]
