"""A run's telemetry records gathered per layer as they arrive: the per-unit statistics the
diagram colours by, the layer aggregates and the histograms, one entry per telemetry step."""

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from functions.telemetry import LayerTelemetry, TelemetryRecord
from lnn.telemetry import epoch_window

# The statistic the diagram colours units by: key -> label. Each is a per-unit array of one
# step's record (docs/telemetry.md).
STATISTICS: dict[str, str] = {
    "activation": "activation mean",
    "saturation": "saturated fraction",
    "gradient": "gradient norm (dW row)",
    "update_ratio": "update / weight",
}
# The histograms kept per layer: key -> label; each a power-of-two histogram of one step.
HISTOGRAMS: dict[str, str] = {
    "W": "weights W",
    "A": "activations A",
    "dZ": "deltas dZ",
    "dW": "gradients dW",
}


def unit_statistics(t: LayerTelemetry) -> dict[str, np.ndarray]:
    return {
        "activation": t.forward.mean,
        "saturation": t.forward.saturated_fraction,
        "gradient": t.backward.mean("grad_norm"),
        "update_ratio": t.backward.update_ratio,
    }


def histogram_counts(t: LayerTelemetry) -> dict[str, np.ndarray]:
    f, b = t.forward, t.backward
    return {
        "W": b.weights.counts,
        "A": f.activations.counts,
        "dZ": b.deltas.counts,
        "dW": b.weight_grads.counts,
    }


@dataclass
class LayerSeries:
    """One layer over the telemetry steps: ``units[stat][i]`` is the step's per-unit array."""

    layer: int
    activation: str
    units: dict[str, list[np.ndarray]] = field(default_factory=lambda: {k: [] for k in STATISTICS})
    histograms: dict[str, list[np.ndarray]] = field(
        default_factory=lambda: {k: [] for k in HISTOGRAMS}
    )
    update_ratio: list[float] = field(default_factory=list)
    grad_rms: list[float] = field(default_factory=list)
    saturated: list[float] = field(default_factory=list)


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
        layer.update_ratio.append(t.update_ratio)
        layer.grad_rms.append(t.grad_rms)
        layer.saturated.append(t.saturated_fraction)
        self.records.append(record)

    def last_epoch(self) -> tuple[int, list[LayerTelemetry]] | None:
        """The last recorded epoch's layers, each merged over its steps; None before any."""
        if not self.records:
            return None
        return epoch_window(self.records)
