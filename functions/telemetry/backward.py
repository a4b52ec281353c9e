"""Per-unit parameter, gradient and update figures of one optimizer step, from the shard
that owns the units' rows of W and b. In a batch-normalized layer, which has no b, the bias
figures are beta's, the parameter doing b's work (functions.telemetry.norm has the rest).

A step's record describes the parameters the step *used* (W and b before the update, the
ones its forward pass ran with), the raw gradients the optimizer received (dW includes the
L2 term) and the update it made (new minus old). Norms are L2 norms of a unit's row.

Every per-unit figure is stored summed over ``steps`` optimizer steps (a single step has
``steps == 1`` and holds the values themselves), so an epoch's record is the plain sum of
its steps' records and its figures are means over the epoch's steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from functions.telemetry import figures
from functions.telemetry.arrays import (
    TELEMETRY_VERSION,
    UnitSums,
    check_version,
    decode_floats,
    encode_floats,
)
from functions.telemetry.histograms import (
    DEFAULT_SPEC,
    Histogram,
    HistogramSpec,
    histogram,
    merge_histograms,
)

# The per-unit figures, in document order; each is stored as FIGURE_sum.
FIGURES: tuple[str, ...] = (
    "weight_norm",
    "grad_norm",
    "update_norm",
    "bias",
    "bias_grad",
    "bias_update",
)
UNIT_SUMS: tuple[str, ...] = tuple(f"{figure}_sum" for figure in FIGURES)
HISTOGRAMS: tuple[str, ...] = ("weights", "weight_grads", "deltas")


@dataclass(frozen=True, eq=False)
class BackwardStats(UnitSums):
    """Sums over ``steps`` steps, one entry per unit, of: the norm of its W row, of its dW row
    and of its W update row, and its b, db and b update. Histograms (counted once per step):
    ``weights`` of W, ``weight_grads`` of dW, ``deltas`` of dZ."""

    steps: int
    fan_in: int
    weight_norm_sum: np.ndarray
    grad_norm_sum: np.ndarray
    update_norm_sum: np.ndarray
    bias_sum: np.ndarray
    bias_grad_sum: np.ndarray
    bias_update_sum: np.ndarray
    weights: Histogram
    weight_grads: Histogram
    deltas: Histogram

    UNIT_FIGURES = FIGURES

    def __post_init__(self) -> None:
        self._freeze_sums()
        if self.fan_in < 1:
            raise ValueError(f"need fan_in >= 1, got {self.fan_in}")

    @property
    def update_ratio(self) -> np.ndarray:
        """Per unit: update norm over weight norm (0 where both are 0, inf where only the
        weights are 0, as on the first step of a zero-initialized layer)."""
        return figures.unit_update_ratio(self)

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"v": TELEMETRY_VERSION, "steps": self.steps, "fan_in": self.fan_in}
        doc.update((name, encode_floats(getattr(self, name))) for name in UNIT_SUMS)
        doc.update((name, getattr(self, name).to_document()) for name in HISTOGRAMS)
        return doc

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> BackwardStats:
        check_version(doc, "backward telemetry")
        return cls(
            steps=int(doc["steps"]),
            fan_in=int(doc["fan_in"]),
            **{name: decode_floats(doc[name]) for name in UNIT_SUMS},
            **{name: Histogram.from_document(doc[name]) for name in HISTOGRAMS},
        )


def _row_norms(x: np.ndarray) -> np.ndarray:
    # Each row is reduced on its own and in the same order whatever the number of rows, so a
    # shard's norms are its rows of the whole layer's norms, bit for bit.
    x = np.ascontiguousarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):  # a diverged layer is reported, not warned
        return np.sqrt(np.einsum("ij,ij->i", x, x))


def _difference(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        return new - old


def backward_telemetry(
    w_old: np.ndarray,
    b_old: np.ndarray,
    w_new: np.ndarray,
    b_new: np.ndarray,
    dw: np.ndarray,
    db: np.ndarray,
    dz: np.ndarray,
    spec: HistogramSpec = DEFAULT_SPEC,
) -> BackwardStats:
    """One step's figures of a shard: its rows of W and b before and after the optimizer's
    update, the gradients dW, db it was given and its dZ (units x samples)."""
    if not w_old.shape == w_new.shape == dw.shape or w_old.ndim != 2:
        raise ValueError(
            f"W before, W after and dW differ: {w_old.shape}, {w_new.shape}, {dw.shape}"
        )
    units = w_old.shape[0]
    if not b_old.size == b_new.size == db.size == units or dz.shape[0] != units:
        raise ValueError(f"b, db and dZ need {units} rows")
    return BackwardStats(
        steps=1,
        fan_in=w_old.shape[1],
        weight_norm_sum=_row_norms(w_old),
        grad_norm_sum=_row_norms(dw),
        update_norm_sum=_row_norms(_difference(w_new, w_old)),
        bias_sum=b_old.reshape(-1),
        bias_grad_sum=db.reshape(-1),
        bias_update_sum=_difference(b_new, b_old).reshape(-1),
        weights=histogram(w_old, spec),
        weight_grads=histogram(dw, spec),
        deltas=histogram(dz, spec),
    )


def _combine(parts: Sequence[BackwardStats], join: Any, steps: int) -> BackwardStats:
    return BackwardStats(
        steps=steps,
        fan_in=parts[0].fan_in,
        **{name: join([getattr(p, name) for p in parts]) for name in UNIT_SUMS},
        **{name: merge_histograms([getattr(p, name) for p in parts]) for name in HISTOGRAMS},
    )


def concat_backward(parts: Sequence[BackwardStats]) -> BackwardStats:
    """Shards of one step (or of one window of steps), in row order, as one record."""
    if len({(p.steps, p.fan_in) for p in parts}) != 1:
        raise ValueError("shards must cover the same steps of the same layer")
    return _combine(parts, np.concatenate, parts[0].steps)


def pool_backward(parts: Sequence[BackwardStats]) -> BackwardStats:
    """Steps of the same units as one record over all of them: sums added."""
    if len({(p.units, p.fan_in) for p in parts}) != 1:
        raise ValueError("steps to pool must cover the same units of the same layer")
    return _combine(parts, lambda arrays: np.sum(arrays, axis=0), sum(p.steps for p in parts))
