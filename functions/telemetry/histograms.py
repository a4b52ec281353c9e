"""Histograms with fixed bins of one binary order of magnitude, mirrored around zero.

The bins depend on nothing but the spec, so counting shards or batches separately and adding
the counts gives exactly the counts of the whole: integer sums, bit for bit.

With ``lo = min_exponent``, ``hi = max_exponent`` and ``M = hi - lo`` the ``2M + 3`` bins are,
in increasing value::

    (-inf, -2^hi]                       negative overflow (and -inf)
    (-2^(e), -2^(e-1)]   e = hi .. lo+1 one per binary magnitude, largest first
    (-2^lo, 2^lo)                       the zero bin: exact zeros and anything tinier
    [2^(e-1), 2^e)       e = lo+1 .. hi one per binary magnitude
    [2^hi, +inf)                        positive overflow (and +inf)

NaN is counted apart (``nan``). A value's bin is read off its IEEE-754 sign and exponent bits,
so no floating-point comparison can put a value on the wrong side of an edge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from functions.telemetry.arrays import ArrayRecord, decode_ints, frozen

# float64 bit layout: sign (1), biased exponent (11), mantissa (52).
_EXPONENT_BIAS = 1023
_CODES = 1 << 12  # every (sign, biased exponent) pair
_NON_FINITE = 0x7FF


@dataclass(frozen=True)
class HistogramSpec:
    """Which binary magnitudes get a bin of their own (see the module docstring).

    The default spans 2^-32 (about 2.3e-10, far below any gradient that still moves a weight)
    to 2^8 = 256 (beyond any sane weight or activation): 83 bins.
    """

    min_exponent: int = -32
    max_exponent: int = 8

    def __post_init__(self) -> None:
        # Subnormals and the non-finite exponent must fall into the zero and overflow bins.
        if not -1022 < self.min_exponent < self.max_exponent < 1024:
            raise ValueError(
                f"need -1022 < min_exponent < max_exponent < 1024, got {self.min_exponent}, "
                f"{self.max_exponent}"
            )

    @property
    def magnitudes(self) -> int:
        """Bins per sign between the zero bin and the overflow bin."""
        return self.max_exponent - self.min_exponent

    @property
    def bins(self) -> int:
        return 2 * self.magnitudes + 3

    @property
    def zero_bin(self) -> int:
        return self.magnitudes + 1

    def edges(self) -> np.ndarray:
        """The ``bins + 1`` bin edges in increasing order, from -inf to +inf."""
        powers = np.ldexp(1.0, np.arange(self.min_exponent, self.max_exponent + 1))
        return np.concatenate(([-np.inf], -powers[::-1], powers, [np.inf]))


DEFAULT_SPEC = HistogramSpec()


@lru_cache(maxsize=8)
def _bin_of_code(spec: HistogramSpec) -> np.ndarray:
    """Bin index of each 12-bit (sign, biased exponent) code."""
    codes = np.arange(_CODES)
    negative = codes >> 11
    # frexp's exponent: |x| lies in [2^(e-1), 2^e). Zeros and subnormals (biased 0) land far
    # below min_exponent, infinities and NaN (biased 0x7FF) far above max_exponent.
    e = (codes & _NON_FINITE) - (_EXPONENT_BIAS - 1)
    k = np.clip(e, spec.min_exponent, spec.max_exponent + 1) - spec.min_exponent
    return spec.zero_bin + np.where(negative == 1, -k, k)


def occupied_span(counts: npt.ArrayLike) -> tuple[int, int]:
    """``(first, stop)``: the bins from the first to the last non-zero count of ``counts``
    (summed over any leading axes, e.g. the steps of a heatmap); ``(0, 0)`` when all are zero.
    Only this span is stored or drawn: a layer's values cover a few of the 83 magnitudes."""
    per_bin = np.asarray(counts)
    if per_bin.ndim > 1:
        per_bin = per_bin.reshape(-1, per_bin.shape[-1]).sum(axis=0)
    occupied = np.flatnonzero(per_bin)
    if not occupied.size:
        return 0, 0
    return int(occupied[0]), int(occupied[-1]) + 1


@dataclass(frozen=True, eq=False)
class Histogram(ArrayRecord):
    """Integer counts per bin of ``spec``, and the NaN count."""

    spec: HistogramSpec
    counts: np.ndarray
    nan: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", frozen(self.counts, np.int64))
        if self.counts.shape != (self.spec.bins,):
            raise ValueError(f"{self.spec} has {self.spec.bins} bins, got {self.counts.shape}")

    @property
    def total(self) -> int:
        """Every value counted, NaN included."""
        return int(self.counts.sum()) + self.nan

    def to_document(self) -> dict[str, Any]:
        # Only the span from the first to the last occupied bin: a layer's values cover a few
        # decades, so most of the 83 bins are empty and would cost bytes in every barrier item.
        first, last = occupied_span(self.counts)
        return {
            "lo": self.spec.min_exponent,
            "hi": self.spec.max_exponent,
            "first": first,
            "counts": self.counts[first:last].tolist(),
            "nan": self.nan,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Histogram:
        spec = HistogramSpec(int(doc["lo"]), int(doc["hi"]))
        span = decode_ints(doc["counts"])
        first = int(doc["first"])
        if first < 0 or first + span.size > spec.bins:
            raise ValueError(f"histogram bins {first}..{first + span.size} outside {spec.bins}")
        counts = np.zeros(spec.bins, dtype=np.int64)
        counts[first : first + span.size] = span
        return cls(spec, counts, int(doc["nan"]))


def histogram(values: npt.ArrayLike, spec: HistogramSpec = DEFAULT_SPEC) -> Histogram:
    """The histogram of every element of ``values`` (any shape)."""
    flat = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    # Signed shift then mask: a uint64 shift would need a cast to a signed type for bincount,
    # and that cast costs five times the rest. Counting the 4096 codes first and folding them
    # into bins afterwards keeps the work per element to a shift, a mask and an increment: the
    # first layer of the cat network has 245,760 weights.
    codes = (flat.view(np.int64) >> 52) & (_CODES - 1)
    per_code = np.bincount(codes, minlength=_CODES)
    non_finite = per_code[_NON_FINITE] + per_code[_NON_FINITE | 0x800]
    counts = np.zeros(spec.bins, dtype=np.int64)
    np.add.at(counts, _bin_of_code(spec), per_code)
    nan = 0
    if non_finite:
        # NaN carries the non-finite exponent, so it was folded into an overflow bin: take it
        # out again, by sign bit, to keep the overflow bins for the infinities and huge values.
        nan_codes = codes[np.isnan(flat)]
        np.subtract.at(counts, _bin_of_code(spec)[nan_codes], 1)
        nan = nan_codes.size
    return Histogram(spec, counts, nan)


def merge_histograms(parts: Sequence[Histogram]) -> Histogram:
    """The histogram of the union of the parts' values (shards of a layer, batches of an
    epoch): counts added bin by bin."""
    if not parts:
        raise ValueError("nothing to merge")
    spec = parts[0].spec
    if any(p.spec != spec for p in parts):
        raise ValueError("histograms with different bins cannot be merged")
    counts = np.sum([p.counts for p in parts], axis=0)
    return Histogram(spec, counts, sum(p.nan for p in parts))
