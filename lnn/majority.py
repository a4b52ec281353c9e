"""Whether a classifier is no better than always guessing the most common class, in plain
words: the verdict the page, the report, ``lnn inspect`` and ``lnn train`` print.

A network that predicts one class for every sample scores exactly that class's share, and a
learner reading "train accuracy 0.656" cannot tell that from learning (the course's cat
network, stuck on non-cat, scores 0.656 on its 209 training images). So an evaluation is
flagged when its accuracy is within BASELINE_MARGIN of the majority class's share, or below
it; the sentence says whether one class took (nearly) every prediction. A classifier that
predicts one class for most samples of a dataset made mostly of that class, and is right
more often than the share, is not flagged: that is learning, not guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from functions.training.schedule import evenly
from lnn.datasets.images import image_shape
from lnn.splits import SPLIT_WORDS, SPLITS, split_confusion
from messages.status import HistoryEntry

__all__ = [
    "BALANCED",
    "BASELINE_MARGIN",
    "MAX_EVALUATIONS",
    "NEARLY_ALL",
    "MajorityVerdict",
    "class_name",
    "confusions",
    "entry_verdict",
    "history_verdict",
    "majority_verdict",
    "sample_noun",
    "shown_evaluations",
]

# An accuracy at most this far above the majority share is no better than guessing it.
BASELINE_MARGIN = 0.01
# One class taking at least this share of the predictions is "nearly every" sample.
NEARLY_ALL = 0.95
# Classes whose largest share is under this many times 1/k are balanced: no class stands out,
# so "predicting the most common class" would name one picked by a few samples' luck.
BALANCED = 1.2
# Evaluations shown at most, evenly spread (the first and the last among them): the page's
# slider and TensorBoard's confusion pictures. A run evaluated every epoch for 1,000 epochs
# would otherwise send 300,000 counts of 10 classes a poll, and draw 3,000 pictures.
MAX_EVALUATIONS = 100


@dataclass(frozen=True)
class MajorityVerdict:
    """A flagged evaluation: ``split`` (train, dev, test), the 1-based ``epoch`` it is of
    (0 when not known) and ``message``, one sentence."""

    split: str
    epoch: int
    message: str


def sample_noun(dataset: str | None, n_features: int | None) -> str:
    """What a sample of the run's data is called: images, points (2-D) or samples."""
    if dataset is not None and n_features is not None and image_shape(dataset, n_features):
        return "images"
    return "points" if n_features == 2 else "samples"


def class_name(classes: Sequence[str], k: int) -> str:
    """Class ``k``'s name among the dataset's ``classes``; "class k" when it names none."""
    return classes[k] if 0 <= k < len(classes) else f"class {k}"


def majority_verdict(
    confusion: Sequence[Sequence[int]] | np.ndarray,
    *,
    split: str = "train",
    classes: Sequence[str] = (),
    noun: str = "samples",
) -> str | None:
    """The sentence for one split's confusion matrix (rows true, columns predicted), or None
    when the classifier beats the majority share by more than BASELINE_MARGIN. It reads
    after "the network" ("the network predicts non-cat for all 209 training images ...")."""
    counts = np.asarray(confusion, dtype=np.int64)
    total = int(counts.sum())
    if counts.ndim != 2 or total == 0:
        return None
    true_share = counts.sum(axis=1) / total
    accuracy = float(np.trace(counts)) / total
    majority = int(np.argmax(true_share))
    if accuracy > true_share[majority] + BASELINE_MARGIN:
        return None
    predicted = counts.sum(axis=0)
    top = int(np.argmax(predicted))
    where = f"{SPLIT_WORDS.get(split, split)} {noun}"
    if predicted[top] == total:
        return (
            f"predicts {class_name(classes, top)} for all {total} {where}: "
            f"{accuracy:.3f} is the share of {class_name(classes, top)}"
        )
    if predicted[top] >= NEARLY_ALL * total:
        return (
            f"predicts {class_name(classes, top)} for {predicted[top]} of {total} {where}: "
            f"accuracy {accuracy:.3f}, the share of {class_name(classes, top)} "
            f"is {true_share[top]:.3f}"
        )
    name = class_name(classes, majority)
    if true_share[majority] < BALANCED / len(true_share):
        return (
            f"scores {accuracy:.3f} on the {total} {where}, no better than chance: the "
            f"{len(true_share)} classes are balanced, the largest ({name}) is "
            f"{true_share[majority]:.3f} of them"
        )
    return (
        f"scores {accuracy:.3f} on the {total} {where}, no better than predicting {name} "
        f"for all: {true_share[majority]:.3f} is the share of {name}"
    )


def confusions(entry: HistoryEntry) -> dict[str, list[list[int]]]:
    """The entry's confusion matrices by split (train, dev, test), those it has."""
    matrices = {split: split_confusion(entry, split) for split in SPLITS}
    return {split: m for split, m in matrices.items() if m is not None}


def shown_evaluations(history: Sequence[HistoryEntry]) -> list[HistoryEntry]:
    """The evaluations with confusion matrices, MAX_EVALUATIONS of them at most."""
    evaluated = [entry for entry in history if confusions(entry)]
    return [evaluated[i] for i in evenly(len(evaluated), MAX_EVALUATIONS)]


def entry_verdict(
    entry: HistoryEntry, *, classes: Sequence[str] = (), noun: str = "samples"
) -> MajorityVerdict | None:
    """The verdict of one evaluation: of its first flagged split, in the order train, dev,
    test; None when none is flagged."""
    for split, matrix in confusions(entry).items():
        message = majority_verdict(matrix, split=split, classes=classes, noun=noun)
        if message is not None:
            return MajorityVerdict(split, entry.epoch, message)
    return None


def history_verdict(
    history: Sequence[HistoryEntry], *, classes: Sequence[str] = (), noun: str = "samples"
) -> MajorityVerdict | None:
    """The verdict of the run's latest evaluation with confusion matrices; None when it is
    not flagged, or the run has none (a regression, or no evaluation yet)."""
    latest = next((e for e in reversed(history) if confusions(e)), None)
    return None if latest is None else entry_verdict(latest, classes=classes, noun=noun)
