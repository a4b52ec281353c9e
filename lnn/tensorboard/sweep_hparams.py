"""A sweep in TensorBoard's HParams dashboard: which columns its table has, each one's
domain, and each trial's values and metrics, read from the sweep record.

The columns are the searched options, as the search spells them (``lr``, ``batch-size``,
``layers``) and in its order, then the other options a sweep can search that the base
config set away from their defaults (``optimizer=adam``, ``epochs=300``): what a trial
was, beside what it varied. The domain of a choice (or a fixed value) is its values, that
of a range its interval; each column has one type in every trial (TensorBoard drops a
session whose value has another).
"""

from __future__ import annotations

from dataclasses import dataclass

from lnn.sweep.search import SEARCHABLE, Choice, Fixed, Range, option_field, parse_search
from lnn.sweep.types import SweepRecord, TrialRecord, TrialStatus
from lnn.tensorboard import tags
from lnn.tensorboard.hparams import HParam, board_hparams
from messages.train_request import TrainConfig

__all__ = ["SweepColumn", "sweep_columns", "sweep_metric_tags", "trial_hparams", "trial_metrics"]

# A trial's figures by TrialRecord field -> the metric tag they are written under.
TRIAL_METRICS: dict[str, str] = {
    "final_cost": tags.FINAL_COST,
    **tags.FINAL_ACCURACIES,
    "epochs_done": tags.FINAL_EPOCHS,
}


@dataclass(frozen=True)
class SweepColumn:
    name: str  # the option, as the search spells it
    searched: bool
    values: tuple[HParam, ...] = ()  # a discrete domain
    interval: tuple[float, float] | None = None  # or a range's


def _searched(
    kind: Fixed | Choice | Range,
) -> tuple[tuple[HParam, ...], tuple[float, float] | None]:
    if isinstance(kind, Fixed):
        return (kind.value,), None
    if isinstance(kind, Choice):
        return tuple(kind.values), None
    if kind.scale == "1-log":  # the bounds are of 1 - value
        return (), (1.0 - kind.high, 1.0 - kind.low)
    return (), (float(kind.low), float(kind.high))


def _base_value(trial: TrialRecord, name: str) -> HParam:
    return board_hparams(trial.config)[option_field(name)]


def sweep_columns(record: SweepRecord) -> list[SweepColumn]:
    """The searched options with their domains, then the unsearched ones the base config
    set (each with its one value). SearchSpecError if the record's search does not parse."""
    space = parse_search(record.search)
    columns = [SweepColumn(d.name, True, *_searched(d.kind)) for d in space.dimensions]
    first = record.trials[0] if record.trials else None
    for name in SEARCHABLE:
        if first is None or name in space.names:
            continue
        field = TrainConfig.model_fields[option_field(name)]
        value = _base_value(first, name)
        if field.is_required() or value != field.default:
            columns.append(SweepColumn(name, False, (value,)))
    return columns


def trial_hparams(trial: TrialRecord, columns: list[SweepColumn]) -> dict[str, HParam]:
    """The trial's value in each column: its searched value, or its config's."""
    return {
        c.name: trial.params[c.name] if c.searched else _base_value(trial, c.name) for c in columns
    }


def trial_metrics(trial: TrialRecord) -> dict[str, float]:
    """The trial's final figures as the record has them, by tag; none it has not got."""
    metrics = {}
    for field, tag in TRIAL_METRICS.items():
        value = getattr(trial, field)
        if value is not None and (field != "epochs_done" or trial.status != TrialStatus.PENDING):
            metrics[tag] = float(value)
    return metrics


def sweep_metric_tags() -> list[str]:
    """The dashboard's metrics: a run's final figures, then the epochs trained."""
    return list(TRIAL_METRICS.values())
