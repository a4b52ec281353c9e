"""What a trial reached, as its record keeps it: its run's results, and where the run has
none (stopped early, or still running) the last epoch's cost and the last evaluation's
accuracies of its history."""

from __future__ import annotations

from collections.abc import Sequence

from lnn.engines.base import TrainingResult
from lnn.sweep.types import TrialRecord
from messages.status import HistoryEntry

__all__ = ["RESULTS", "reached", "so_far"]

# The results a trial's record keeps, each a field of TrialRecord and of TrainingResult.
RESULTS = ("final_cost", "train_accuracy", "dev_accuracy", "test_accuracy")


def _from_history(history: Sequence[HistoryEntry]) -> dict[str, float]:
    if not history:
        return {}
    last = {"final_cost": history[-1].cost}
    for name in RESULTS[1:]:
        measured = [getattr(h, name) for h in history if getattr(h, name) is not None]
        if measured:
            last[name] = measured[-1]
    return last


def reached(result: TrainingResult) -> dict[str, object]:
    """The record's fields for what the run left."""
    found = _from_history(result.history)
    fields: dict[str, object] = {
        name: getattr(result, name) if getattr(result, name) is not None else found.get(name)
        for name in RESULTS
    }
    return {**fields, "epochs_done": max((e.epoch for e in result.history), default=0)}


def so_far(trial: TrialRecord, history: Sequence[HistoryEntry]) -> TrialRecord:
    """The trial with each result its record lacks yet taken from its history."""
    if not history:
        return trial
    missing = {k: v for k, v in _from_history(history).items() if getattr(trial, k) is None}
    epochs_done = max(trial.epochs_done, history[-1].epoch)
    return trial.model_copy(update={**missing, "epochs_done": epochs_done})
