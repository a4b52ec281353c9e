"""Predictions of a trained network: output activations without dropout, and labels.

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


def predict_proba(params: Params, x: Array, specs: Sequence[LayerSpec]) -> Array:
    """Output activations of the whole network for ``x`` (n_features, m), without dropout."""
    if len(params) != len(specs):
        raise NNError(f"{len(params)} parameter pairs for {len(specs)} layers")
    a = x
    for (w, b), spec in zip(params, specs, strict=True):
        _, a = dense_forward(w, b, a, get_activation(spec.activation))
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


__all__ = ["predict_labels", "predict_proba"]
