"""What a trial reached, as its record keeps it, from what its run left."""

from __future__ import annotations

from lnn.engines.base import TrainingResult

__all__ = ["reached"]


def reached(result: TrainingResult) -> dict[str, object]:
    """What the trial reached. A run stopped early has none in its record: its last
    epoch's cost and its last evaluation's accuracies stand for them."""
    history = result.history
    evaluated = next((e for e in reversed(history) if e.train_accuracy is not None), None)

    def reached(name: str) -> object:
        value = getattr(result, name)
        if value is None and evaluated is not None:
            return getattr(evaluated, name)
        return value

    return {
        "epochs_done": max((e.epoch for e in history), default=0),
        "final_cost": result.final_cost
        if result.final_cost is not None or not history
        else history[-1].cost,
        "train_accuracy": reached("train_accuracy"),
        "dev_accuracy": reached("dev_accuracy"),
        "test_accuracy": reached("test_accuracy"),
    }
