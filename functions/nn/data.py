"""Data-plan helpers: label encoding, seeded hold-out split, mini-batch plan, accuracy.

Pure numpy; every random draw is keyed so retries and sharding reproduce it exactly.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "SPLIT_KEY",
    "accuracy",
    "batch_order",
    "correct_count",
    "epoch_permutation",
    "feature_dtype",
    "fixed_batches",
    "minibatch_indices",
    "n_batches",
    "one_hot",
    "stratified_split",
]

SPLIT_KEY = 7919
"""Second rng key of the hold-out split; a prime no layer index or epoch key uses in practice."""

_MAX_FLOAT_CLASSES = 20  # float labels with more distinct values than this are a regression target


def feature_dtype(array: np.ndarray) -> np.dtype:
    """The dtype a run keeps features in: float32 stays float32 (half the bytes to upload,
    store and read; the shards compute in float64 either way), anything else is float64."""
    return np.dtype(np.float32) if array.dtype == np.float32 else np.dtype(np.float64)


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Encode integer labels 0..n_classes-1 as a (n_classes, m) float64 matrix."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {labels.shape}")
    if labels.size and (not np.all(labels == np.round(labels)) or labels.min() < 0):
        raise ValueError("labels must be non-negative integers")
    if labels.size and labels.max() >= n_classes:
        raise ValueError(f"label {int(labels.max())} out of range for {n_classes} classes")
    encoded = np.zeros((n_classes, labels.size), dtype=np.float64)
    encoded[labels.astype(np.int64), np.arange(labels.size)] = 1.0
    return encoded


def _holdout_count(fraction: float, count: int) -> int:
    # Half-up rounding (Python's round() is banker's). Never take a class's last training
    # sample, and take at least one from each class that can spare it.
    n = math.floor(fraction * count + 0.5)
    return min(max(n, 1), count - 1) if count >= 2 else 0


def _is_continuous(labels: np.ndarray) -> bool:
    if labels.dtype.kind != "f":
        return False
    integral = bool(np.all(labels == np.round(labels)))
    return not integral or np.unique(labels).size > _MAX_FLOAT_CLASSES


def stratified_split(
    labels: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split sample indices into (train, holdout), both sorted, keeping class proportions.

    Each class gives round(fraction * count) samples, at least one when it has two or more
    and never all of them; continuous float labels get a plain seeded random split.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {labels.shape}")
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"hold-out fraction must be in [0, 1), got {fraction}")
    m = labels.size
    if fraction == 0.0 or m == 0:
        return np.arange(m), np.empty(0, dtype=np.int64)
    rng = np.random.default_rng([seed, SPLIT_KEY])
    if _is_continuous(labels):
        holdout = rng.permutation(m)[: _holdout_count(fraction, m)]
    else:
        parts = []
        for cls in np.unique(labels):  # sorted, so the draw order is fixed
            members = np.flatnonzero(labels == cls)
            parts.append(rng.permutation(members)[: _holdout_count(fraction, members.size)])
        holdout = np.concatenate(parts)
    mask = np.zeros(m, dtype=bool)
    mask[holdout] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def epoch_permutation(m: int, *, seed: int, epoch: int) -> np.ndarray:
    """The sample order of one epoch, keyed by (seed, epoch)."""
    return np.random.default_rng([seed, epoch]).permutation(m)


def n_batches(m: int, batch_size: int) -> int:
    """Number of mini-batches per epoch (1 for full batch)."""
    if batch_size < 0:
        raise ValueError(f"batch size must be >= 0, got {batch_size}")
    if batch_size == 0 or batch_size >= m:
        return 1
    return math.ceil(m / batch_size)


def fixed_batches(m: int, batch_size: int, *, seed: int) -> list[np.ndarray]:
    """Sample indices of each stored mini-batch: drawn once per run, from the sample order
    keyed (seed, 0), so a batch is one object written once and read by every epoch. Full
    batch is unshuffled arange(m), so full-batch runs equal the classic course loop bit for
    bit."""
    if n_batches(m, batch_size) == 1:
        return [np.arange(m)]
    order = epoch_permutation(m, seed=seed, epoch=0)
    return [order[start : start + batch_size] for start in range(0, m, batch_size)]


def batch_order(count: int, *, seed: int, epoch: int) -> np.ndarray:
    """The order in which epoch ``epoch`` visits the ``count`` stored batches: as stored in
    epoch 0 (already a random draw of samples), then shuffled by the key (seed, epoch)."""
    if epoch == 0 or count == 1:
        return np.arange(count)
    return np.random.default_rng([seed, epoch]).permutation(count)


def minibatch_indices(m: int, batch_size: int, *, seed: int, epoch: int) -> list[np.ndarray]:
    """Sample indices of each mini-batch of one epoch, in the order the epoch visits them."""
    batches = fixed_batches(m, batch_size, seed=seed)
    return [batches[i] for i in batch_order(len(batches), seed=seed, epoch=epoch)]


def accuracy(y_true_encoded: np.ndarray, proba: np.ndarray, output_activation: str) -> float:
    """Fraction of samples predicted right (correct_count over the samples)."""
    proba = np.atleast_2d(np.asarray(proba, dtype=np.float64))
    return correct_count(y_true_encoded, proba, output_activation) / proba.shape[1]


def correct_count(y_true_encoded: np.ndarray, proba: np.ndarray, output_activation: str) -> int:
    """Samples predicted right.

    A single output unit (sigmoid) is thresholded at 0.5 against 0/1 targets; several units
    (softmax) compare the argmax with the one-hot targets (or with 1-D integer labels).
    """
    proba = np.atleast_2d(np.asarray(proba, dtype=np.float64))
    y_true = np.asarray(y_true_encoded)
    if proba.shape[1] == 0:
        raise ValueError("accuracy needs at least one sample")
    if proba.shape[0] == 1 and output_activation != "softmax":
        y_true = y_true.reshape(1, -1)
        if y_true.shape != proba.shape:
            raise ValueError(f"targets {y_true.shape} do not match predictions {proba.shape}")
        return int(np.count_nonzero((proba > 0.5) == (y_true > 0.5)))
    true_class = y_true if y_true.ndim == 1 else np.argmax(y_true, axis=0)
    if true_class.shape != (proba.shape[1],):
        raise ValueError(f"targets {y_true.shape} do not match predictions {proba.shape}")
    return int(np.count_nonzero(np.argmax(proba, axis=0) == true_class))
