"""A run's stored batches (functions/training/layout.py): written once, by the client that
uploads the data or by the trainer from a request's whole arrays, and read by the tasks.

- Writing: one .npy object per array of each batch, cut from the caller's arrays one batch
  at a time (no copy of the whole dataset) in the arrays' own dtype (float32 stays float32:
  half the bytes), several PUTs at a time.
- Reading: a shard computes in float64 whatever the stored dtype, so the engines agree. An
  array is checked against the plan (its .npy header) and as training data the first time a
  process reads it; a batch that fails fails the run, naming the batch (BatchDataError).
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from functions.nn.data import feature_dtype
from functions.nn.types import Array
from functions.ports import BlobStore, ObjectNotFoundError
from functions.protocol.arrays import ArrayReferenceError, ArrayStore, Scope, task_scope
from functions.protocol.delivery import Services
from functions.protocol.exceptions import BatchDataError
from functions.protocol.keys import batch_key, upload_prefix
from functions.protocol.plan import RunPlan, StoredData
from functions.training.checks import TrainingDataError, check_training_data
from functions.training.layout import SPLIT_NAMES, DataLayout
from functions.training.split import DataSplit
from messages.arrays import S3Array, encode_npy
from messages.train_request import BatchedData, TrainConfig

PUT_CONCURRENCY = 8  # PUTs in flight while writing batches: S3 serves them in parallel


def stored_dtype(array: np.ndarray) -> np.ndarray:
    """``array`` as it is stored (functions/nn/data.py feature_dtype)."""
    return array.astype(feature_dtype(array), copy=False)


def _stored_batches(split: DataSplit, layout: DataLayout) -> Iterator[tuple[str, int, str, Array]]:
    arrays = {
        "train": (split.x_train, split.y_train),
        "dev": (split.x_dev, split.y_dev),
        "test": (split.x_test, split.y_test),
    }
    for name in SPLIT_NAMES:
        x, y = arrays[name]
        for index in range(layout.count(name)):
            columns = layout.columns(name, index)
            yield name, index, "x", stored_dtype(np.asarray(x)[:, columns])
            yield name, index, "y", stored_dtype(np.asarray(y)[:, columns])


def write_batches(blobs: BlobStore, prefix: str, split: DataSplit, layout: DataLayout) -> None:
    """Write every stored batch of ``split`` under ``prefix``."""

    def put(item: tuple[str, int, str, Array]) -> None:
        name, index, array_name, array = item
        blobs.put_bytes(batch_key(prefix, name, index, array_name), encode_npy(array))

    with ThreadPoolExecutor(PUT_CONCURRENCY) as pool:
        # map() would queue every batch's bytes at once; a bounded window keeps one at a time
        pending = []
        for item in _stored_batches(split, layout):
            pending.append(pool.submit(put, item))
            if len(pending) >= 2 * PUT_CONCURRENCY:
                pending.pop(0).result()
        for future in pending:
            future.result()


def upload_batches(
    blobs: BlobStore, run_id: str, split: DataSplit, config: TrainConfig
) -> BatchedData:
    """A client's side of a request: ``split`` (made with the request's holdout and seed)
    written as the run's stored batches under its upload prefix, and the request's data
    describing them."""
    n_features = int(split.x_train.shape[0])
    layout = DataLayout(split.eval_sizes, config.batch_size, config.seed, n_features)
    write_batches(blobs, upload_prefix(run_id), split, layout)
    stored = stored_data(upload_prefix(run_id), split)
    m_train, m_dev, m_test = split.eval_sizes
    return BatchedData(
        n_features=n_features,
        n_outputs=stored.n_outputs,
        x_dtype=stored.x_dtype,
        y_dtype=stored.y_dtype,
        train_samples=m_train,
        dev_samples=m_dev,
        test_samples=m_test,
    )


def stored_data(prefix: str, split: DataSplit) -> StoredData:
    return StoredData(
        prefix=prefix,
        n_outputs=int(split.y_train.shape[0]),
        x_dtype=stored_dtype(split.x_train[:, :0]).dtype.name,
        y_dtype=stored_dtype(split.y_train[:, :0]).dtype.name,
    )


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
            for segment in layout.eval_batches[batch].segments
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
    against the plan) and, on its first read in this process, checked as training data.
    BatchDataError when it is missing or not what the plan says: the run cannot go on."""
    data = _stored(plan)
    key = batch_key(data.prefix, split, index, name)
    cached = svc.store.cached(key)
    if cached is not None:
        return cached
    rows = plan.n_features if name == "x" else data.n_outputs
    dtype = data.x_dtype if name == "x" else data.y_dtype
    shape = (rows, plan.layout.size_of(split, index))
    ref = S3Array(storage="s3", bucket=svc.store.bucket, key=key, dtype=dtype, shape=shape)
    where = f"{name}_{split} batch {index}"
    # Read without caching, so that only an array that passed its checks is kept.
    scope = Scope(task_scope(plan.run_id).prefixes, immutable=False)
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
    return svc.store.remember(key, array)


def read_split(store: ArrayStore, plan: RunPlan, split: str) -> tuple[Array, Array] | None:
    """Every sample of ``split`` in its original order, as stored (a client's view of a run's
    data: one GetObject per array of each stored batch); None when the split is empty."""
    layout = plan.layout
    count = layout.count(split)
    if count == 0:
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
