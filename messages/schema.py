"""The wire contract as JSON Schema draft 2020-12: one document per message (`lnn schema`)."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, TypeAdapter

from messages.events import (
    EpochCompleted,
    Event,
    RequestRefused,
    RunAccepted,
    RunCancelled,
    RunFailed,
    RunSucceeded,
)
from messages.limits import MAX_INLINE_ARRAY_BYTES, MAX_SAMPLES_X_FEATURES
from messages.status import HistoryEntry, RunRecord
from messages.tasks import (
    BackwardTask,
    CancelRun,
    ForwardTask,
    LossTask,
    Task,
    TrainerMessage,
)
from messages.train_request import TrainRequest

__all__ = ["DIALECT", "MESSAGES", "json_schema", "message_schema", "schema_id"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# name -> the model, or the union a queue or topic carries (its tag, and the branches
# that may omit the tag: users publish bare TrainRequest JSON, see tasks._trainer_kind).
MESSAGES: dict[str, Any] = {
    "TrainRequest": TrainRequest,
    "ForwardTask": ForwardTask,
    "LossTask": LossTask,
    "BackwardTask": BackwardTask,
    "CancelRun": CancelRun,
    "RunAccepted": RunAccepted,
    "EpochCompleted": EpochCompleted,
    "RunSucceeded": RunSucceeded,
    "RunFailed": RunFailed,
    "RunCancelled": RunCancelled,
    "RequestRefused": RequestRefused,
    "RunRecord": RunRecord,
    "HistoryEntry": HistoryEntry,
    "Task": Task,
    "TrainerMessage": TrainerMessage,
    "Event": Event,
}
_UNIONS: dict[str, tuple[str, str, frozenset[str]]] = {
    "Task": ("kind", "The network queues' body", frozenset()),
    "TrainerMessage": ("kind", "The trainer queue's body", frozenset({"TrainRequest"})),
    "Event": ("event", "The lnn-events topic's body", frozenset()),
}

# What the server checks and this schema does not state, by the validator checking it.
# These rules relate fields to each other (or look inside the base64 payload), which
# JSON Schema cannot say or which would restate the validator as if/then clauses.
_SERVER_ONLY: dict[str, str] = {
    "InlineArray._decode": (
        "data must decode to exactly one .npy array of the declared dtype and shape, "
        f"at most {MAX_INLINE_ARRAY_BYTES} bytes (the schema bounds the base64 length)"
    ),
    "TrainingData._check_shapes": (
        "x_* and y_* are 2-D (rows, samples), x_* float64 or float32, with equal sample "
        "counts (at least 1); x_test and y_test come together and have train's row counts; "
        f"features x samples at most {MAX_SAMPLES_X_FEATURES}"
    ),
    "BatchedData._check_sizes": (
        "x_dtype is float64 or float32; features x samples (train with dev, and test) at most "
        f"{MAX_SAMPLES_X_FEATURES}; each stored batch's objects are checked (header, values) "
        "when a step first reads them, and a wrong one fails the run naming the batch"
    ),
    "TrainConfig._check_layers": (
        "softmax only in the output layer and with at least 2 units; batch_norm only in "
        "hidden layers (not the output layer); the step schedule needs lr_decay below 1"
    ),
    "TrainRequest._check_outputs": (
        "the output layer's units equal y_train's rows (n_outputs); and once the trainer has "
        "read the arrays (functions/training/checks.py): no NaN or infinity, and y_* fitting the "
        "output's loss (sigmoid: 0 or 1; softmax: one-hot columns; others: any finite number)"
    ),
    "ForwardTask._inputs_match_layer": "inputs is null exactly when layer is 1",
    "BackwardTask._train_only": "phase is train",
    "RunRecord._consistent": "epoch is at most epochs; updated_at is not before created_at",
    "SplitMetrics._square_confusions": (
        "each confusion matrix is square (k rows of k counts), with one k for all its splits"
    ),
}


def schema_id(name: str) -> str:
    """The `$id` of message `name`'s document."""
    return f"urn:lnn:message:{name}"


def _models(tp: Any, found: dict[str, type[BaseModel]]) -> dict[str, type[BaseModel]]:
    """Every model reachable from `tp` through field annotations, by name."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp.__name__ not in found:
            found[tp.__name__] = tp
            for field in tp.model_fields.values():
                _models(field.annotation, found)
    else:
        for arg in get_args(tp):
            _models(arg, found)
    return found


def _server_only(tp: Any) -> list[str]:
    notes: list[str] = []
    for model in _models(tp, {}).values():
        decorators = model.__pydantic_decorators__
        for decorator in (
            *decorators.model_validators.values(),
            *decorators.field_validators.values(),
        ):
            qualname = decorator.func.__qualname__
            if qualname not in _SERVER_ONLY:
                # A new validator must say whether the schema states its rule.
                raise RuntimeError(f"{qualname} is not described in messages.schema._SERVER_ONLY")
            # Named after the message it checks, also when a base model defines it.
            if (note := f"{model.__name__}: {_SERVER_ONLY[qualname]}") not in notes:
                notes.append(note)
    return notes


def _require_tags(name: str, schema: dict[str, Any]) -> None:
    # Each model's own schema lets the tag default; the queue's parser needs it to pick
    # the branch, so a body without it would match a branch the server never tries.
    tag, _, optional = _UNIONS[name]
    for branch in schema["oneOf"]:
        if branch["$ref"].rsplit("/", 1)[-1] not in optional:
            branch["required"] = [tag]


def message_schema(name: str) -> dict[str, Any]:
    """The JSON Schema document (draft 2020-12) of message `name`; KeyError if unknown."""
    tp = MESSAGES[name]
    body = TypeAdapter(tp).json_schema()
    if name in _UNIONS:
        _require_tags(name, body)
        tag, carrier, _ = _UNIONS[name]
        branches = ", ".join(ref["$ref"].rsplit("/", 1)[-1] for ref in body["oneOf"])
        body["description"] = f"{carrier}: one of {branches}, chosen by {tag!r}."
    description = body.pop("description", "").strip()
    if notes := _server_only(tp):
        description += "\n\nChecked by the server, not by this schema:\n- " + "\n- ".join(notes)
    return {
        "$schema": DIALECT,
        "$id": schema_id(name),
        "title": body.pop("title", name),
        "description": description,
        **body,
    }


def json_schema() -> dict[str, dict[str, Any]]:
    """{message name: its JSON Schema document}, for every message in MESSAGES."""
    return {name: message_schema(name) for name in MESSAGES}
