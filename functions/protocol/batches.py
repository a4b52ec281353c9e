"""Reading a run's stored batches (written once: functions/protocol/uploads.py).

A shard computes in float64 whatever the stored dtype, so the engines agree. An array is
checked against the plan (its .npy header) and as training data each time it is read; a
batch that fails fails the run, naming the batch (BatchDataError).

A process keeps the batches its last tasks read (ProcessMemory.batches, in float64: layer
1's forward and backward passes and the loss stage of one step read the same), never the
dataset: what a function holds grows with the batch, and each step reads its batch again.
"""

import numpy as np

from functions.nn.types import Array
from functions.ports import ObjectNotFoundError
from functions.protocol.arrays import ArrayReferenceError, ArrayStore, data_scope
from functions.protocol.delivery import Services
from functions.protocol.exceptions import BatchDataError
from functions.protocol.keys import batch_key
from functions.protocol.plan import RunPlan, StoredData
from functions.training.checks import TrainingDataError, check_training_data
from messages.arrays import S3Array


def batch_data(
    svc: Services, plan: RunPlan, phase: str, epoch: int, batch: int, name: str
) -> Array:
    """x or y, in float64, of step ``batch`` of ``epoch``, or of evaluation pass ``batch``.
    The forward and backward shards of layer 1 and the loss stage read the same batch: it
    is converted once per process, not once per task."""
    key = (svc.blobs.bucket, plan.run_id, phase, epoch if phase == "train" else 0, batch, name)
    found = svc.memory.batches.get(key)
    if found is not None:
        return found
    layout = plan.layout
    if phase == "train":
        stored = [("train", layout.stored_batch(epoch, batch))]
    else:
        stored = [
            (segment.split, index)
            for segment in layout.eval_passes[batch].segments
            for index in range(segment.first, segment.first + segment.count)
        ]
    parts = [stored_array(svc, plan, split, index, name) for split, index in stored]
    found = np.concatenate(parts, axis=1, dtype=np.float64) if len(parts) > 1 else parts[0]
    found = np.asarray(found, dtype=np.float64)
    found.flags.writeable = False  # shared by every task of the batch
    return svc.memory.batches.put(key, found)


def _stored(plan: RunPlan) -> StoredData:
    if plan.data is None:
        raise BatchDataError(f"run {plan.run_id}'s plan says nothing of where its data is")
    return plan.data


def stored_array(svc: Services, plan: RunPlan, split: str, index: int, name: str) -> Array:
    """Array ``name`` of stored batch ``index`` of ``split``, as stored (its header checked
    against the plan) and checked as training data. BatchDataError when it is missing or
    not what the plan says: the run cannot go on."""
    data = _stored(plan)
    key = batch_key(data.prefix, split, index, name)
    rows = plan.n_features if name == "x" else data.n_outputs
    dtype = data.x_dtype if name == "x" else data.y_dtype
    shape = (rows, plan.layout.size_of(split, index))
    ref = S3Array(storage="s3", bucket=svc.store.bucket, key=key, dtype=dtype, shape=shape)
    where = f"{name}_{split} batch {index}"
    scope = data_scope(plan.run_id)  # not cached: a process keeps batches, not the dataset
    x, y = (ref, None) if name == "x" else (None, ref)
    try:
        array = svc.store.resolve(ref, scope)
        check_training_data(
            array if x else None,
            array if y else None,
            activation=plan.specs[-1].activation,
            suffix=f"_{split}",
        )
    except (ArrayReferenceError, ObjectNotFoundError, TrainingDataError) as exc:
        raise BatchDataError(f"{where}: {exc}") from exc
    return array


def read_split(store: ArrayStore, plan: RunPlan, split: str) -> tuple[Array, Array] | None:
    """Every sample of ``split`` in its original order, as stored (a client's view of a run's
    data: one GetObject per array of each stored batch); None when the split is empty."""
    layout = plan.layout
    count = layout.count(split)
    if count == 0 or plan.data is None:  # none, or a run planned before stored batches
        return None
    order = np.concatenate([layout.columns(split, i) for i in range(count)])
    found = []
    for name in ("x", "y"):
        keys = [batch_key(_stored(plan).prefix, split, i, name) for i in range(count)]
        parts = [store.get_array(key) for key in keys]
        stored = np.concatenate(parts, axis=1)
        original = np.empty_like(stored)
        original[:, order] = stored
        found.append(original)
    return found[0], found[1]
