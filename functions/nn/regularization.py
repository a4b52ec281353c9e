"""L2 weight decay (its gradient; the loss stage adds its cost) and inverted dropout masks."""

from __future__ import annotations

import numpy as np

from functions.nn.exceptions import NNError
from functions.nn.rng import dropout_rng
from functions.nn.types import Array, Shape


def l2_grad(w: Array, lambd: float, m: int) -> Array:
    """The L2 term of dW: (lambd / m) * w."""
    return (lambd / m) * w


def dropout_mask(
    *, seed: int, epoch: int, batch: int, layer: int, shape: Shape, keep_prob: float
) -> Array:
    """Inverted-dropout mask for a whole layer: entries 0 or 1/keep_prob.

    Drawn for the full (n_l, m_batch) shape; shards take row slices of it.
    """
    if not 0.0 < keep_prob <= 1.0:
        raise NNError(f"keep_prob must be in (0, 1], got {keep_prob}")
    if keep_prob == 1.0:
        return np.ones(shape)
    rng = dropout_rng(seed, epoch, batch, layer)
    return (rng.random(shape) < keep_prob) / keep_prob


__all__ = ["dropout_mask", "l2_grad"]
