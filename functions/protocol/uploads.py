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


def stored_dtype(array: np.ndarray) -> np.ndarray:
    """``array`` as it is stored (functions/nn/data.py feature_dtype)."""
    return array.astype(feature_dtype(array), copy=False)


def sizes_of(sources: dict[str, SplitSource]) -> tuple[int, int, int]:
    """Samples of train, dev and test (0 for a split the run does not have)."""
    train, dev, test = (sources[n].samples if n in sources else 0 for n in SPLIT_NAMES)
    return train, dev, test


def _stored_batches(
    prefix: str, sources: dict[str, SplitSource], layout: DataLayout
) -> Iterator[tuple[str, Array]]:
    for split in SPLIT_NAMES:
        for index in range(layout.count(split)):
            x, y = sources[split].take(layout.columns(split, index))
            yield batch_key(prefix, split, index, "x"), stored_dtype(x)
            yield batch_key(prefix, split, index, "y"), stored_dtype(y)


def write_batches(
    blobs: BlobStore, prefix: str, sources: dict[str, SplitSource], layout: DataLayout
) -> None:
    """Write every stored batch of ``sources`` under ``prefix``."""
    with ThreadPoolExecutor(PUT_CONCURRENCY) as pool:
        # A bounded window of PUTs: submitting every batch at once would hold all their
        # bytes, the whole dataset again.
        pending: list[Future[None]] = []
        for key, array in _stored_batches(prefix, sources, layout):
            pending.append(pool.submit(blobs.put_bytes, key, encode_npy(array)))
            if len(pending) >= 2 * PUT_CONCURRENCY:
                pending.pop(0).result()
        for future in pending:
            future.result()


def stored_data(prefix: str, sources: dict[str, SplitSource]) -> StoredData:
    train = sources["train"]
    return StoredData(
        prefix=prefix,
        n_outputs=int(train.y.shape[0]),
        x_dtype=feature_dtype(train.x).name,
        y_dtype=feature_dtype(train.y).name,
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
    write_batches(blobs, stored.prefix, sources, data_layout(config, sizes, n_features))
    return data
