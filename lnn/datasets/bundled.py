"""scikit-learn's bundled tabular datasets (shipped with the library, no downloads)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from lnn.datasets.base import Dataset

__all__ = ["BUNDLED", "breast_cancer", "digits", "iris", "wine"]

_ZSCORE = "each feature standardized to zero mean, unit variance over the whole dataset"


def _standardized(x: np.ndarray) -> np.ndarray:
    std = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)


def _bunch(loader: str) -> Any:
    """scikit-learn's ``sklearn.datasets.<loader>()``; imported here because it takes ~1 s."""
    return getattr(importlib.import_module("sklearn.datasets"), loader)()


# The class names of each bundled dataset (scikit-learn's target_names), by dataset: what a
# reader of a run that has only the dataset's name calls its classes, without loading it.
CLASSES: dict[str, tuple[str, ...]] = {
    "breast_cancer": ("malignant", "benign"),
    "digits": tuple(str(d) for d in range(10)),
    "iris": ("setosa", "versicolor", "virginica"),
    "wine": ("class_0", "class_1", "class_2"),
}


def _load(name: str, loader: str, summary: str) -> Dataset:
    bunch = _bunch(loader)
    return Dataset(
        name,
        _standardized(bunch.data),
        bunch.target,
        classes=CLASSES[name],
        description=f"{summary}; {_ZSCORE}",
    )


def breast_cancer() -> Dataset:
    """Wisconsin diagnostic breast cancer: 569 samples, 30 features, 2 classes."""
    return _load("breast_cancer", "load_breast_cancer", "Wisconsin breast cancer, 569 x 30")


def iris() -> Dataset:
    """Fisher's iris: 150 samples, 4 features, 3 classes."""
    return _load("iris", "load_iris", "Fisher's iris, 150 x 4")


def wine() -> Dataset:
    """UCI wine recognition: 178 samples, 13 features, 3 classes."""
    return _load("wine", "load_wine", "UCI wine recognition, 178 x 13")


def digits() -> Dataset:
    """8x8 handwritten digits: 1797 samples, 64 pixels, 10 classes."""
    bunch = _bunch("load_digits")
    return Dataset(
        "digits",
        bunch.data / 16.0,
        bunch.target,
        classes=CLASSES["digits"],
        description="8x8 handwritten digits, 1797 x 64; pixels divided by 16 into [0, 1]",
    )


BUNDLED: dict[str, Callable[[], Dataset]] = {
    "breast_cancer": breast_cancer,
    "digits": digits,
    "iris": iris,
    "wine": wine,
}
