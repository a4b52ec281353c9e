"""Per-layer histograms over time: the telemetry's power-of-two bins (docs/telemetry.md), one
column per (sampled) telemetry step, trimmed to the bins any step occupied."""

from typing import Any

import numpy as np

from functions.telemetry import DEFAULT_SPEC, HistogramSpec
from functions.telemetry.figures import occupied_span
from functions.training.schedule import evenly
from lnn.watch.numbers import readable, short_exponent
from lnn.watch.series import HISTOGRAMS, TelemetrySeries

HISTOGRAM_STEPS = 120  # columns of a heatmap: enough to see a drift, small to send


def bin_labels(spec: HistogramSpec = DEFAULT_SPEC) -> list[str]:
    """A label per bin, the edge of largest magnitude of the values it holds: ``-8`` for
    (-2^3, -2^2], ``0`` for the zero bin, ``0.03`` for [2^-6, 2^-5), ``≥256`` and ``≤-256``
    for the overflows. The bins keep their power-of-two widths (docs/telemetry.md)."""
    lo, hi = spec.min_exponent, spec.max_exponent
    negative = [readable(-(2.0**e)) for e in range(hi, lo, -1)]
    positive = [readable(2.0**e) for e in range(lo + 1, hi + 1)]
    return [f"≤{readable(-(2.0**hi))}", *negative, "0", *positive, f"≥{readable(2.0**hi)}"]


def bin_ranges(spec: HistogramSpec = DEFAULT_SPEC) -> list[str]:
    """Each bin's exact interval, for the hover: ``[0.0156, 0.0312)``."""
    lo, hi = spec.min_exponent, spec.max_exponent

    def edge(e: int) -> str:
        return short_exponent(f"{2.0**e:.3g}")

    negative = [f"(-{edge(e)}, -{edge(e - 1)}]" for e in range(hi, lo, -1)]
    positive = [f"[{edge(e - 1)}, {edge(e)})" for e in range(lo + 1, hi + 1)]
    zero = f"(-{edge(lo)}, {edge(lo)}): zero"
    return [f"≤ -{edge(hi)}", *negative, zero, *positive, f"≥ {edge(hi)}"]


def histogram_section(series: TelemetrySeries) -> dict[str, Any]:
    picked = evenly(len(series.steps), HISTOGRAM_STEPS)
    labels, ranges = bin_labels(), bin_ranges()
    layers = []
    for number, found in sorted(series.layers.items()):
        kinds = {}
        for key in HISTOGRAMS:
            counts = np.stack([found.histograms[key][i] for i in picked])  # (steps, bins)
            first, last = occupied_span(counts)
            kinds[key] = {
                "bins": labels[first:last],
                "ranges": ranges[first:last],
                # z[bin][step], as a heatmap takes it (rows are y)
                "counts": counts[:, first:last].T.tolist(),
            }
        layers.append({"layer": number, "kinds": kinds})
    return {
        "kinds": HISTOGRAMS,
        "steps": [series.steps[i] for i in picked],
        "layers": layers,
    }
