"""A batch-normalized layer's figures per telemetry step in TensorBoard: a histogram over the
layer's units of each of gamma, beta and the batch mean and variance of Z (where the units
sit and how far apart), and one scalar each, its mean over the units (a drift shows as a
line). Dense layers have none."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from functions.telemetry import TelemetryRecord
from functions.telemetry.figures import norm_units
from lnn.tensorboard import tags
from lnn.tensorboard.histograms import BoardHistogram
from lnn.tensorboard.scalars import Scalar

# Buckets of a histogram over the units: values near 1 (gamma) or 0 (beta) want linear
# buckets, not telemetry's binary magnitudes, and a layer of a few units few buckets.
UNIT_BUCKETS = 30


def unit_histogram(tag: str, step: int, values: np.ndarray) -> BoardHistogram | None:
    """Linear buckets over the units' finite values (None without any), from the smallest
    value to the largest. TensorBoard draws the outer buckets' edges at ``min`` and ``max``,
    so those are the values' own: numpy widens equal values (gamma all 1 at the first step)
    to a bucket of width 1 around them, whose edges serve only as the inner limits."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return None
    counts, edges = np.histogram(finite, bins=min(UNIT_BUCKETS, finite.size))
    return BoardHistogram(
        tag=tag,
        step=step,
        minimum=float(finite.min()),
        maximum=float(finite.max()),
        num=int(finite.size),
        total=float(finite.sum()),
        sum_squares=float(finite @ finite),
        limits=edges[1:],
        counts=counts,
    )


def norm_histograms(records: Sequence[TelemetryRecord]) -> list[BoardHistogram]:
    """``layerL/gamma``, ``/beta``, ``/batch_mean``, ``/batch_var`` of each step's record of
    a batch-normalized layer, at global step = the record's step."""
    found = []
    for r in records:
        units = norm_units(r.telemetry)
        for name, values in (units or {}).items():
            found.append(unit_histogram(tags.layer_tag(r.telemetry.layer, name), r.step, values))
    return [h for h in found if h is not None]


def norm_scalars(records: Sequence[TelemetryRecord]) -> list[Scalar]:
    """``layerL/mean_gamma`` and the like: each figure's mean over the layer's units."""
    return [
        Scalar(tags.layer_tag(r.telemetry.layer, tags.unit_mean(name)), r.step, float(v.mean()))
        for r in records
        for name, v in (norm_units(r.telemetry) or {}).items()
    ]
