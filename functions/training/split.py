"""A run's data split: the seeded, stratified hold-out.

A pure function of the request and its seed, so the client that uploads, the trainer Lambda
and the reference engine carve the same dev set independently: as copies of the columns
(DataSplit, the reference engine's), or as the columns to take (SplitSource, what the
uploads cut their batches from without copying the dataset).
"""

from dataclasses import dataclass

import numpy as np

from functions.nn.data import stratified_split
from functions.nn.types import Array


@dataclass(frozen=True)
class DataSplit:
    """Column-major arrays of one run: x is (n_features, m), y is (n_outputs, m)."""

    x_train: Array
    y_train: Array
    x_dev: Array | None = None
    y_dev: Array | None = None
    x_test: Array | None = None
    y_test: Array | None = None

    @property
    def eval_sizes(self) -> tuple[int, int, int]:
        """Samples of train, dev and test."""
        return (
            self.x_train.shape[1],
            0 if self.x_dev is None else self.x_dev.shape[1],
            0 if self.x_test is None else self.x_test.shape[1],
        )


def stratify_labels(y: Array) -> Array:
    """Labels to stratify on: class index for one-hot, 0/1 for a single unit, values otherwise."""
    if y.shape[0] > 1:
        return np.argmax(y, axis=0)
    return y[0]


@dataclass(frozen=True)
class SplitSource:
    """One split's samples as columns of the caller's arrays, not copied out of them:
    ``columns`` picks them (None: every column, in order)."""

    x: Array
    y: Array
    columns: np.ndarray | None = None

    @property
    def samples(self) -> int:
        return int(self.x.shape[1] if self.columns is None else self.columns.size)

    def take(self, samples: np.ndarray) -> tuple[Array, Array]:
        """x and y of some of the split's samples (indices into the split): one copy of
        just those columns."""
        cols = samples if self.columns is None else self.columns[samples]
        return self.x[:, cols], self.y[:, cols]

    def arrays(self) -> tuple[Array, Array]:
        """x and y of the whole split: the caller's arrays themselves when it takes them all."""
        if self.columns is None:
            return self.x, self.y
        return self.x[:, self.columns], self.y[:, self.columns]


def split_sources(
    x: Array,
    y: Array,
    *,
    holdout: float,
    seed: int,
    x_test: Array | None = None,
    y_test: Array | None = None,
) -> dict[str, SplitSource]:
    """The splits split_training_data makes, as columns of ``x`` and ``y`` (present splits
    only, by name: train, dev, test)."""
    sources = {"train": SplitSource(x, y)}
    if holdout > 0:
        train_idx, dev_idx = stratified_split(stratify_labels(y), holdout, seed)
        sources = {"train": SplitSource(x, y, train_idx), "dev": SplitSource(x, y, dev_idx)}
    if x_test is not None and y_test is not None:
        sources["test"] = SplitSource(x_test, y_test)
    return sources


def split_training_data(
    x: Array,
    y: Array,
    *,
    holdout: float,
    seed: int,
    x_test: Array | None = None,
    y_test: Array | None = None,
) -> DataSplit:
    """Carve a seeded, stratified dev set out of the training columns (split_sources'
    splits, copied out)."""
    sources = split_sources(x, y, holdout=holdout, seed=seed, x_test=x_test, y_test=y_test)
    x_train, y_train = sources["train"].arrays()
    x_dev, y_dev = sources["dev"].arrays() if "dev" in sources else (None, None)
    return DataSplit(x_train, y_train, x_dev, y_dev, x_test, y_test)
