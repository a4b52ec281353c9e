"""Lifecycle events published on lnn-events, one union keyed by `event`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, TypeAdapter, ValidationError

from messages.base import Accuracy, Count, Float, FrozenModel, RunId
from messages.exceptions import MessageError, format_validation_error
from messages.limits import MAX_LAYERS
from messages.train_request import LayerSpecModel

__all__ = [
    "EpochCompleted",
    "Event",
    "EventAdapter",
    "RequestRefused",
    "RunAccepted",
    "RunCancelled",
    "RunFailed",
    "RunSucceeded",
    "parse_event",
]


def _now() -> datetime:
    return datetime.now(UTC)


class _EventBase(FrozenModel):
    run_id: RunId
    at: AwareDatetime = Field(default_factory=_now)


class RunAccepted(_EventBase):
    event: Literal["run_accepted"] = "run_accepted"
    dataset: str = Field(min_length=1, max_length=200)
    layers: list[LayerSpecModel] = Field(min_length=1, max_length=MAX_LAYERS)
    epochs: Count


class EpochCompleted(_EventBase):
    event: Literal["epoch_completed"] = "epoch_completed"
    epoch: Count
    cost: Float
    train_accuracy: Accuracy | None = None
    dev_accuracy: Accuracy | None = None
    test_accuracy: Accuracy | None = None


class RunSucceeded(_EventBase):
    event: Literal["run_succeeded"] = "run_succeeded"
    model_key: str = Field(min_length=1)
    final_cost: Float
    train_accuracy: Accuracy | None = None
    dev_accuracy: Accuracy | None = None
    test_accuracy: Accuracy | None = None
    epochs: Count


class RunFailed(_EventBase):
    event: Literal["run_failed"] = "run_failed"
    reason: str = Field(min_length=1)


class RunCancelled(_EventBase):
    event: Literal["run_cancelled"] = "run_cancelled"
    reason: str = Field(min_length=1)


class RequestRefused(_EventBase):
    """A message on the train topic that named this run and was refused without touching
    it: a second TrainRequest for a run id in use, an invalid one, a cancel without the
    run's token. ``message_id`` is the refused message's SQS id."""

    event: Literal["request_refused"] = "request_refused"
    reason: str = Field(min_length=1)
    message_id: str | None = None


Event = Annotated[
    RunAccepted | EpochCompleted | RunSucceeded | RunFailed | RunCancelled | RequestRefused,
    Field(discriminator="event"),
]
EventAdapter: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(body: str | bytes) -> Event:
    """Parse a lifecycle event from JSON; MessageError with a one-line reason if invalid."""
    try:
        return EventAdapter.validate_json(body)
    except ValidationError as exc:
        raise MessageError(f"invalid event: {format_validation_error(exc)}") from exc
