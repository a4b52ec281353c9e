"""Keyed random generators: the same key always yields the same stream.

Randomness is never global, so shards and retries reproduce the reference run.
"""

from __future__ import annotations

import numpy as np

from functions.nn.exceptions import NNError


def _keyed(*key: int) -> np.random.Generator:
    if any(isinstance(k, bool) or int(k) != k or k < 0 for k in key):
        raise NNError(f"random keys must be non-negative integers, got {key!r}")
    return np.random.default_rng([int(k) for k in key])


def init_rng(seed: int, layer: int) -> np.random.Generator:
    """Generator for the initial weights of one whole layer."""
    return _keyed(seed, layer)


def dropout_rng(seed: int, epoch: int, batch: int, layer: int) -> np.random.Generator:
    """Generator for one layer's dropout mask in one mini-batch."""
    return _keyed(seed, epoch, batch, layer)


def permutation_rng(seed: int, epoch: int) -> np.random.Generator:
    """Generator for the sample order of one epoch."""
    return _keyed(seed, epoch)


__all__ = ["dropout_rng", "init_rng", "permutation_rng"]
