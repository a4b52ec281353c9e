"""The layer contract, identical for one neuron, a shard (rows of W) or a whole layer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from functions.nn.activations import Activation, get_activation
from functions.nn.batchnorm import BatchStatistics
from functions.nn.layers import LayerSpec
from functions.nn.regularization import l2_grad
from functions.nn.types import Array, LayerParams


@dataclass(frozen=True)
class DenseForward:
    """Z = W A_prev (+ b), batch norm's Z_tilde where the layer has it, and A = g(Z_tilde or
    Z) times the dropout mask (None for an output layer, whose activation the loss owns)."""

    z: Array  # what a backward pass recalls (or recomputes) of the forward one
    a: Array | None
    z_tilde: Array | None = None
    stats: BatchStatistics | None = None  # the batch's statistics (training only)


def linear(params: LayerParams, a_prev: Array) -> Array:
    """Z = W A_prev + b, or W A_prev for a batch-normalized layer (it has no b)."""
    z = params["W"] @ a_prev
    return z + params["b"] if "b" in params else z


def dense_forward(
    params: LayerParams,
    a_prev: Array,
    spec: LayerSpec,
    *,
    mask: Array | None = None,
    training: bool = False,
) -> DenseForward:
    """The layer's forward pass; batch norm uses the batch's statistics in training and the
    running averages otherwise."""
    z = linear(params, a_prev)
    activation = get_activation(spec.activation)
    if spec.norm is None:
        z_tilde, stats = None, None
    elif training:
        z_tilde, stats = spec.norm.forward(z, params)
    else:
        z_tilde, stats = spec.norm.inference(z, params), None
    a = activation.forward(z if z_tilde is None else z_tilde)
    return DenseForward(z, a if mask is None else a * mask, z_tilde, stats)


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


__all__ = ["DenseForward", "dense_backward", "dense_forward", "hidden_delta", "linear"]
