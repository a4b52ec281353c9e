"""Per-unit activation statistics of one batch, from the shard that computed the units' A.

They are taken on the pre-dropout activations A = g(Z): dropout is noise laid on the unit by
training, not the unit's behaviour, and the masked A would make a healthy unit look
saturated (relu) or shifted (inverted dropout scales the kept samples by 1 / keep_prob). It
also keeps telemetry the same with dropout on and off at evaluation time.

Statistics are stored as mergeable sums: the sample count, the per-unit sum of A, and the
per-unit sum of squared deviations from the batch mean (``m2``). Merging batches uses Chan's
pairwise formula, which stays accurate where sum-of-squares minus squared mean cancels
catastrophically: a saturated sigmoid unit (mean 0.9999, std 1e-8) is exactly the unit
telemetry exists to show.

Beside A's figures, each unit keeps the range and sum of its pre-activation Z over the
samples (``z_min``, ``z_max``, ``z_sum``): why a unit is dead or saturated is where its Z sits
(a relu unit with max Z < 0 on every sample of the window). Minima, maxima and sums merge
exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from functions.nn.activations import get_activation
from functions.telemetry.arrays import (
    TELEMETRY_VERSION,
    ArrayRecord,
    check_version,
    decode_floats,
    decode_ints,
    encode_floats,
    frozen,
)
from functions.telemetry.histograms import (
    DEFAULT_SPEC,
    Histogram,
    HistogramSpec,
    histogram,
    merge_histograms,
)
from functions.telemetry.saturation import saturated

# The per-unit figures of Z, in document order.
Z_FIGURES: tuple[str, ...] = ("z_min", "z_max", "z_sum")


@dataclass(frozen=True, eq=False)
class ForwardStats(ArrayRecord):
    """Activation statistics of ``units`` consecutive units over ``count`` samples.

    ``sum``, ``m2``, ``saturated`` (of A) and ``z_min``, ``z_max``, ``z_sum`` (of Z) hold one
    entry per unit; ``activations`` is the histogram of every element of their A.
    """

    count: int
    sum: np.ndarray
    m2: np.ndarray
    saturated: np.ndarray
    activations: Histogram
    z_min: np.ndarray
    z_max: np.ndarray
    z_sum: np.ndarray

    def __post_init__(self) -> None:
        for name in ("sum", "m2", *Z_FIGURES):
            object.__setattr__(self, name, frozen(getattr(self, name), np.float64))
        object.__setattr__(self, "saturated", frozen(self.saturated, np.int64))
        if self.count < 1:
            raise ValueError(f"statistics need at least one sample, got {self.count}")
        per_unit = ("sum", "m2", "saturated", *Z_FIGURES)
        if len({getattr(self, name).shape for name in per_unit}) != 1:
            raise ValueError(f"{', '.join(per_unit)} need one entry per unit each")

    @property
    def units(self) -> int:
        return self.sum.size

    @property
    def mean(self) -> np.ndarray:
        return self.sum / self.count

    @property
    def std(self) -> np.ndarray:
        """Population standard deviation (ddof 0) over the samples."""
        return np.sqrt(self.m2 / self.count)

    @property
    def z_mean(self) -> np.ndarray:
        """Per unit, the mean of Z over the samples."""
        return self.z_sum / self.count

    @property
    def saturated_fraction(self) -> np.ndarray:
        return self.saturated / self.count

    @property
    def active(self) -> np.ndarray:
        """Per unit: unsaturated on at least one sample. False for all of a window = dead."""
        return self.saturated < self.count

    def to_document(self) -> dict[str, Any]:
        return {
            "v": TELEMETRY_VERSION,
            "count": self.count,
            "sum": encode_floats(self.sum),
            "m2": encode_floats(self.m2),
            "saturated": self.saturated.tolist(),
            "activations": self.activations.to_document(),
            **{name: encode_floats(getattr(self, name)) for name in Z_FIGURES},
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> ForwardStats:
        check_version(doc, "forward telemetry")
        return cls(
            count=int(doc["count"]),
            sum=decode_floats(doc["sum"]),
            m2=decode_floats(doc["m2"]),
            saturated=decode_ints(doc["saturated"]),
            activations=Histogram.from_document(doc["activations"]),
            **{name: decode_floats(doc[name]) for name in Z_FIGURES},
        )


def forward_telemetry(
    z: np.ndarray,
    activation: str,
    spec: HistogramSpec = DEFAULT_SPEC,
    *,
    a: np.ndarray | None = None,
) -> ForwardStats:
    """Statistics of the rows of ``z`` (units x samples) under ``activation``.

    ``a`` is g(z) before dropout, if the caller has it (without dropout, forward_shard's A);
    otherwise it is computed from ``z``. Softmax needs every unit of the layer for g, which a
    shard does not have, so for softmax ``a`` is required (the loss stage holds it).
    """
    if a is None:
        if activation == "softmax":
            raise ValueError("softmax telemetry needs the layer's A; a shard's Z is not enough")
        a = get_activation(activation).forward(z)
    # Row-wise reductions over a C-ordered array add each row in the same order whatever the
    # number of rows, so a shard's figures equal its rows of the whole layer's, bit for bit.
    a = np.ascontiguousarray(a, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] < 1:
        raise ValueError(f"A must be (units, samples) with samples >= 1, got {a.shape}")
    # A diverged layer's NaN and inf are what telemetry is there to report, not to warn about
    # in every Lambda's log.
    with np.errstate(invalid="ignore", over="ignore"):
        total = a.sum(axis=1)
        deviation = a - (total / a.shape[1])[:, None]
        m2 = np.einsum("ij,ij->i", deviation, deviation)
        z = np.ascontiguousarray(z, dtype=np.float64)
        z_min, z_max, z_sum = z.min(axis=1), z.max(axis=1), z.sum(axis=1)
    if z.shape != a.shape:
        raise ValueError(f"Z {z.shape} and A {a.shape} differ")
    return ForwardStats(
        count=a.shape[1],
        sum=total,
        m2=m2,
        saturated=np.count_nonzero(saturated(a, activation), axis=1),
        activations=histogram(a, spec),
        z_min=z_min,
        z_max=z_max,
        z_sum=z_sum,
    )


def concat_forward(parts: Sequence[ForwardStats]) -> ForwardStats:
    """Shards of one batch, in row order, as one record of all their units."""
    if len({p.count for p in parts}) != 1:
        raise ValueError("shards of one batch must have counted the same samples")
    return ForwardStats(
        count=parts[0].count,
        sum=np.concatenate([p.sum for p in parts]),
        m2=np.concatenate([p.m2 for p in parts]),
        saturated=np.concatenate([p.saturated for p in parts]),
        activations=merge_histograms([p.activations for p in parts]),
        **{name: np.concatenate([getattr(p, name) for p in parts]) for name in Z_FIGURES},
    )


def pool_forward(parts: Sequence[ForwardStats]) -> ForwardStats:
    """Batches of the same units, in order, as if their samples had been one batch."""
    if len({p.units for p in parts}) != 1:
        raise ValueError("batches to pool must cover the same units")
    count, total, m2 = parts[0].count, parts[0].sum, parts[0].m2
    for p in parts[1:]:
        # Chan et al.: the pooled m2 is both m2s plus the spread between the two means.
        delta = p.sum / p.count - total / count
        m2 = m2 + p.m2 + delta * delta * (count * p.count / (count + p.count))
        count += p.count
        total = total + p.sum
    return ForwardStats(
        count=count,
        sum=total,
        m2=m2,
        saturated=np.sum([p.saturated for p in parts], axis=0),
        activations=merge_histograms([p.activations for p in parts]),
        z_min=np.min([p.z_min for p in parts], axis=0),
        z_max=np.max([p.z_max for p in parts], axis=0),
        z_sum=np.sum([p.z_sum for p in parts], axis=0),
    )
