"""Telemetry's histograms as TensorBoard histograms, bucket for bucket.

The records' bins (functions.telemetry.histograms: one binary magnitude each, mirrored
around zero) are exact and already merged across shards, so they are handed over as they
are, not re-binned: bucket i of TensorBoard's histogram is an occupied span's bin i, its
limit the bin's upper edge, and the first bucket's lower edge is the histogram's ``min``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from functions.telemetry import Histogram, HistogramSpec, TelemetryRecord
from functions.telemetry.figures import histograms_by_kind, occupied_span
from lnn.tensorboard import tags


@dataclass(frozen=True, eq=False)
class BoardHistogram:
    """TensorBoard's HistogramProto fields: ``limits[i]`` is the upper edge of bucket i."""

    tag: str
    step: int
    minimum: float
    maximum: float
    num: int
    total: float
    sum_squares: float
    limits: np.ndarray
    counts: np.ndarray


def drawn_edges(spec: HistogramSpec) -> np.ndarray:
    """The spec's edges, with the overflow bins drawn one binary magnitude wide: TensorBoard
    draws buckets between finite edges."""
    edges = spec.edges()
    edges[0], edges[-1] = -(2.0 ** (spec.max_exponent + 1)), 2.0 ** (spec.max_exponent + 1)
    return edges


def board_histogram(tag: str, step: int, histogram: Histogram) -> BoardHistogram | None:
    """The occupied span of ``histogram`` (None when no finite value was counted). NaN is
    left out: TensorBoard has no bucket for it. Sum and sum of squares are taken at the bins'
    midpoints; TensorBoard shows neither."""
    first, stop = occupied_span(histogram.counts)
    if first == stop:
        return None
    edges = drawn_edges(histogram.spec)
    lower, upper = edges[first:stop], edges[first + 1 : stop + 1]
    counts = histogram.counts[first:stop]
    middles = (lower + upper) / 2  # the zero bin's is 0
    return BoardHistogram(
        tag=tag,
        step=step,
        minimum=float(lower[0]),
        maximum=float(upper[-1]),
        num=int(counts.sum()),
        total=float(middles @ counts),
        sum_squares=float(middles**2 @ counts),
        limits=upper,
        counts=counts,
    )


def layer_histograms(records: Sequence[TelemetryRecord]) -> list[BoardHistogram]:
    """Each record's layer histograms (figures.HISTOGRAM_KINDS), at global step = the
    record's step."""
    found = (
        board_histogram(tags.layer_tag(r.telemetry.layer, name), r.step, histogram)
        for r in records
        for name, histogram in histograms_by_kind(r.telemetry).items()
    )
    return [h for h in found if h is not None]
