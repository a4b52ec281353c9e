"""An evaluation's metrics, added up over its passes (functions/training/layout.py).

Each pass gives, per split, its samples, the samples predicted right and the confusion counts,
and on the training samples the cost weighted by their number; the sums of every pass make
the run's EvalMetrics. Both engines add the same passes in the same order, so they agree to
the bit; the sums travel between passes as a small JSON document.
"""

from dataclasses import dataclass, field
from typing import Any

from functions.nn.activations import get_activation
from functions.nn.data import correct_count
from functions.nn.losses import loss_for_output
from functions.nn.types import Array
from functions.telemetry.classes import class_counts, counts_classes
from functions.training.layout import SPLIT_NAMES, EvalPass
from messages.base import split_fields
from messages.tasks import EvalMetrics


@dataclass(frozen=True)
class SplitSums:
    samples: int = 0
    correct: int = 0
    confusion: tuple[tuple[int, ...], ...] | None = None

    def plus(self, other: "SplitSums") -> "SplitSums":
        confusion = self.confusion or other.confusion
        if self.confusion is not None and other.confusion is not None:
            confusion = tuple(
                tuple(a + b for a, b in zip(mine, theirs, strict=True))
                for mine, theirs in zip(self.confusion, other.confusion, strict=True)
            )
        return SplitSums(self.samples + other.samples, self.correct + other.correct, confusion)


@dataclass(frozen=True)
class EvalSums:
    """What the passes so far measured; ``weighted_cost`` is the sum of each pass's mean
    training cost times its training samples."""

    weighted_cost: float = 0.0
    splits: dict[str, SplitSums] = field(default_factory=dict)

    def plus(self, other: "EvalSums") -> "EvalSums":
        splits = dict(self.splits)
        for name, sums in other.splits.items():
            splits[name] = splits.get(name, SplitSums()).plus(sums)
        return EvalSums(self.weighted_cost + other.weighted_cost, splits)

    def metrics(self, activation: str, *, l2: float, weight_sq_sum: float) -> EvalMetrics:
        """Cost on the training samples, and accuracy and confusion matrix per split (None
        for a split without samples; no accuracy for a regression)."""
        m_train = self.splits["train"].samples
        cost = self.weighted_cost / m_train + l2 * weight_sq_sum / (2 * m_train)

        def acc(sums: SplitSums | None) -> float | None:
            if activation == "linear" or sums is None:
                return None
            return sums.correct / sums.samples

        def confusion(sums: SplitSums | None) -> list[list[int]] | None:
            return None if sums is None or sums.confusion is None else _lists(sums.confusion)

        found = [self.splits.get(name) for name in SPLIT_NAMES]
        return EvalMetrics(
            train_cost=float(cost),
            **split_fields([acc(s) for s in found], [confusion(s) for s in found]),
        )

    def to_document(self) -> dict[str, Any]:
        return {
            "weighted_cost": self.weighted_cost,
            "splits": {
                name: {
                    "samples": s.samples,
                    "correct": s.correct,
                    "confusion": None if s.confusion is None else _lists(s.confusion),
                }
                for name, s in self.splits.items()
            },
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> "EvalSums":
        splits = {
            name: SplitSums(int(s["samples"]), int(s["correct"]), _tuples(s["confusion"]))
            for name, s in document["splits"].items()
        }
        return cls(float(document["weighted_cost"]), splits)


def pass_sums(z: Array, y: Array, batch: EvalPass, activation: str) -> EvalSums:
    """The sums of one evaluation pass: output pre-activations ``z`` and targets ``y`` of its
    columns, its segments side by side."""
    a = get_activation(activation).forward(z)
    counted = counts_classes(activation, a.shape[0])
    loss = loss_for_output(activation)
    weighted, splits, start = 0.0, {}, 0
    for segment in batch.segments:
        cols = slice(start, start + segment.columns)
        start += segment.columns
        if segment.split == "train":
            weighted += loss.cost(y[:, cols], a[:, cols], z[:, cols]) * segment.columns
        correct = 0 if activation == "linear" else correct_count(y[:, cols], a[:, cols], activation)
        confusion = None
        if counted:
            matrix = class_counts(y[:, cols], a[:, cols], activation).confusion
            confusion = _tuples(matrix.tolist())
        part = SplitSums(segment.columns, correct, confusion)
        splits[segment.split] = splits.get(segment.split, SplitSums()).plus(part)
    return EvalSums(weighted, splits)


def _lists(matrix: tuple[tuple[int, ...], ...]) -> list[list[int]]:
    return [list(row) for row in matrix]


def _tuples(matrix: list[list[int]] | None) -> tuple[tuple[int, ...], ...] | None:
    return None if matrix is None else tuple(tuple(int(v) for v in row) for row in matrix)
