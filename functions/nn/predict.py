"""Predictions of a trained network: output activations without dropout (batch norm by its
running averages), and labels.

Training never calls this; it runs the per-shard steps of ``functions.training.step``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from functions.nn.activations import get_activation
from functions.nn.dense import dense_forward
from functions.nn.exceptions import NNError
from functions.nn.layers import LayerSpec
from functions.nn.types import Array, Params

# Bytes of one layer's activations per chunk of columns: a 4096-unit layer over a plot's
# 200 x 200 grid would otherwise hold 1.3 GB (twice: Z and A) at once.
_CHUNK_BYTES = 32 * 1024 * 1024


def predict_proba(
    params: Params, x: Array, specs: Sequence[LayerSpec], *, chunk_bytes: int = _CHUNK_BYTES
) -> Array:
    """Output activations of the whole network for ``x`` (n_features, m), without dropout.

    Columns are independent, so they are evaluated in chunks sized to keep the widest
    layer's activations under ``chunk_bytes``: peak memory no longer grows with m.
    """
    if len(params) != len(specs):
        raise NNError(f"{len(params)} layers of parameters for {len(specs)} layers")
    m = x.shape[1]
    widest = max([x.shape[0], *(layer["W"].shape[0] for layer in params)])
    columns = max(1, chunk_bytes // (widest * np.dtype(np.float64).itemsize))
    if m <= columns:
        return _forward(params, x, specs)
    out = np.empty((params[-1]["W"].shape[0], m), dtype=np.float64)
    for start in range(0, m, columns):
        out[:, start : start + columns] = _forward(params, x[:, start : start + columns], specs)
    return out


def _forward(params: Params, x: Array, specs: Sequence[LayerSpec]) -> Array:
    a = x
    for layer, spec in zip(params, specs, strict=True):
        a = dense_forward(layer, a, spec).a
    return a


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


def layer_activations(params: Params, x: Array, specs: Sequence[LayerSpec]) -> list[Array]:
    """Every layer's activations for ``x`` (n_features, m), without dropout, in one forward
    pass: A[1] .. A[L], each (units, m). Every layer is held at once, so ``x`` should be a few
    columns or a small grid (predict_proba keeps only the output, chunked)."""
    if len(params) != len(specs):
        raise NNError(f"{len(params)} layers of parameters for {len(specs)} layers")
    layers = []
    a = x
    for layer, spec in zip(params, specs, strict=True):
        a = dense_forward(layer, a, spec).a
        layers.append(a)
    return layers


_PLANE_PAD = 0.5  # how far the plane reaches beyond the data, on every side


def plane_grid(x: Array, points: int) -> tuple[Array, Array, Array]:
    """A ``points`` x ``points`` grid spanning the two features of ``x`` (2, m), a little
    beyond the data: its axes, and its points as columns (2, points * points) in the grid's
    row (second feature) then column order."""
    xs = np.linspace(x[0].min() - _PLANE_PAD, x[0].max() + _PLANE_PAD, points)
    ys = np.linspace(x[1].min() - _PLANE_PAD, x[1].max() + _PLANE_PAD, points)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.vstack([gx.ravel(), gy.ravel()])


def predict_plane(
    params: Params, x: Array, specs: Sequence[LayerSpec], points: int
) -> tuple[Array, Array, Array]:
    """Output activations over plane_grid(x, points): the axes, and (units, points, points)."""
    xs, ys, grid = plane_grid(x, points)
    proba = predict_proba(params, grid, specs)
    return xs, ys, proba.reshape(proba.shape[0], points, points)


def activations_plane(
    params: Params, x: Array, specs: Sequence[LayerSpec], points: int
) -> tuple[Array, Array, list[Array]]:
    """Every layer's activations over plane_grid(x, points), in one forward pass: the axes,
    and per layer (units, points, points), what each unit computes at each point of the
    input plane (the last layer's is predict_plane's)."""
    xs, ys, grid = plane_grid(x, points)
    layers = layer_activations(params, grid, specs)
    return xs, ys, [a.reshape(a.shape[0], points, points) for a in layers]


__all__ = [
    "activations_plane",
    "layer_activations",
    "plane_grid",
    "predict_labels",
    "predict_plane",
    "predict_proba",
]
