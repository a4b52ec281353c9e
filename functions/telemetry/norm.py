"""Per-unit batch-normalization figures of one optimizer step, from the shard that owns the
units of a batch-normalized layer: gamma (before the step's update, the one its forward pass
scaled with) and the mean and biased variance of each unit's Z over the batch, the statistics
the step normalized with.

Beta needs no field here: it does a dense layer's bias's work (Z_tilde = gamma Z_norm + beta),
so a batch-normalized layer's ``bias`` figures in BackwardStats are beta's, with dbeta and its
update beside it. Like the backward figures, each figure is summed over ``steps`` steps: an
epoch's record is the sum of its steps' and its figures are means over the steps (the mean
of the batches' variances, not the variance of the epoch's samples pooled).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from functions.telemetry.arrays import (
    TELEMETRY_VERSION,
    UnitSums,
    check_version,
    decode_floats,
    encode_floats,
)

# The per-unit figures, in document order; each is stored as FIGURE_sum.
NORM_FIGURES: tuple[str, ...] = ("gamma", "batch_mean", "batch_var")
NORM_SUMS: tuple[str, ...] = tuple(f"{figure}_sum" for figure in NORM_FIGURES)


@dataclass(frozen=True, eq=False)
class NormStats(UnitSums):
    """Sums over ``steps`` steps, one entry per unit, of its gamma before the update and the
    mean and biased variance of its Z over the step's batch."""

    steps: int
    gamma_sum: np.ndarray
    batch_mean_sum: np.ndarray
    batch_var_sum: np.ndarray

    UNIT_FIGURES = NORM_FIGURES

    def __post_init__(self) -> None:
        self._freeze_sums()

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"v": TELEMETRY_VERSION, "steps": self.steps}
        doc.update((name, encode_floats(getattr(self, name))) for name in NORM_SUMS)
        return doc

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> NormStats:
        check_version(doc, "batch norm telemetry")
        return cls(steps=int(doc["steps"]), **{n: decode_floats(doc[n]) for n in NORM_SUMS})


def norm_telemetry(gamma: np.ndarray, batch_mean: np.ndarray, batch_var: np.ndarray) -> NormStats:
    """One step's figures of a shard: its rows of gamma before the update, and the batch
    mean and variance of their Z (BatchStatistics.mean, .var)."""
    units = gamma.size
    if not batch_mean.size == batch_var.size == units:
        raise ValueError(
            f"gamma, batch mean and variance differ: {units}, {batch_mean.size}, {batch_var.size}"
        )
    return NormStats(1, gamma.reshape(-1), batch_mean.reshape(-1), batch_var.reshape(-1))


def concat_norm(parts: Sequence[NormStats]) -> NormStats:
    """Shards of one step (or window), in row order: the units are disjoint rows."""
    if len({p.steps for p in parts}) != 1:
        raise ValueError("shards must cover the same steps")
    return NormStats(
        parts[0].steps, **{n: np.concatenate([getattr(p, n) for p in parts]) for n in NORM_SUMS}
    )


def pool_norm(parts: Sequence[NormStats]) -> NormStats:
    """Steps of the same units as one record over all of them: sums added."""
    if len({p.units for p in parts}) != 1:
        raise ValueError("steps to pool must cover the same units")
    steps = sum(p.steps for p in parts)
    return NormStats(
        steps, **{n: np.sum([getattr(p, n) for p in parts], axis=0) for n in NORM_SUMS}
    )
