"""A whole network in process: forward, backward, cost and predictions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from functions.nn.activations import get_activation
from functions.nn.dense import dense_backward, dense_forward, hidden_delta
from functions.nn.exceptions import NNError
from functions.nn.losses import Loss, output_delta
from functions.nn.regularization import l2_cost
from functions.nn.types import Array

Params = list[tuple[Array, Array]]
Caches = list[tuple[Array, Array]]
Masks = Sequence[Array | None]


@dataclass(frozen=True)
class LayerSpec:
    units: int
    activation: str

    def __post_init__(self) -> None:
        if isinstance(self.units, bool) or not isinstance(self.units, int) or self.units < 1:
            raise NNError(f"a layer needs a positive integer number of units, got {self.units!r}")
        get_activation(self.activation)  # raises UnknownActivationError


def _check(params: Params, specs: Sequence[LayerSpec], masks: Masks | None) -> Masks:
    if len(params) != len(specs):
        raise NNError(f"{len(params)} parameter pairs for {len(specs)} layers")
    if masks is None:
        return [None] * len(specs)
    if len(masks) != len(specs):
        raise NNError(f"{len(masks)} dropout masks for {len(specs)} layers")
    if masks[-1] is not None:
        raise NNError("the output layer is never masked by dropout")
    return masks


def forward_network(
    params: Params, x: Array, specs: Sequence[LayerSpec], masks: Masks | None = None
) -> Caches:
    """[(z_l, a_l)] for l = 1..L; a_l is already masked on dropout layers."""
    masks = _check(params, specs, masks)
    caches: Caches = []
    a = x
    for (w, b), spec, mask in zip(params, specs, masks, strict=True):
        z, a = dense_forward(w, b, a, get_activation(spec.activation), mask)
        caches.append((z, a))
    return caches


def backward_network(
    params: Params,
    x: Array,
    y: Array,
    specs: Sequence[LayerSpec],
    caches: Caches,
    *,
    loss: Loss,
    lambd: float = 0.0,
    masks: Masks | None = None,
) -> list[tuple[Array, Array]]:
    """[(dw_l, db_l)] for l = 1..L, from the caches of forward_network."""
    masks = _check(params, specs, masks)
    m = x.shape[1]
    z, a = caches[-1]
    dz = output_delta(loss, get_activation(specs[-1].activation), y, a, z)
    grads: list[tuple[Array, Array]] = []
    for layer in range(len(params) - 1, -1, -1):
        a_prev = x if layer == 0 else caches[layer - 1][1]
        dw, db, da_prev = dense_backward(
            dz, a_prev, params[layer][0], lambd=lambd, m=m, need_da_prev=layer > 0
        )
        grads.append((dw, db))
        if da_prev is not None:
            z_prev = caches[layer - 1][0]
            act = get_activation(specs[layer - 1].activation)
            dz = hidden_delta(da_prev, z_prev, act, masks[layer - 1])
    return grads[::-1]


def network_cost(
    params: Params,
    x: Array,
    y: Array,
    specs: Sequence[LayerSpec],
    *,
    loss: Loss,
    lambd: float = 0.0,
    masks: Masks | None = None,
) -> float:
    """loss.cost of the output plus the L2 penalty, with m = x.shape[1]."""
    z, a = forward_network(params, x, specs, masks)[-1]
    return loss.cost(y, a, z) + l2_cost((w for w, _ in params), lambd, x.shape[1])


def predict_proba(params: Params, x: Array, specs: Sequence[LayerSpec]) -> Array:
    """Output activations without dropout."""
    return forward_network(params, x, specs)[-1][1]


def predict_labels(proba: Array, output_activation: str) -> Array:
    """Labels of shape (m,): sigmoid 1 unit -> proba > 0.5; several units -> argmax.

    Linear outputs, and other single-unit outputs, are returned as values.
    """
    get_activation(output_activation)
    if output_activation == "linear":
        return np.array(proba, copy=True)
    if proba.shape[0] > 1:
        return np.argmax(proba, axis=0).astype(np.int64)
    if output_activation == "sigmoid":
        return (proba[0] > 0.5).astype(np.int64)
    return np.array(proba, copy=True)


__all__ = [
    "Caches",
    "LayerSpec",
    "Params",
    "backward_network",
    "forward_network",
    "network_cost",
    "predict_labels",
    "predict_proba",
]
