"""The run's configuration and final figures for TensorBoard's HParams dashboard, which
lists runs side by side by their settings and compares their results.

Every setting is written whatever its value, each with one type (a layers string; a setting
that is "auto" or a number as text), so runs written into one DIR fill the same columns:
TensorBoard drops a run whose value has another type than the column's.
"""

from __future__ import annotations

from collections.abc import Sequence

from lnn.layer_text import layers_text
from lnn.tensorboard import tags
from messages.status import HistoryEntry
from messages.train_request import TrainConfig

HParam = str | float | int | bool
# The settings that are "auto" or a count: written as text ("auto", "5") in every run.
TEXT_SETTINGS = frozenset({"eval_every", "telemetry_every"})

__all__ = [
    "TEXT_SETTINGS",
    "HParam",
    "board_hparams",
    "final_metrics",
    "metric_tags",
]


def board_hparams(config: TrainConfig) -> dict[str, HParam]:
    """Each setting of the config under its own name (docs/tensorboard.md)."""
    values: dict[str, HParam] = {}
    for name, value in config.model_dump(mode="json").items():
        if name == "layers":
            values[name] = layers_text(config.layers)
        elif name in TEXT_SETTINGS:
            values[name] = str(value)
        else:
            values[name] = value
    return values


def final_metrics(history: Sequence[HistoryEntry]) -> dict[str, float]:
    """The last epoch's cost and each split's last accuracy, by their tags.FINAL_* tags; a
    split never evaluated has none."""
    if not history:
        return {}
    metrics = {tags.FINAL_COST: history[-1].cost}
    for field, tag in tags.FINAL_ACCURACIES.items():
        values = [getattr(e, field) for e in history if getattr(e, field) is not None]
        if values:
            metrics[tag] = values[-1]
    return metrics


def metric_tags() -> list[str]:
    """Every metric the dashboard lists, present or not in a given run: the first run's
    declaration serves all the runs of a DIR."""
    return [tags.FINAL_COST, *tags.FINAL_ACCURACIES.values()]
