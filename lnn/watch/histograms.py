"""Per-layer histograms over time: the telemetry's power-of-two bins (docs/telemetry.md), one
column per (sampled) telemetry step, trimmed to the bins any step occupied."""

from typing import Any

import numpy as np

from functions.telemetry import DEFAULT_SPEC, HistogramSpec
from functions.telemetry.figures import occupied_span
from lnn.watch.numbers import evenly
from lnn.watch.series import HISTOGRAMS, TelemetrySeries

HISTOGRAM_STEPS = 120  # columns of a heatmap: enough to see a drift, small to send


def bin_labels(spec: HistogramSpec = DEFAULT_SPEC) -> list[str]:
    """A label per bin, naming the magnitude it holds: ``-2^3`` for (-2^3, -2^2], ``0`` for
    the zero bin, ``2^-5`` for [2^-6, 2^-5), ``≥2^8`` and ``≤-2^8`` for the overflows."""
    lo, hi = spec.min_exponent, spec.max_exponent
    negative = [f"-2^{e}" for e in range(hi, lo, -1)]
    positive = [f"2^{e}" for e in range(lo + 1, hi + 1)]
    return [f"≤-2^{hi}", *negative, "0", *positive, f"≥2^{hi}"]


def histogram_section(series: TelemetrySeries) -> dict[str, Any]:
    picked = evenly(len(series.steps), HISTOGRAM_STEPS)
    labels = bin_labels()
    layers = []
    for number, found in sorted(series.layers.items()):
        kinds = {}
        for key in HISTOGRAMS:
            counts = np.stack([found.histograms[key][i] for i in picked])  # (steps, bins)
            first, last = occupied_span(counts)
            kinds[key] = {
                "bins": labels[first:last],
                # z[bin][step], as a heatmap takes it (rows are y)
                "counts": counts[:, first:last].T.tolist(),
            }
        layers.append({"layer": number, "kinds": kinds})
    return {
        "kinds": HISTOGRAMS,
        "steps": [series.steps[i] for i in picked],
        "layers": layers,
    }
