"""What the network predicts: each evaluation's confusion matrices (train, dev, test) from
the run's history, with the majority verdict of each, and the class names to label them."""

from collections.abc import Sequence
from typing import Any

from lnn.majority import (
    class_name,
    confusions,
    entry_verdict,
    shown_evaluations,
)
from lnn.splits import SPLIT_WORDS, SPLITS, split_accuracy
from lnn.watch.examples import Examples
from lnn.watch.numbers import figure
from messages.status import HistoryEntry

__all__ = ["predictions_section"]


def _accuracies(entry: HistoryEntry) -> dict[str, float | None]:
    values = {split: split_accuracy(entry, split) for split in SPLITS}
    return {split: None if v is None else figure(v) for split, v in values.items()}


def predictions_section(
    history: Sequence[HistoryEntry], examples: Examples | None, noun: str
) -> dict[str, Any] | None:
    """None until an evaluation with confusion matrices (a regression never has one); the
    classes are named as ``examples`` name them ("class k" without). Each evaluation has its
    verdict, the banner of the page when it shows that evaluation."""
    classes = () if examples is None else examples.classes
    evaluated = [entry for entry in history if confusions(entry)]
    if not evaluated:
        return None
    picked = shown_evaluations(evaluated)
    k = len(next(iter(confusions(evaluated[-1]).values())))
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
        "split_words": SPLIT_WORDS,
        "evaluations": evaluations,
    }
