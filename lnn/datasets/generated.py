"""Seeded 2-D toy problems; every generator is a pure function of (seed, samples, noise)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lnn.datasets.base import Dataset
from lnn.datasets.exceptions import DatasetError

__all__ = ["CLASSES", "GENERATORS", "circles", "flower", "moons", "spirals", "xor"]

_UNSCALED = "2-D points roughly within [-4.5, 4.5], not rescaled"


# The class names of each generated dataset, by dataset: what a reader of a run that has only
# the dataset's name (a run on a stack) calls its classes, without generating it.
CLASSES: dict[str, tuple[str, ...]] = {
    "flower": ("red", "blue"),
    "moons": ("upper", "lower"),
    "circles": ("outer", "inner"),
    "xor": ("same sign", "opposite sign"),
    "spirals": ("arm 0", "arm 1", "arm 2"),
}


def _check(name: str, seed: int, samples: int, noise: float, n_classes: int) -> None:
    if seed < 0:
        raise DatasetError(f"{name}: seed must be >= 0, got {seed}")
    if samples < n_classes:
        raise DatasetError(f"{name}: samples must be at least {n_classes}, got {samples}")
    if not 0 <= noise < np.inf:  # also NaN, which compares False with everything
        raise DatasetError(f"{name}: noise must be a finite number >= 0, got {noise}")


def _class_sizes(samples: int, n_classes: int) -> list[int]:
    # Spread the remainder over the first classes so the total is exactly `samples`.
    return [samples // n_classes + (k < samples % n_classes) for k in range(n_classes)]


def flower(*, seed: int = 0, samples: int = 400, noise: float = 0.2) -> Dataset:
    """The deeplearning.ai planar flower: two interleaved classes on r = 4 sin(4t) petals."""
    _check("flower", seed, samples, noise, 2)
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for label, size in enumerate(_class_sizes(samples, 2)):
        theta = np.linspace(label * 3.12, (label + 1) * 3.12, size) + rng.normal(0, noise, size)
        radius = 4 * np.sin(4 * theta) + rng.normal(0, noise, size)
        xs.append(np.column_stack([radius * np.sin(theta), radius * np.cos(theta)]))
        ys.append(np.full(size, label))
    return Dataset(
        "flower",
        np.vstack(xs),
        np.concatenate(ys),
        classes=CLASSES["flower"],
        description=f"planar flower, 2 classes, {samples} samples, noise {noise}; {_UNSCALED}",
    )


def moons(*, seed: int = 0, samples: int = 300, noise: float = 0.2) -> Dataset:
    """scikit-learn's two interleaving half circles."""
    _check("moons", seed, samples, noise, 2)
    from sklearn.datasets import make_moons  # scikit-learn loads in ~1 s: only when used

    x, y = make_moons(n_samples=samples, noise=noise, random_state=seed)
    return Dataset(
        "moons",
        x,
        y,
        classes=CLASSES["moons"],
        description=f"two moons, {samples} samples, noise {noise}; {_UNSCALED}",
    )


def circles(*, seed: int = 0, samples: int = 300, noise: float = 0.1) -> Dataset:
    """scikit-learn's concentric circles (inner radius 0.5 of the outer)."""
    _check("circles", seed, samples, noise, 2)
    from sklearn.datasets import make_circles

    x, y = make_circles(n_samples=samples, noise=noise, factor=0.5, random_state=seed)
    return Dataset(
        "circles",
        x,
        y,
        classes=CLASSES["circles"],
        description=f"concentric circles, {samples} samples, noise {noise}; {_UNSCALED}",
    )


def xor(*, seed: int = 0, samples: int = 400, noise: float = 0.3) -> Dataset:
    """Four Gaussian blobs at (+-1, +-1); class 1 where the centre's signs differ."""
    _check("xor", seed, samples, noise, 4)
    rng = np.random.default_rng(seed)
    centres = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    blob = np.arange(samples) % 4
    x = centres[blob] + rng.normal(0, noise, (samples, 2))
    y = (blob >= 2).astype(np.int64)
    return Dataset(
        "xor",
        x,
        y,
        classes=CLASSES["xor"],
        description=f"xor of four blobs, {samples} samples, noise std {noise}; {_UNSCALED}",
    )


def spirals(*, seed: int = 0, samples: int = 300, noise: float = 0.2) -> Dataset:
    """The cs231n three-arm spiral; `samples` is the total (100 per arm by default)."""
    _check("spirals", seed, samples, noise, 3)
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for arm, size in enumerate(_class_sizes(samples, 3)):
        radius = np.linspace(0.0, 1.0, size)
        theta = np.linspace(arm * 4, (arm + 1) * 4, size) + rng.normal(0, noise, size)
        xs.append(np.column_stack([radius * np.sin(theta), radius * np.cos(theta)]))
        ys.append(np.full(size, arm))
    return Dataset(
        "spirals",
        np.vstack(xs),
        np.concatenate(ys),
        classes=CLASSES["spirals"],
        description=f"three-arm spiral, {samples} samples, noise {noise}; {_UNSCALED}",
    )


GENERATORS: dict[str, Callable[..., Dataset]] = {
    "flower": flower,
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "spirals": spirals,
}
