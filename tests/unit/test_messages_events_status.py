"""Lifecycle events and the stored run status."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from messages import (
    EpochCompleted,
    HistoryEntry,
    LayerSpecModel,
    MessageError,
    RunAccepted,
    RunCancelled,
    RunFailed,
    RunRecord,
    RunStatus,
    RunSucceeded,
    format_validation_error,
    parse_event,
)

AT = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
LAYERS = [LayerSpecModel(units=3, activation="relu"), LayerSpecModel(units=1, activation="sigmoid")]

EVENTS = [
    RunAccepted(run_id="r1", dataset="moons", layers=LAYERS, epochs=10, at=AT),
    EpochCompleted(run_id="r1", epoch=3, cost=0.4, train_accuracy=0.9, at=AT),
    RunSucceeded(
        run_id="r1",
        model_key="runs/r1/model.npz",
        final_cost=0.1,
        train_accuracy=1.0,
        dev_accuracy=0.8,
        test_accuracy=0.75,
        epochs=10,
        at=AT,
    ),
    RunFailed(run_id="r1", reason="output layer has 2 units but y_train has 1 rows", at=AT),
    RunCancelled(run_id="r1", reason="cancelled by user", at=AT),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.event)
def test_every_event_round_trips(event: Any) -> None:
    assert type(event).model_validate_json(event.model_dump_json()) == event
    assert parse_event(event.model_dump_json()) == event


def test_event_timestamp_defaults_to_now_and_must_be_aware() -> None:
    before = datetime.now(UTC)
    assert RunFailed(run_id="r1", reason="x").at >= before
    with pytest.raises(ValidationError) as info:
        RunFailed(run_id="r1", reason="x", at=datetime(2024, 1, 1))
    assert "at: Input should have timezone info" in format_validation_error(info.value)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"event": "run_exploded", "run_id": "r1"}, "Input tag 'run_exploded'"),
        (
            {
                "event": "epoch_completed",
                "run_id": "r1",
                "epoch": 1,
                "cost": 0.2,
                "test_accuracy": 2,
            },
            "epoch_completed.test_accuracy: Input should be less than or equal to 1 (got 2)",
        ),
        ({"event": "run_failed", "run_id": "r1", "reason": ""}, "run_failed.reason: String should"),
        ({"event": "run_failed", "run_id": "r1", "reason": "x", "n": 1}, "run_failed.n: Extra"),
    ],
)
def test_invalid_events_are_rejected(body: dict[str, Any], expected: str) -> None:
    with pytest.raises(MessageError) as info:
        parse_event(json.dumps(body))
    assert expected in str(info.value)


def test_run_status_terminality_and_wire_value() -> None:
    assert {s for s in RunStatus if s.is_terminal} == {
        RunStatus.SUCCEEDED,
        RunStatus.FAILED,
        RunStatus.CANCELLED,
    }
    assert RunStatus("RUNNING") is RunStatus.RUNNING and str(RunStatus.FAILED) == "FAILED"


def _record(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "run_id": "r1",
        "status": "RUNNING",
        "dataset": "moons",
        "epochs": 10,
        "epoch": 4,
        "step": 40,
        "created_at": AT,
        "updated_at": AT + timedelta(seconds=5),
    }
    return {**fields, **overrides}


def test_run_record_and_history_round_trip() -> None:
    record = RunRecord.model_validate(_record(status="SUCCEEDED", model_key="m", final_cost=0.2))
    assert record.status is RunStatus.SUCCEEDED and record.reason is None
    assert json.loads(record.model_dump_json())["status"] == "SUCCEEDED"
    assert RunRecord.model_validate_json(record.model_dump_json()) == record
    entry = HistoryEntry(epoch=4, cost=0.3, dev_accuracy=0.5)
    assert HistoryEntry.model_validate_json(entry.model_dump_json()) == entry


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"status": "DONE"}, "status: Input should be 'PENDING', 'RUNNING'"),
        ({"epoch": 11}, "epoch 11 is past the run's 10 epochs"),
        ({"updated_at": AT - timedelta(seconds=1)}, "updated_at is before created_at"),
        ({"final_cost": float("nan")}, "final_cost: Input should be a finite number"),
    ],
)
def test_inconsistent_run_records_are_rejected(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as info:
        RunRecord.model_validate(_record(**overrides))
    assert expected in format_validation_error(info.value)


def test_a_running_record_without_progress_past_the_limit_is_stalled() -> None:
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 1, 1, tzinfo=UTC)
    record = RunRecord(
        run_id="r",
        status="RUNNING",
        created_at=start,
        updated_at=start,
        progress_at=start + timedelta(seconds=10),
        step=7,
    )
    assert not record.stalled(300, now=start + timedelta(seconds=300))
    assert record.stalled(300, now=start + timedelta(seconds=311))
    assert "no progress for more than 300 s" in record.stalled_reason(300)
    assert "step 7" in record.stalled_reason(300)
    finished = record.model_copy(update={"status": "SUCCEEDED"})
    assert not finished.stalled(300, now=start + timedelta(days=1))
