"""Per-class counts at the loss stage of a classification network, as a confusion matrix.

``confusion[i, j]`` counts the samples of true class i predicted as class j, so true counts
are its row sums, predicted counts its column sums and correct counts its diagonal. It is
k x k integers: 4 for a sigmoid output, 100 for the 10 digits; beyond a few dozen classes it
outgrows a barrier item (k = 50 is 2,500 integers, about 5 KB of JSON with small counts).

Predictions follow ``functions.nn.data.accuracy``: one non-softmax unit is thresholded at 0.5
(against 0/1 targets thresholded the same way), several units take the argmax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from functions.telemetry.arrays import (
    TELEMETRY_VERSION,
    ArrayRecord,
    check_version,
    decode_ints,
    frozen,
)
from messages.limits import TELEMETRY_MAX_CLASSES


@dataclass(frozen=True, eq=False)
class ClassCounts(ArrayRecord):
    confusion: np.ndarray

    def __post_init__(self) -> None:
        matrix = np.asarray(self.confusion)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 2:
            raise ValueError(f"a confusion matrix is k x k with k >= 2, got {matrix.shape}")
        # A view of a read-only array is read-only too.
        square = frozen(matrix, np.int64).reshape(matrix.shape)
        object.__setattr__(self, "confusion", square)

    @property
    def classes(self) -> int:
        return self.confusion.shape[0]

    @property
    def true(self) -> np.ndarray:
        return self.confusion.sum(axis=1)

    @property
    def predicted(self) -> np.ndarray:
        return self.confusion.sum(axis=0)

    @property
    def correct(self) -> np.ndarray:
        return np.diagonal(self.confusion).copy()

    @property
    def accuracy(self) -> float:
        return float(self.correct.sum() / self.confusion.sum())

    def to_document(self) -> dict[str, Any]:
        return {"v": TELEMETRY_VERSION, "confusion": self.confusion.tolist()}

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> ClassCounts:
        check_version(doc, "class counts")
        rows = doc["confusion"]
        return cls(decode_ints(v for row in rows for v in row).reshape(len(rows), -1))


def counts_classes(activation: str, units: int) -> bool:
    """Whether an output layer of ``units`` units with ``activation`` has its classes
    counted: a classifier (not a linear regression) of at most TELEMETRY_MAX_CLASSES."""
    return activation != "linear" and max(units, 2) <= TELEMETRY_MAX_CLASSES


def class_counts(y: np.ndarray, a: np.ndarray, activation: str) -> ClassCounts:
    """Counts of a batch from its targets ``y`` (one-hot (k, m), or (1, m) of 0/1) and the
    output layer's activations ``a`` of the same shape."""
    if activation == "linear":
        raise ValueError("a linear output is a regression: it has no classes to count")
    if y.shape != a.shape or y.ndim != 2:
        raise ValueError(f"targets {y.shape} and outputs {a.shape} must be (units, samples)")
    if a.shape[0] == 1 and activation != "softmax":
        k, truth, guess = 2, (y[0] > 0.5).astype(np.intp), (a[0] > 0.5).astype(np.intp)
    else:
        k, truth, guess = a.shape[0], np.argmax(y, axis=0), np.argmax(a, axis=0)
    return ClassCounts(np.bincount(truth * k + guess, minlength=k * k).reshape(k, k))


def merge_class_counts(parts: Sequence[ClassCounts]) -> ClassCounts:
    """Counts of several batches (or of one batch's column shards), added."""
    if not parts or len({p.classes for p in parts}) != 1:
        raise ValueError("need counts with one number of classes to merge")
    return ClassCounts(np.sum([p.confusion for p in parts], axis=0))
