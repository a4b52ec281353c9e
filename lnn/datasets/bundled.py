"""scikit-learn's bundled tabular datasets (shipped with the library, no downloads)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn import datasets as sk
from sklearn.utils import Bunch

from lnn.datasets.base import Dataset

__all__ = ["BUNDLED", "breast_cancer", "digits", "iris", "wine"]

_ZSCORE = "each feature standardized to zero mean, unit variance over the whole dataset"


def _standardized(x: np.ndarray) -> np.ndarray:
    std = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)


def _load(name: str, loader: Callable[[], Bunch], summary: str) -> Dataset:
    bunch = loader()
    return Dataset(
        name,
        _standardized(bunch.data),
        bunch.target,
        classes=tuple(str(c) for c in bunch.target_names),
        description=f"{summary}; {_ZSCORE}",
    )


def breast_cancer() -> Dataset:
    """Wisconsin diagnostic breast cancer: 569 samples, 30 features, 2 classes."""
    return _load("breast_cancer", sk.load_breast_cancer, "Wisconsin breast cancer, 569 x 30")


def iris() -> Dataset:
    """Fisher's iris: 150 samples, 4 features, 3 classes."""
    return _load("iris", sk.load_iris, "Fisher's iris, 150 x 4")


def wine() -> Dataset:
    """UCI wine recognition: 178 samples, 13 features, 3 classes."""
    return _load("wine", sk.load_wine, "UCI wine recognition, 178 x 13")


def digits() -> Dataset:
    """8x8 handwritten digits: 1797 samples, 64 pixels, 10 classes."""
    bunch = sk.load_digits()
    return Dataset(
        "digits",
        bunch.data / 16.0,
        bunch.target,
        classes=tuple(str(c) for c in bunch.target_names),
        description="8x8 handwritten digits, 1797 x 64; pixels divided by 16 into [0, 1]",
    )


BUNDLED: dict[str, Callable[[], Dataset]] = {
    "breast_cancer": breast_cancer,
    "digits": digits,
    "iris": iris,
    "wine": wine,
}
