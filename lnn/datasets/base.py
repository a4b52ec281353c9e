"""The Dataset value every loader returns: samples in rows, labels as a 1-D vector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from functions.nn.data import feature_dtype
from lnn.datasets.exceptions import DatasetError
from lnn.datasets.images import image_shape

__all__ = ["Dataset"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train (and optional test) set; `classes` is empty for regression.

    x_* are (m, n) float64 with samples in rows; y_* are (m,) int64 class indices
    0..K-1 for classification, float64 for regression. Construction coerces the dtypes
    and rejects inconsistent shapes or non-finite values with a DatasetError.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    classes: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if (self.x_test is None) != (self.y_test is None):
            raise DatasetError(f"{self.name}: x_test and y_test must be given together")
        for part in ("train", "test"):
            x, y = getattr(self, f"x_{part}"), getattr(self, f"y_{part}")
            if x is None:
                continue
            x, y = self._checked(part, x, y)
            object.__setattr__(self, f"x_{part}", x)
            object.__setattr__(self, f"y_{part}", y)
        if self.x_test is not None and self.x_test.shape[1] != self.x_train.shape[1]:
            raise DatasetError(
                f"{self.name}: test set has {self.x_test.shape[1]} features, "
                f"train set has {self.x_train.shape[1]}"
            )

    def _checked(self, part: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = np.asarray(x), np.asarray(y)
        x = x.astype(feature_dtype(x), copy=False)
        if x.ndim != 2:
            raise DatasetError(
                f"{self.name}: x_{part} must be 2-D (samples, features), not {x.shape}"
            )
        if y.ndim != 1 or y.shape[0] != x.shape[0]:
            raise DatasetError(
                f"{self.name}: y_{part} shape {y.shape} does not match {x.shape[0]} samples"
            )
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise DatasetError(f"{self.name}: x_{part} is empty {x.shape}")
        y = y.astype(np.float64)
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise DatasetError(f"{self.name}: {part} set contains NaN or infinite values")
        if not self.classes:
            return x, y
        if np.any(y != np.round(y)) or y.min() < 0 or y.max() >= len(self.classes):
            raise DatasetError(
                f"{self.name}: y_{part} must hold class indices 0..{len(self.classes) - 1}"
            )
        return x, y.astype(np.int64)

    @property
    def n_classes(self) -> int:
        """Number of classes; 0 for a regression target."""
        return len(self.classes)

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def is_classification(self) -> bool:
        return bool(self.classes)

    @property
    def image_shape(self) -> tuple[int, ...] | None:
        """The shape of the picture each sample's features flatten (lnn.datasets.images), or
        None when they are not pixels."""
        return image_shape(self.name, self.n_features)
