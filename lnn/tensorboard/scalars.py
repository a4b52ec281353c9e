"""A run's scalars: the history's per epoch, and each layer's figures per telemetry step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from functions.telemetry import LayerTelemetry, TelemetryRecord, figures
from functions.training.config import learning_rate
from lnn.tensorboard import tags
from messages.status import HistoryEntry
from messages.train_request import TrainConfig


@dataclass(frozen=True)
class Scalar:
    tag: str
    step: int
    value: float
    run: str = tags.TRAIN  # the split's run it is written in (tags.ACCURACIES)


def _activation_mean(t: LayerTelemetry) -> float:
    f = t.forward
    return float(f.sum.sum() / (f.units * f.count))


def _activation_std(t: LayerTelemetry) -> float:
    """Population standard deviation over every (unit, sample) of A: the units' squared
    deviations pooled around the layer's mean (Chan's formula, as the records merge)."""
    f = t.forward
    spread = f.m2.sum() + f.count * np.sum((f.mean - _activation_mean(t)) ** 2)
    return float(np.sqrt(spread / (f.units * f.count)))


# Per-layer scalar -> how it is read off one step's record of the whole layer: the
# telemetry's figures (defined in functions.telemetry.figures), then the board's own.
LAYER_FIGURES: dict[str, Callable[[LayerTelemetry], float]] = {
    **figures.LAYER_FIGURES,
    tags.ACTIVATION_MEAN: _activation_mean,
    tags.ACTIVATION_STD: _activation_std,
}


def history_scalars(history: Sequence[HistoryEntry], config: TrainConfig | None) -> list[Scalar]:
    """Cost, the accuracies an epoch was evaluated on (each in its split's run, under one
    tag) and, given the config, the learning rate in force during the epoch; all at global
    step = the 1-based epoch."""
    scalars: list[Scalar] = []
    for entry in history:
        scalars.append(Scalar(tags.COST, entry.epoch, entry.cost))
        for field, run in tags.ACCURACIES.items():
            value = getattr(entry, field)
            if value is not None:
                scalars.append(Scalar(tags.ACCURACY, entry.epoch, value, run))
        if config is not None:
            rate = learning_rate(config, entry.epoch - 1)
            scalars.append(Scalar(tags.LEARNING_RATE, entry.epoch, rate))
    return scalars


def layer_scalars(records: Sequence[TelemetryRecord]) -> list[Scalar]:
    """Every figure of LAYER_FIGURES for each record, at global step = the record's step."""
    return [
        Scalar(tags.layer_tag(r.telemetry.layer, name), r.step, figure(r.telemetry))
        for r in records
        for name, figure in LAYER_FIGURES.items()
    ]
