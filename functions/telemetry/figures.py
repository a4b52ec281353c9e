"""Figures derived from telemetry records, each defined once for every reader: `lnn inspect`
and its flags, the live page and the report (lnn.watch), TensorBoard (lnn.tensorboard).

A reader that shows a figure takes it, and its name, from here; so the page, the board and the
table cannot drift apart on what "update ratio" or "gradient RMS" means. Pure numpy, like the
rest of the package (the flags run wherever the records are read).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

# Defined beside Histogram, whose documents store only that span (histograms.py cannot import
# this module, which builds on it); the page and TensorBoard take it from here.
from functions.telemetry.histograms import occupied_span

__all__ = [
    "DEAD",
    "GRAD_RMS",
    "HISTOGRAM_KINDS",
    "LAYER_FIGURES",
    "NORM_UNIT_FIGURES",
    "SATURATED",
    "UPDATE_RATIO",
    "WEIGHT_NORM",
    "frobenius",
    "grad_rms",
    "histograms_by_kind",
    "norm_units",
    "occupied_span",
    "picture_shape",
    "safe_ratio",
    "unit_update_ratio",
    "update_ratio",
    "weight_norm",
]

if TYPE_CHECKING:  # backward.py and layer.py import this module for their properties
    from functions.telemetry.backward import BackwardStats
    from functions.telemetry.histograms import Histogram
    from functions.telemetry.layer import LayerTelemetry

# The vocabulary of per-layer figures: the keys of `LAYER_FIGURES`, TensorBoard's tag names
# (layer3/update_ratio), `lnn inspect --json`'s row fields and the page's curves.
UPDATE_RATIO = "update_ratio"
GRAD_RMS = "grad_rms"
WEIGHT_NORM = "weight_norm"
SATURATED = "saturated"
DEAD = "dead"

# The histograms of a layer's step, in the order the page lays them out: name -> label.
HISTOGRAM_KINDS: dict[str, str] = {
    "W": "weights W",
    "A": "activations A",
    "dZ": "deltas dZ",
    "dW": "gradients dW",
}


def frobenius(row_norms: npt.ArrayLike) -> float:
    """The Frobenius norm of a matrix from the L2 norms of its rows."""
    return float(np.sqrt(np.sum(np.asarray(row_norms, dtype=np.float64) ** 2)))


def safe_ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator with 0/0 = 0 and x/0 = inf, without numpy's warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / denominator
    return np.where((numerator == 0) & (denominator == 0), 0.0, ratio)


def unit_update_ratio(b: BackwardStats) -> np.ndarray:
    """Per unit: update norm over weight norm (0 where both are 0, inf where only the
    weights are 0, as on the first step of a zero-initialized layer); for a window the ratio
    of the means."""
    return safe_ratio(b.update_norm_sum, b.weight_norm_sum)


def weight_norm(b: BackwardStats) -> float:
    """||W|| (Frobenius, before the step's update) of the rows, from the mean per-unit norms."""
    return frobenius(b.mean("weight_norm"))


def update_ratio(b: BackwardStats) -> float:
    """||update of W|| / ||W|| over the rows (Frobenius, from the mean per-unit norms); 0/0 = 0
    and x/0 = inf, as per unit."""
    # numpy scalars, so that x/0 is inf and not Python's ZeroDivisionError
    update, weight = np.float64(frobenius(b.mean("update_norm"))), np.float64(weight_norm(b))
    return float(safe_ratio(update, weight))


def grad_rms(b: BackwardStats) -> float:
    """Root mean square of dW's elements (from the mean per-unit norms): comparable between
    layers of different sizes, unlike the Frobenius norm."""
    return float(np.sqrt(np.sum(b.mean("grad_norm") ** 2) / (b.units * b.fan_in)))


def histograms_by_kind(t: LayerTelemetry) -> dict[str, Histogram]:
    """The layer's histograms by their name in HISTOGRAM_KINDS."""
    f, b = t.forward, t.backward
    return {"W": b.weights, "A": f.activations, "dZ": b.deltas, "dW": b.weight_grads}


# A batch-normalized layer's figures per unit, in the order readers show them: name -> label.
# Beta is the record's bias (it does b's work there); every figure is a mean over the steps.
NORM_UNIT_FIGURES: dict[str, str] = {
    "gamma": "gamma",
    "beta": "beta",
    "batch_mean": "batch mean of Z",
    "batch_var": "batch variance of Z",
}


def norm_units(t: LayerTelemetry) -> dict[str, np.ndarray] | None:
    """Per unit, NORM_UNIT_FIGURES of a batch-normalized layer; None for a dense one."""
    if t.norm is None:
        return None
    n = t.norm
    return {
        "gamma": n.mean("gamma"),
        "beta": t.backward.mean("bias"),
        "batch_mean": n.mean("batch_mean"),
        "batch_var": n.mean("batch_var"),
    }


# Per-layer figure -> how it is read off a record of the whole layer (one step or a window).
LAYER_FIGURES: dict[str, Callable[[LayerTelemetry], float]] = {
    GRAD_RMS: lambda t: t.grad_rms,
    UPDATE_RATIO: lambda t: t.update_ratio,
    SATURATED: lambda t: t.saturated_fraction,
    DEAD: lambda t: float(len(t.dead_units)),
    WEIGHT_NORM: lambda t: weight_norm(t.backward),
}


def picture_shape(
    shape: tuple[int, ...] | None, n_features: int, weights: npt.ArrayLike | None = None
) -> tuple[int, ...] | None:
    """ "Has pictures": the shape a first layer's weight rows are shown in, or None. ``shape``
    is the inputs' picture shape (None when they are not pictures); the rows must have as many
    weights as it has pixels (a user's file may share a built-in picture dataset's name) and,
    when ``weights`` are given, all of them finite (a diverged layer has no picture to show)."""
    if shape is None or math.prod(shape) != n_features:
        return None
    if weights is not None and not np.all(np.isfinite(weights)):
        return None
    return shape
