"""Run status as stored and reported: the run record and per-epoch history."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, Field, model_validator

from messages.base import Accuracy, Count, Float, FrozenModel, RunId

__all__ = ["HistoryEntry", "RunRecord", "RunStatus"]


class RunStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def is_terminal(self) -> bool:
        """True once the run can no longer change."""
        return self in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class RunRecord(FrozenModel):
    """The state of one run, as the trainer keeps it and `lnn status` shows it."""

    run_id: RunId
    status: RunStatus
    dataset: str = Field(min_length=1, max_length=200)
    epochs: Count
    epoch: Count = 0  # completed epochs
    step: Count = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    reason: str | None = None
    model_key: str | None = None
    final_cost: Float | None = None
    train_accuracy: Accuracy | None = None
    dev_accuracy: Accuracy | None = None
    test_accuracy: Accuracy | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.epoch > self.epochs:
            raise ValueError(f"epoch {self.epoch} is past the run's {self.epochs} epochs")
        if self.updated_at < self.created_at:
            raise ValueError("updated_at is before created_at")
        return self


class HistoryEntry(FrozenModel):
    """Metrics after one epoch."""

    epoch: Count
    cost: Float
    train_accuracy: Accuracy | None = None
    dev_accuracy: Accuracy | None = None
    test_accuracy: Accuracy | None = None
