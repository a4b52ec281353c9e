"""The diagram's data: layers as columns, units grouped by the shard (function) that owns
them, each unit's statistics now and over the telemetry steps, dead and saturated units and
each hidden unit's verdict (functions.telemetry.verdicts), and a batch-normalized layer's
gamma, beta, batch mean and variance of Z per unit."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from functions.telemetry import SATURATED_FRACTION, LayerTelemetry, figures
from functions.telemetry.spans import lane_of
from functions.telemetry.verdicts import UnitVerdict
from functions.training.schedule import evenly
from functions.training.shards import shard_ranges
from lnn.watch.numbers import UNITS_DRAWN
from lnn.watch.numbers import figures as rounded
from lnn.watch.series import (
    LOG_STATISTICS,
    STATISTICS,
    LayerSeries,
    TelemetrySeries,
    unit_statistics,
)
from messages.train_request import TrainConfig

UNIT_HISTORY_STEPS = 500  # a unit's history: at most this many telemetry steps
_SATURATING = frozenset({"sigmoid", "tanh"})  # where "saturated" means a vanishing slope


def _marks(window: LayerTelemetry, *, is_output: bool) -> tuple[list[int], list[int]]:
    """Dead units and units saturated on most samples, of hidden layers only (as in
    functions.telemetry.flags: an output unit saturated everywhere is a confident one)."""
    if is_output:
        return [], []
    dead = list(window.dead_units)
    if window.activation not in _SATURATING:
        return dead, []
    fractions = window.forward.saturated_fraction
    saturated = [
        window.start + i
        for i, f in enumerate(fractions.tolist())
        if f > SATURATED_FRACTION and window.start + i not in dead
    ]
    return dead, saturated


def _verdict_texts(verdicts: Sequence[UnitVerdict]) -> dict[int, list[str]]:
    """Per layer, each unit's verdict as its hover shows it: the mark, then the reason."""
    texts: dict[int, list[str]] = {}
    for v in verdicts:
        texts.setdefault(v.layer, []).append(f"{v.mark} {v.reason}".strip())
    return texts


def _norm(
    window: LayerTelemetry | None, found: LayerSeries | None, picked: list[int]
) -> dict[str, Any] | None:
    """A batch-normalized layer's figures per unit: over the last epoch recorded (``now``,
    means over its steps as the other statistics) and at each drawn step (``history``,
    ``history[figure][unit][i]``); None for a dense layer."""
    now = None if window is None else figures.norm_units(window)
    if now is None or found is None or not found.norm["gamma"]:
        return None
    return {
        "now": {key: rounded(values) for key, values in now.items()},
        "history": {
            key: [rounded(row) for row in np.stack([steps[i] for i in picked]).T]
            for key, steps in found.norm.items()
        },
    }


def network_section(
    config: TrainConfig,
    n_features: int | None,
    series: TelemetrySeries,
    verdicts: Sequence[UnitVerdict] = (),
) -> dict[str, Any]:
    window = series.last_epoch()
    windows = {t.layer: t for t in window[1]} if window else {}
    picked = evenly(len(series.steps), UNIT_HISTORY_STEPS)
    depth = len(config.layers)
    texts = _verdict_texts(verdicts)
    layers = []
    for number, spec in enumerate(config.layers, start=1):
        ranges = shard_ranges(spec.units, config.shards)
        entry: dict[str, Any] = {
            "layer": number,
            "activation": spec.activation,
            "units": spec.units,
            "shards": [
                {"start": a, "stop": b, "lane": lane_of("neuron", number, k)}
                for k, (a, b) in enumerate(ranges)
            ],
            "now": None,
            "dead": [],
            "saturated": [],
            "history": None,
            "verdicts": texts.get(number),
            "norm": None,
        }
        found = series.layers.get(number)
        if number in windows:
            entry["now"] = {k: rounded(v) for k, v in unit_statistics(windows[number]).items()}
            entry["dead"], entry["saturated"] = _marks(windows[number], is_output=number == depth)
        entry["norm"] = _norm(windows.get(number), found, picked)
        if found is not None:
            entry["history"] = {
                key: [rounded(row) for row in np.stack([found.units[key][i] for i in picked]).T]
                for key in STATISTICS
            }
        layers.append(entry)
    return {
        "inputs": n_features,
        "statistics": STATISTICS,
        "norm_figures": figures.NORM_UNIT_FIGURES,
        "log_statistics": list(LOG_STATISTICS),
        "units_drawn": UNITS_DRAWN,
        "epoch": None if window is None else window[0] + 1,
        "steps": [series.steps[i] for i in picked],
        "layers": layers,
    }
