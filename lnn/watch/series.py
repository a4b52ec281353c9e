"""A run's telemetry records gathered per layer as they arrive: the per-unit statistics the
diagram colours by, the layer aggregates and the histograms, one entry per telemetry step."""

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from functions.telemetry import LayerTelemetry, TelemetryRecord, figures
from lnn.telemetry import epoch_window

# The statistic the diagram colours units by: key -> label. Each is a per-unit array of one
# step's record (docs/telemetry.md).
STATISTICS: dict[str, str] = {
    "activation": "activation mean",
    "saturation": "saturated fraction",
    "gradient": "gradient norm (dW row)",
    figures.UPDATE_RATIO: "update / weight",
}
# The statistics spanning decades, which the page draws on a log scale.
LOG_STATISTICS: tuple[str, ...] = ("gradient", figures.UPDATE_RATIO)
# The histograms kept per layer: key -> label; each a power-of-two histogram of one step.
HISTOGRAMS: dict[str, str] = figures.HISTOGRAM_KINDS
# The layer figures kept per telemetry step for the curves (functions.telemetry.figures).
CURVES: tuple[str, ...] = (figures.UPDATE_RATIO, figures.GRAD_RMS, figures.SATURATED)


def unit_statistics(t: LayerTelemetry) -> dict[str, np.ndarray]:
    return {
        "activation": t.forward.mean,
        "saturation": t.forward.saturated_fraction,
        "gradient": t.backward.mean("grad_norm"),
        figures.UPDATE_RATIO: figures.unit_update_ratio(t.backward),
    }


def histogram_counts(t: LayerTelemetry) -> dict[str, np.ndarray]:
    return {key: h.counts for key, h in figures.histograms_by_kind(t).items()}


@dataclass
class LayerSeries:
    """One layer over the telemetry steps: ``units[stat][i]`` is the step's per-unit array."""

    layer: int
    activation: str
    units: dict[str, list[np.ndarray]] = field(default_factory=lambda: {k: [] for k in STATISTICS})
    histograms: dict[str, list[np.ndarray]] = field(
        default_factory=lambda: {k: [] for k in HISTOGRAMS}
    )
    # ``curves[figure][i]``: the layer figure of step i, for each figure in CURVES.
    curves: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in CURVES})
    # ``norm[figure][i]``: a batch-normalized layer's figures.NORM_UNIT_FIGURES of step i per
    # unit; empty lists for a dense layer.
    norm: dict[str, list[np.ndarray]] = field(
        default_factory=lambda: {k: [] for k in figures.NORM_UNIT_FIGURES}
    )


class TelemetrySeries:
    """Records in step then layer order, each step with every layer (a reader hands over
    whole steps only)."""

    def __init__(self) -> None:
        self.records: list[TelemetryRecord] = []
        self.steps: list[int] = []
        self.epochs: list[int] = []
        self.layers: dict[int, LayerSeries] = {}

    def extend(self, records: Iterable[TelemetryRecord]) -> None:
        for record in records:
            self._add(record)

    def _add(self, record: TelemetryRecord) -> None:
        t = record.telemetry
        if not self.steps or self.steps[-1] != record.step:
            self.steps.append(record.step)
            self.epochs.append(record.epoch)
        layer = self.layers.setdefault(t.layer, LayerSeries(t.layer, t.activation))
        for key, values in unit_statistics(t).items():
            layer.units[key].append(np.asarray(values, dtype=np.float64))
        for key, counts in histogram_counts(t).items():
            layer.histograms[key].append(counts)
        for key in CURVES:
            layer.curves[key].append(figures.LAYER_FIGURES[key](t))
        for key, values in (figures.norm_units(t) or {}).items():
            layer.norm[key].append(values)
        self.records.append(record)

    def last_epoch(self) -> tuple[int, list[LayerTelemetry]] | None:
        """The last recorded epoch's layers, each merged over its steps; None before any."""
        if not self.records:
            return None
        return epoch_window(self.records)
