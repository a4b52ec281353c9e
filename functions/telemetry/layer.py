"""A layer's telemetry (or a shard's: a contiguous row range of it), and the two merges.

``merge_shards`` joins the shards of one step in row order: per-unit figures concatenate and
histograms add, so the result equals what one shard owning the rows would have computed.
``merge_batches`` pools the steps of a window (an epoch) for the same rows. The two commute.
A batch-normalized layer's record adds ``norm`` (functions.telemetry.norm), which merges the
same ways; a dense layer's has none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

import numpy as np

from functions.nn.batchnorm import BETA
from functions.nn.layers import BIAS
from functions.telemetry import figures
from functions.telemetry.arrays import TELEMETRY_VERSION, check_version
from functions.telemetry.backward import UNIT_SUMS, BackwardStats, concat_backward, pool_backward
from functions.telemetry.forward import ForwardStats, concat_forward, pool_forward
from functions.telemetry.norm import NORM_SUMS, NormStats, concat_norm, pool_norm

# What a unit's additive parameter (the ``bias`` figures) is called: beta does b's work in a
# batch-normalized layer.


@dataclass(frozen=True)
class LayerTelemetry:
    """Telemetry of rows ``[start, stop)`` of layer ``layer`` (1-based) of ``units`` units;
    ``norm`` for a batch-normalized layer only."""

    layer: int
    activation: str
    units: int
    start: int
    stop: int
    forward: ForwardStats
    backward: BackwardStats
    norm: NormStats | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.stop <= self.units:
            raise ValueError(f"rows [{self.start}, {self.stop}) outside a {self.units}-unit layer")
        rows = self.stop - self.start
        if not self.forward.units == self.backward.units == rows:
            raise ValueError(
                f"rows [{self.start}, {self.stop}) but forward has {self.forward.units} units "
                f"and backward {self.backward.units}"
            )
        if self.norm is not None and (self.norm.units, self.norm.steps) != (
            rows,
            self.backward.steps,
        ):
            raise ValueError(
                f"batch norm figures of {self.norm.units} units over {self.norm.steps} steps "
                f"beside {rows} rows over {self.backward.steps}"
            )

    @property
    def bias_name(self) -> str:
        """What the ``bias`` figures are of: b, or beta in a batch-normalized layer."""
        return BIAS if self.norm is None else BETA

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.stop == self.units

    @property
    def dead_units(self) -> tuple[int, ...]:
        """Layer-wide indices of the units saturated on every sample of the window."""
        return tuple(int(i) + self.start for i in np.flatnonzero(~self.forward.active))

    @property
    def dead_fraction(self) -> float:
        return len(self.dead_units) / (self.stop - self.start)

    @property
    def saturated_fraction(self) -> float:
        """Saturated (unit, sample) pairs over all (unit, sample) pairs."""
        return float(self.forward.saturated.sum()) / (self.forward.units * self.forward.count)

    @property
    def update_ratio(self) -> float:
        """||update of W|| / ||W|| over the rows (functions.telemetry.figures)."""
        return figures.update_ratio(self.backward)

    @property
    def grad_rms(self) -> float:
        """Root mean square of dW's elements (functions.telemetry.figures)."""
        return figures.grad_rms(self.backward)

    @property
    def finite(self) -> bool:
        """No NaN or infinity in any figure or histogram. The sums catch a non-finite element
        of W, dW, Z, A or dZ too (its row's norm, sum or db turns non-finite)."""
        f, b = self.forward, self.backward
        sums = [f.sum, f.m2, f.z_sum, *(getattr(b, name) for name in UNIT_SUMS)]
        if self.norm is not None:
            sums += [getattr(self.norm, name) for name in NORM_SUMS]
        histograms = figures.histograms_by_kind(self).values()
        return all(np.isfinite(s).all() for s in sums) and not any(h.nan for h in histograms)

    def to_document(self) -> dict[str, Any]:
        doc = {
            "v": TELEMETRY_VERSION,
            "layer": self.layer,
            "activation": self.activation,
            "units": self.units,
            "start": self.start,
            "stop": self.stop,
            "forward": self.forward.to_document(),
            "backward": self.backward.to_document(),
        }
        if self.norm is not None:  # absent, not zeros, for a dense layer
            doc["norm"] = self.norm.to_document()
        return doc

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> LayerTelemetry:
        check_version(doc, "layer telemetry")
        return cls(
            layer=int(doc["layer"]),
            activation=str(doc["activation"]),
            units=int(doc["units"]),
            start=int(doc["start"]),
            stop=int(doc["stop"]),
            forward=ForwardStats.from_document(doc["forward"]),
            backward=BackwardStats.from_document(doc["backward"]),
            norm=None if doc.get("norm") is None else NormStats.from_document(doc["norm"]),
        )


def _same_layer(parts: Sequence[LayerTelemetry]) -> LayerTelemetry:
    if not parts:
        raise ValueError("nothing to merge")
    first = parts[0]
    if any(
        (p.layer, p.activation, p.units, p.norm is None)
        != (first.layer, first.activation, first.units, first.norm is None)
        for p in parts
    ):
        raise ValueError("only telemetry of one layer can be merged")
    return first


def _merged_norm(
    parts: Sequence[LayerTelemetry], join: Callable[[list[NormStats]], NormStats]
) -> NormStats | None:
    # _same_layer saw that every part has norm figures or none has.
    norms = [p.norm for p in parts if p.norm is not None]
    return join(norms) if norms else None


def merge_shards(shards: Sequence[LayerTelemetry]) -> LayerTelemetry:
    """The shards of one step (or window), given in row order, as one record of their rows."""
    first = _same_layer(shards)
    for left, right in pairwise(shards):
        if right.start != left.stop:
            raise ValueError(
                f"shards must be contiguous and in row order: [{left.start}, {left.stop}) "
                f"then [{right.start}, {right.stop})"
            )
    return replace(
        first,
        stop=shards[-1].stop,
        forward=concat_forward([s.forward for s in shards]),
        backward=concat_backward([s.backward for s in shards]),
        norm=_merged_norm(shards, concat_norm),
    )


def merge_batches(batches: Sequence[LayerTelemetry]) -> LayerTelemetry:
    """The steps of a window (an epoch's batches, in order) for the same rows, pooled: the
    activation figures as over all their samples, the parameter figures as means over the
    steps, saturation counted over all samples, dead = never active in any batch."""
    first = _same_layer(batches)
    if any((b.start, b.stop) != (first.start, first.stop) for b in batches):
        raise ValueError("batches to merge must cover the same rows")
    return replace(
        first,
        forward=pool_forward([b.forward for b in batches]),
        backward=pool_backward([b.backward for b in batches]),
        norm=_merged_norm(batches, pool_norm),
    )
