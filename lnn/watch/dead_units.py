"""The page's dead-units section: per hidden layer a strip of units over the telemetry steps
(dead or alive), each unit's Z range and bias (beta in a batch-normalized layer, where Z is
Z_tilde) over the same steps for a click, and every
unit's verdict (functions.telemetry.verdicts, as `lnn inspect` prints them)."""

from typing import Any

import numpy as np

from functions.telemetry import TelemetryRecord
from functions.telemetry.verdicts import DEAD_WORDS, DeadUnits, LayerStrip, dead_units
from functions.training.schedule import evenly
from lnn.telemetry import verdict_document
from lnn.watch.numbers import UNITS_DRAWN, figures

STRIP_STEPS = 500  # a strip's columns at most; each column is dead if any step it covers was
# A unit's Z range and bias: at most this many steps (four series per unit weigh more than
# the strip; the cat network's 501 telemetry steps would make the section 600 KB).
SERIES_STEPS = 200

__all__ = [
    "SERIES_STEPS",
    "STRIP_STEPS",
    "dead_units_section",
    "find_dead_units",
]


def find_dead_units(records: list[TelemetryRecord]) -> DeadUnits | None:
    """The run's strips and verdicts at its last recorded epoch; None before a step."""
    if not any(r.batch is not None for r in records):
        return None
    return dead_units(records)


def _strip(strip: LayerStrip) -> dict[str, Any]:
    picked = evenly(len(strip.steps), STRIP_STEPS)
    rows = min(strip.units, UNITS_DRAWN)
    # Column k stands for the steps after column k-1's up to its own: a death between two
    # drawn steps still shows.
    starts = [0, *(i + 1 for i in picked[:-1])]
    dead = np.maximum.reduceat(strip.dead[:rows].astype(np.int64), starts, axis=1)
    series = evenly(len(strip.steps), SERIES_STEPS)
    return {
        "layer": strip.layer,
        "activation": strip.activation,
        "word": DEAD_WORDS.get(strip.activation, "dead"),
        "bias_name": strip.bias_name,  # beta in a batch-normalized layer
        "units": strip.units,
        "steps": [strip.steps[i] for i in picked],
        "dead": dead.tolist(),
        "series_steps": [strip.steps[i] for i in series],
        **{
            name: [figures(row) for row in getattr(strip, name)[:rows, series]]
            for name in ("z_min", "z_mean", "z_max", "bias")
        },
    }


def dead_units_section(found: DeadUnits | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "epoch": found.epoch + 1,
        "layers": [_strip(strip) for strip in found.strips],
        "verdicts": [verdict_document(v) for v in found.verdicts],
    }
