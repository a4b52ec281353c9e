"""Task messages that flow through the network, and the messages the trainer consumes."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Discriminator, Field, Tag, TypeAdapter, ValidationError, model_validator

from messages.arrays import ArrayRef
from messages.base import (
    Count,
    Float,
    FrozenModel,
    Int,
    RunId,
    SplitMetrics,
)
from messages.exceptions import MessageError, format_validation_error
from messages.limits import TELEMETRY_MESSAGE_BUDGET
from messages.train_request import CancelToken, TrainRequest

__all__ = [
    "BackwardTask",
    "CancelRun",
    "EvalMetrics",
    "ForwardTask",
    "LossTask",
    "Task",
    "TaskAdapter",
    "TrainerMessage",
    "TrainerMessageAdapter",
    "parse_task",
    "parse_trainer_message",
]


class _TaskBase(FrozenModel):
    run_id: RunId
    epoch: Count
    batch: Count
    step: Count  # global update count: the params version a forward task reads
    phase: Literal["train", "eval"]

    def header(self) -> dict[str, Any]:
        """The fields naming this task's step, for the messages it fans out to."""
        return {
            "run_id": self.run_id,
            "epoch": self.epoch,
            "batch": self.batch,
            "step": self.step,
            "phase": self.phase,
        }


class ForwardTask(_TaskBase):
    """Compute one shard of a layer's activations; layer 1 reads the data plan instead."""

    kind: Literal["forward"] = "forward"
    layer: Int = Field(ge=1)
    shard: Count
    inputs: ArrayRef | None = None  # A_{layer-1} for the whole batch
    # sum of squared weights of the layers before this one, for the L2 term of the cost
    weight_sq_sum: Float = Field(default=0.0, ge=0.0)

    @model_validator(mode="after")
    def _inputs_match_layer(self) -> Self:
        if self.layer == 1 and self.inputs is not None:
            raise ValueError("layer 1 reads the data plan; inputs must be null")
        if self.layer > 1 and self.inputs is None:
            raise ValueError(f"layer {self.layer} needs inputs (A of layer {self.layer - 1})")
        return self


class LossTask(_TaskBase):
    """Cost and output gradient from Z of the output layer, shape (n_L, m)."""

    kind: Literal["loss"] = "loss"
    outputs: ArrayRef
    weight_sq_sum: Float = Field(default=0.0, ge=0.0)  # of every layer, for the L2 term


class BackwardTask(_TaskBase):
    """Back-propagate one shard: `grad` holds this shard's rows of dZ or dA."""

    kind: Literal["backward"] = "backward"
    layer: Int = Field(ge=1)
    shard: Count
    grad: ArrayRef
    grad_kind: Literal["dz", "da"]
    batch_cost: Float
    # On a telemetry step, to the output layer's shards: the loss stage's figures of this
    # shard's units and the batch's class counts, as JSON text (or the S3 key of a large one).
    telemetry: str | None = Field(default=None, max_length=TELEMETRY_MESSAGE_BUDGET)

    @model_validator(mode="after")
    def _train_only(self) -> Self:
        if self.phase != "train":
            raise ValueError("backward tasks exist only in the train phase")
        return self


class EvalMetrics(SplitMetrics):
    """What an evaluation pass computed: the run's record keeps the accuracies, its history
    the accuracies and the confusion matrices."""

    train_cost: Float


class CancelRun(FrozenModel):
    """Ask the trainer to stop a run: only with the cancel token its TrainRequest set."""

    kind: Literal["cancel"] = "cancel"
    run_id: RunId
    token: CancelToken
    reason: str = Field(default="cancelled by user", min_length=1, max_length=500)


Task = Annotated[ForwardTask | LossTask | BackwardTask, Field(discriminator="kind")]
TaskAdapter: TypeAdapter[Task] = TypeAdapter(Task)


def _trainer_kind(value: Any) -> str | None:
    # Users publish bare TrainRequest JSON, so a missing "kind" means a TrainRequest.
    if isinstance(value, dict):
        return value.get("kind", "train_request")
    return getattr(value, "kind", None)


TrainerMessage = Annotated[
    Annotated[TrainRequest, Tag("train_request")] | Annotated[CancelRun, Tag("cancel")],
    Discriminator(
        _trainer_kind,
        custom_error_type="invalid_kind",
        custom_error_message=(
            "expected a JSON object whose kind is train_request (or absent) or cancel"
        ),
    ),
]
TrainerMessageAdapter: TypeAdapter[TrainerMessage] = TypeAdapter(TrainerMessage)


def parse_task(body: str | bytes) -> Task:
    """Parse a network task from JSON; MessageError with a one-line reason if invalid."""
    try:
        return TaskAdapter.validate_json(body)
    except ValidationError as exc:
        raise MessageError(f"invalid task: {format_validation_error(exc)}") from exc


def parse_trainer_message(body: str | bytes) -> TrainerMessage:
    """Parse what the trainer queue carries; JSON without "kind" is a TrainRequest."""
    try:
        return TrainerMessageAdapter.validate_json(body)
    except ValidationError as exc:
        raise MessageError(f"invalid trainer message: {format_validation_error(exc)}") from exc
