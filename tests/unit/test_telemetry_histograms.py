"""Histogram bins by binary magnitude: placement by hand, against a comparison-based
reference, exact merging, and the document."""

import json

import numpy as np
import pytest

from functions.telemetry import Histogram, HistogramSpec, histogram, merge_histograms

# lo = -2, hi = 2: 11 bins with edges -inf -4 -2 -1 -.5 -.25 | .25 .5 1 2 4 inf.
SMALL = HistogramSpec(-2, 2)


def test_small_spec_layout() -> None:
    assert SMALL.bins == 11 and SMALL.zero_bin == 5
    np.testing.assert_array_equal(
        SMALL.edges(), [-np.inf, -4, -2, -1, -0.5, -0.25, 0.25, 0.5, 1, 2, 4, np.inf]
    )
    assert HistogramSpec().bins == 83


def test_values_land_in_the_bins_worked_out_by_hand() -> None:
    values = [0.0, -0.0, 5e-324, 0.2, -0.2, 0.25, -0.25, 0.3, 0.99, 1.0, 1.5, 3.9, 4.0, -4.0]
    values += [-3.0, 1e300, np.inf, -np.inf]
    expected = np.zeros(11, dtype=np.int64)
    expected[5] += 5  # 0, -0, the subnormal, +-0.2: |x| < 0.25
    expected[6] += 2  # 0.25, 0.3 in [0.25, 0.5)
    expected[4] += 1  # -0.25 in (-0.5, -0.25]
    expected[7] += 1  # 0.99 in [0.5, 1)
    expected[8] += 2  # 1.0, 1.5 in [1, 2)
    expected[9] += 1  # 3.9 in [2, 4)
    expected[10] += 3  # 4.0, 1e300, inf
    expected[0] += 2  # -4.0, -inf
    expected[1] += 1  # -3.0 in (-4, -2]
    h = histogram(np.array(values), SMALL)
    np.testing.assert_array_equal(h.counts, expected)
    assert h.nan == 0 and h.total == len(values)


def test_nan_is_counted_apart_from_the_overflow_bins() -> None:
    h = histogram(np.array([np.nan, -np.nan, np.inf, 1.0]), SMALL)
    assert h.nan == 2
    assert h.counts[10] == 1 and h.counts[0] == 0 and h.counts[8] == 1
    assert h.total == 4


def _reference(values: np.ndarray, spec: HistogramSpec) -> np.ndarray:
    """The same bins found by comparisons against the edges: positive bins are closed on the
    left, negative ones on the right (they mirror the positive ones)."""
    edges = spec.edges()
    right = np.searchsorted(edges, values, side="right") - 1
    left = np.searchsorted(edges, values, side="left") - 1
    index = np.clip(np.where(values < 0, left, right), 0, spec.bins - 1)
    return np.bincount(index, minlength=spec.bins)


def test_agrees_with_comparisons_over_many_magnitudes() -> None:
    rng = np.random.default_rng(3)
    spec = HistogramSpec()
    magnitudes = np.exp2(rng.uniform(-45, 15, 20_000))
    exact_powers = np.exp2(np.arange(-40, 12, dtype=np.float64))
    values = np.concatenate([magnitudes, exact_powers, np.nextafter(exact_powers, 0), [0.0]])
    values = np.concatenate([values, -values])
    np.testing.assert_array_equal(histogram(values, spec).counts, _reference(values, spec))


def test_shards_and_batches_add_up_to_the_whole_exactly() -> None:
    rng = np.random.default_rng(5)
    w = rng.standard_normal((9, 40)) * np.exp2(rng.integers(-20, 5, (9, 1)))
    whole = histogram(w)
    parts = [histogram(w[i:j]) for i, j in [(0, 2), (2, 7), (7, 9)]]
    assert merge_histograms(parts) == whole
    columns = [histogram(w[:, i:j]) for i, j in [(0, 13), (13, 40)]]
    assert merge_histograms(columns) == whole


def test_merging_needs_the_same_bins() -> None:
    with pytest.raises(ValueError, match="different bins"):
        merge_histograms([histogram([1.0], SMALL), histogram([1.0])])
    with pytest.raises(ValueError, match="nothing"):
        merge_histograms([])


@pytest.mark.parametrize("lo, hi", [(2, 2), (3, 1), (-1022, 0), (0, 1024)])
def test_spec_rejects_ranges_without_room_for_zero_and_overflow(lo: int, hi: int) -> None:
    with pytest.raises(ValueError):
        HistogramSpec(lo, hi)


def test_document_keeps_only_the_occupied_span_and_round_trips() -> None:
    h = histogram(np.array([0.3, 0.3, 1.5, np.nan]), SMALL)
    doc = json.loads(json.dumps(h.to_document(), allow_nan=False))
    assert doc == {"lo": -2, "hi": 2, "first": 6, "counts": [2, 0, 1], "nan": 1}
    assert Histogram.from_document(doc) == h
    empty = histogram(np.array([np.nan]), SMALL)
    assert Histogram.from_document(empty.to_document()) == empty
    with pytest.raises(ValueError, match="outside"):
        Histogram.from_document({**doc, "first": 9})


def test_histogram_is_read_only() -> None:
    h = histogram(np.array([1.0]), SMALL)
    with pytest.raises(ValueError):
        h.counts[0] = 3
