"""What the network predicts: each evaluation's confusion matrices (train, dev, test) from
the run's history, with the majority verdict of each, and the class names to label them."""

from collections.abc import Sequence
from typing import Any

from lnn.majority import (
    class_name,
    confusions,
    entry_verdict,
    history_verdict,
    shown_evaluations,
)
from lnn.watch.examples import Examples
from lnn.watch.numbers import figure
from messages.status import HistoryEntry

__all__ = ["predictions_section"]


def _accuracies(entry: HistoryEntry) -> dict[str, float | None]:
    values = {"train": entry.train_accuracy, "dev": entry.dev_accuracy}
    values["test"] = entry.test_accuracy
    return {split: None if v is None else figure(v) for split, v in values.items()}


def predictions_section(
    history: Sequence[HistoryEntry], examples: Examples | None, noun: str
) -> dict[str, Any] | None:
    """None until an evaluation with confusion matrices (a regression never has one); the
    classes are named as ``examples`` name them ("class k" without).
    ``verdict`` is the latest evaluation's, for the banner; each evaluation has its own for
    the page's stepping through them."""
    classes = () if examples is None else examples.classes
    evaluated = [entry for entry in history if confusions(entry)]
    if not evaluated:
        return None
    picked = shown_evaluations(evaluated)
    k = len(next(iter(confusions(evaluated[-1]).values())))
    latest = history_verdict(evaluated, classes=classes, noun=noun)
    evaluations = []
    for entry in picked:
        verdict = entry_verdict(entry, classes=classes, noun=noun)
        evaluations.append(
            {
                "epoch": entry.epoch,
                "matrices": confusions(entry),
                "accuracy": _accuracies(entry),
                "verdict": None if verdict is None else verdict.message,
            }
        )
    return {
        "classes": [class_name(classes, i) for i in range(k)],
        "noun": noun,
        "evaluations": evaluations,
        "verdict": None if latest is None else {"epoch": latest.epoch, "message": latest.message},
    }
