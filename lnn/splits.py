"""The splits a run's data is cut into and evaluated on, in the order every view lists them,
with the words a sentence calls each split's samples by ("the 209 training images")."""

from functions.training.layout import SPLIT_NAMES
from messages.status import HistoryEntry

SPLITS = SPLIT_NAMES
SPLIT_WORDS = {"train": "training", "dev": "dev", "test": "test"}

__all__ = ["SPLITS", "SPLIT_WORDS", "split_accuracy", "split_confusion"]


def split_accuracy(entry: HistoryEntry, split: str) -> float | None:
    """The entry's accuracy on ``split`` (None when it was not evaluated on it)."""
    value: float | None = getattr(entry, f"{split}_accuracy")
    return value


def split_confusion(entry: HistoryEntry, split: str) -> list[list[int]] | None:
    """The entry's confusion matrix on ``split`` (None when it has none)."""
    value: list[list[int]] | None = getattr(entry, f"{split}_confusion")
    return value
