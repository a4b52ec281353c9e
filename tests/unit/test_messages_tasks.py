"""Network task messages: the discriminated union, parsing and its one-line errors."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from messages import (
    BackwardTask,
    CancelRun,
    ForwardTask,
    InlineArray,
    LossTask,
    MessageError,
    S3Array,
    TaskAdapter,
    format_validation_error,
    parse_task,
    parse_trainer_message,
)

COMMON: dict[str, Any] = {"run_id": "run-1", "epoch": 2, "batch": 1, "step": 9, "phase": "train"}
INLINE = InlineArray.from_numpy(np.arange(6, dtype=np.float64).reshape(2, 3))
S3 = S3Array(bucket="lnn-runs", key="runs/run-1/train/l1/s0.npy", dtype="float64", shape=(2, 3))

TASKS = [
    ForwardTask(**COMMON, layer=1, shard=0),
    ForwardTask(**COMMON, layer=2, shard=3, inputs=INLINE),
    ForwardTask(**{**COMMON, "phase": "eval"}, layer=3, shard=0, inputs=S3),
    LossTask(**COMMON, outputs=INLINE),
    LossTask(**COMMON, outputs=S3),
    BackwardTask(**COMMON, layer=2, shard=1, grad=INLINE, grad_kind="dz", batch_cost=0.69),
    BackwardTask(**COMMON, layer=1, shard=0, grad=S3, grad_kind="da", batch_cost=0.5),
]


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.kind)
def test_every_task_round_trips_through_its_json(task: Any) -> None:
    assert type(task).model_validate_json(task.model_dump_json()) == task
    parsed = parse_task(task.model_dump_json())
    assert type(parsed) is type(task) and parsed == task
    assert TaskAdapter.validate_json(TaskAdapter.dump_json(task)) == task


def test_inline_payload_survives_the_trip() -> None:
    task = parse_task(LossTask(**COMMON, outputs=INLINE).model_dump_json().encode())
    assert isinstance(task, LossTask) and isinstance(task.outputs, InlineArray)
    assert task.outputs.to_numpy().tobytes() == INLINE.to_numpy().tobytes()


def _body(**fields: Any) -> str:
    return json.dumps({**COMMON, **fields})


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("not json", "invalid task: Invalid JSON"),
        ("[1, 2]", "invalid task: Input should be an object"),
        (_body(layer=1, shard=0), "Unable to extract tag using discriminator 'kind'"),
        (_body(kind="sideways"), "Input tag 'sideways' found using 'kind' does not match"),
        (_body(kind="forward", layer=0, shard=0), "forward.layer: Input should be greater than"),
        (_body(kind="forward", layer=1, shard=-1), "forward.shard: Input should be greater than"),
        (_body(kind="forward", layer=1, shard=0, extra=1), "forward.extra: Extra inputs are not"),
        (_body(kind="forward", layer=2, shard=0), "forward: layer 2 needs inputs (A of layer 1)"),
        (
            _body(kind="forward", layer=1, shard=0, inputs=S3.model_dump()),
            "layer 1 reads the data plan; inputs must be null",
        ),
        (
            _body(
                kind="backward",
                layer=1,
                shard=0,
                grad=S3.model_dump(),
                grad_kind="dz",
                batch_cost="0.3",
            ),
            "backward.batch_cost: expected a number",
        ),
        (
            _body(
                kind="backward",
                layer=1,
                shard=0,
                grad=S3.model_dump(),
                grad_kind="dz",
                batch_cost=float("nan"),
            ),
            "backward.batch_cost: Input should be a finite number (got nan)",
        ),
        (_body(kind="step_done", batch_cost=0.3), "does not match any of the expected tags"),
        (_body(kind="loss"), "loss.outputs: Field required"),
        (
            _body(kind="loss", run_id="bad/id", outputs=S3.model_dump()),
            "loss.run_id: String should match pattern",
        ),
        (
            json.dumps(
                {
                    **COMMON,
                    "phase": "eval",
                    "kind": "backward",
                    "layer": 1,
                    "shard": 0,
                    "grad": S3.model_dump(),
                    "grad_kind": "dz",
                    "batch_cost": 0.1,
                }
            ),
            "backward tasks exist only in the train phase",
        ),
        (
            _body(kind="eval_done", metrics={"train_cost": 0.1, "train_accuracy": 1.0}),
            "kind",  # results never travel as a message: a forged one has no kind to be
        ),
    ],
)
def test_invalid_tasks_raise_one_line_message_errors(body: str, expected: str) -> None:
    with pytest.raises(MessageError) as info:
        parse_task(body)
    message = str(info.value)
    assert expected in message and "\n" not in message
    assert message.startswith("invalid task: ")
    assert isinstance(info.value.__cause__, ValidationError)


def test_trainer_queue_messages() -> None:
    cancel = CancelRun(run_id="run-1", token="the-publisher-s-secret")
    assert cancel.reason == "cancelled by user"
    assert parse_trainer_message(cancel.model_dump_json()) == cancel
    forged = {**COMMON, "kind": "eval_done", "metrics": {"train_cost": 0.001}}
    with pytest.raises(MessageError, match="kind is train_request"):
        parse_trainer_message(json.dumps(forged))
    with pytest.raises(MessageError, match="kind is train_request"):
        parse_trainer_message(TASKS[0].model_dump_json())
    with pytest.raises(MessageError, match="expected a JSON object"):
        parse_trainer_message("[]")


def test_errors_render_as_one_line_per_field() -> None:
    with pytest.raises(ValidationError) as info:
        ForwardTask(**{**COMMON, "epoch": -1}, layer=0, shard=0)
    assert format_validation_error(info.value) == (
        "epoch: Input should be greater than or equal to 0 (got -1); "
        "layer: Input should be greater than or equal to 1 (got 0)"
    )


def test_a_refused_cancel_token_is_not_echoed() -> None:
    """A near miss of a run's token must not reach logs, events or a run's reason."""
    near_miss = "the-publisher-s-secret "  # a stray space
    body = json.dumps({"kind": "cancel", "run_id": "run-1", "token": near_miss})
    with pytest.raises(MessageError) as info:
        parse_trainer_message(body)
    assert "cancel.token" in str(info.value) and "secret" not in str(info.value)
