"""Run status as stored and reported: the run record and per-epoch history."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self

from pydantic import AwareDatetime, Field, model_validator

from messages.base import (
    Accuracy,
    Count,
    Float,
    FrozenModel,
    Int,
    MessageId,
    RunId,
    SplitMetrics,
)
from messages.function_sizes import DEFAULT_FUNCTION_SIZES, visibility_timeout_s

__all__ = [
    "STALL_AFTER_S",
    "HistoryEntry",
    "RunRecord",
    "RunStatus",
]


# A step is a few hops of well under a second each on AWS; minutes without any transition
# mean a run is stuck (its functions not served, a message lost), not slow. But a worker
# that dies holding a message gives it back only after the queue's visibility timeout, and
# the redelivery then needs its own hops: the default waits that out, for the longest
# default function timeout, plus a minute, so a lost process is not mistaken for a dead
# stack. Derived here, once, from the sizes the stack is deployed with by default, so the
# two cannot drift apart (a stack deployed with longer timeouts wants a longer --stall-after).
_STALL_MARGIN_S = 60
STALL_AFTER_S = float(
    visibility_timeout_s(DEFAULT_FUNCTION_SIZES.longest_timeout_s) + _STALL_MARGIN_S
)


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
    """One run as the run ledger stores it, and as `lnn status --json` prints it.

    Besides the run's outcome it holds the transition counters: ``step`` is the last step
    claimed and ``eval_epoch`` the last evaluation (-1 before the first), each with the id
    of the message whose delivery claimed it (``step_message``, ``eval_message``, and
    ``start_message`` for the run's start), and ``cost_sum`` the batch costs of the epoch
    of the last claimed step, each times its batch's size, summed in batch order as the
    reference engine sums them. A sum, not a list: the item's size, and so each claim's
    write, stays the same however many steps an epoch has.
    """

    run_id: RunId
    status: RunStatus
    dataset: str | None = Field(default=None, min_length=1, max_length=200)
    epochs: Count = 0
    epoch: Count = 0  # completed epochs
    step: Count = 0
    eval_epoch: Int = Field(default=-1, ge=-1)
    start_message: MessageId | None = None  # the TrainRequest's: only it may end the run
    cancel_digest: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    step_message: MessageId | None = None
    eval_message: MessageId | None = None
    cost_sum: Float = 0.0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    progress_at: AwareDatetime | None = None  # the last transition that moved the run on
    reason: str | None = None
    last_error: str | None = Field(default=None, max_length=2000)  # of a failed delivery
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

    def stalled(self, after_s: float, *, now: datetime | None = None) -> bool:
        """RUNNING without progress for more than ``after_s`` seconds: something is stuck."""
        if self.status is not RunStatus.RUNNING:
            return False
        last = self.progress_at or self.created_at
        return ((now or datetime.now(UTC)) - last).total_seconds() > after_s

    def stalled_reason(self, after_s: float) -> str:
        last = (self.progress_at or self.created_at).isoformat(timespec="seconds")
        return (
            f"run {self.run_id} made no progress for more than {after_s:g} s (last at {last}, "
            f"step {self.step}); its functions may not be running"
        )

    def stored(self) -> dict[str, Any]:
        """The record as plain JSON values, leaving out what it does not hold."""
        return self.model_dump(mode="json", exclude_none=True)


# Each HistoryEntry is one DynamoDB item (functions/aws/ledger.py). Its confusion matrices
# are what makes it large: 10 classes (digits) over three splits are 300 counts, an item of
# about 1.3 KB instead of about 120 bytes (2 write units instead of 1), so 20 evaluations
# make a history of about 26 KB, 7 read units for a client that reads it whole (a follower
# reads only the entries it has not seen). At the most classes counted (32, messages/limits)
# an item is under 16 KB, far below DynamoDB's 400 KB (tests/unit/test_confusion_history.py).
class HistoryEntry(SplitMetrics):
    """Metrics after one epoch: its cost and, after an evaluation, each split's accuracy and
    confusion matrix (classifiers only; a split the run does not have is absent)."""

    epoch: Count
    cost: Float
