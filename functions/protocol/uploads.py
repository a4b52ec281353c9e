"""Writing a run's stored batches (functions/training/layout.py), once: by the client that
uploads the data (`lnn submit`, `lnn train`), or by the trainer from a request's whole arrays.

One .npy object per array of each batch, cut from the caller's arrays one batch at a time
(a batch's columns are the one copy made: no copy of the whole dataset, the dev set
included), in the arrays' own dtype (float32 stays float32: half the bytes), several PUTs
in flight.
"""

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from functions.nn.data import feature_dtype
from functions.nn.types import Array
from functions.ports import BlobStore
from functions.protocol.keys import batch_key, upload_prefix
from functions.protocol.plan import StoredData
from functions.training.layout import SPLIT_NAMES, DataLayout, data_layout
from functions.training.split import SplitSource
from messages.arrays import encode_npy
from messages.train_request import BatchedData, TrainConfig

PUT_CONCURRENCY = 8  # PUTs in flight while writing batches: S3 serves them in parallel


def sizes_of(sources: dict[str, SplitSource]) -> tuple[int, int, int]:
    """Samples of train, dev and test (0 for a split the run does not have)."""
    train, dev, test = (sources[n].samples if n in sources else 0 for n in SPLIT_NAMES)
    return train, dev, test


def _stored_batches(
    stored: StoredData, sources: dict[str, SplitSource], layout: DataLayout
) -> Iterator[tuple[str, Array]]:
    for split in SPLIT_NAMES:
        for index in range(layout.count(split)):
            x, y = sources[split].take(layout.columns(split, index))
            # Every split in the dtypes the plan declares (stored_data).
            yield batch_key(stored.prefix, split, index, "x"), x.astype(stored.x_dtype, copy=False)
            yield batch_key(stored.prefix, split, index, "y"), y.astype(stored.y_dtype, copy=False)


def write_batches(
    blobs: BlobStore, stored: StoredData, sources: dict[str, SplitSource], layout: DataLayout
) -> None:
    """Write every stored batch of ``sources`` where, and as, ``stored`` says."""
    with ThreadPoolExecutor(PUT_CONCURRENCY) as pool:
        # A bounded window of PUTs: submitting every batch at once would hold all their
        # bytes, the whole dataset again.
        pending: list[Future[None]] = []
        for key, array in _stored_batches(stored, sources, layout):
            pending.append(pool.submit(blobs.put_bytes, key, encode_npy(array)))
            if len(pending) >= 2 * PUT_CONCURRENCY:
                pending.pop(0).result()
        for future in pending:
            future.result()


def stored_data(prefix: str, sources: dict[str, SplitSource]) -> StoredData:
    """Where and how the batches of ``sources`` are stored: in one dtype per array for
    every split, float32 only when every split's is (a float64 test set keeps its digits,
    as the reference engine evaluates it)."""
    xs = [feature_dtype(source.x) for source in sources.values()]
    ys = [feature_dtype(source.y) for source in sources.values()]
    return StoredData(
        prefix=prefix,
        n_outputs=int(sources["train"].y.shape[0]),
        x_dtype=np.result_type(*xs).name,
        y_dtype=np.result_type(*ys).name,
    )


def upload_batches(
    blobs: BlobStore, run_id: str, sources: dict[str, SplitSource], config: TrainConfig
) -> BatchedData:
    """A client's side of a request: ``sources`` (split with the request's holdout and
    seed: functions/training/split.py split_sources) written as the run's stored batches
    under its upload prefix, and the request's data describing them."""
    n_features, sizes = int(sources["train"].x.shape[0]), sizes_of(sources)
    stored = stored_data(upload_prefix(run_id), sources)
    data = BatchedData(  # checked before anything is written
        prefix=stored.prefix,
        n_features=n_features,
        n_outputs=stored.n_outputs,
        x_dtype=stored.x_dtype,
        y_dtype=stored.y_dtype,
        train_samples=sizes[0],
        dev_samples=sizes[1],
        test_samples=sizes[2],
    )
    write_batches(blobs, stored, sources, data_layout(config, sizes, n_features))
    return data
