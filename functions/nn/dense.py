"""The layer contract, identical for one neuron, a shard (rows of W) or a whole layer."""

from __future__ import annotations

import numpy as np

from functions.nn.activations import Activation
from functions.nn.regularization import l2_grad
from functions.nn.types import Array


def dense_forward(
    w: Array, b: Array, a_prev: Array, activation: Activation, mask: Array | None = None
) -> tuple[Array, Array]:
    """(z, a) with z = w a_prev + b and a = g(z), times the dropout mask if given."""
    z = w @ a_prev + b
    a = activation.forward(z)
    return z, a if mask is None else a * mask


def hidden_delta(da: Array, z: Array, activation: Activation, mask: Array | None = None) -> Array:
    """dz of a hidden layer; the mask is applied to da first, as in the forward pass."""
    if mask is not None:
        da = da * mask
    return activation.backward(z, activation.forward(z), da)


def dense_backward(
    dz: Array, a_prev: Array, w: Array, *, lambd: float, m: int, need_da_prev: bool = True
) -> tuple[Array, Array, Array | None]:
    """(dw, db, da_prev); da_prev = w^T dz is this row range's share, summed over shards."""
    dw = dz @ a_prev.T / m + l2_grad(w, lambd, m)
    db = np.sum(dz, axis=1, keepdims=True) / m
    return dw, db, (w.T @ dz if need_da_prev else None)


__all__ = ["dense_backward", "dense_forward", "hidden_delta"]
