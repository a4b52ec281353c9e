"""`lnn follow`'s summary describes the run, not the follow: elapsed_s from the run record."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lnn.cli.waiting import follow_run
from messages.status import RunRecord, RunStatus

STARTED = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


class FinishedRun:
    """A stack client whose run ended long before anyone followed it."""

    def __init__(self, record: RunRecord) -> None:
        self.record = record

    def wait(self, run_id: str, **options: object) -> RunRecord:
        assert run_id == self.record.run_id
        return self.record

    def download_model(self, run_id: str, path: Path) -> Path:
        return path


def test_elapsed_is_the_runs_duration_from_its_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    record = RunRecord(
        run_id="run-1",
        status=RunStatus.SUCCEEDED,
        epochs=3,
        epoch=3,
        created_at=STARTED,
        updated_at=STARTED + timedelta(minutes=14, seconds=2.25),
        final_cost=0.25,
    )
    code = follow_run(
        FinishedRun(record),  # type: ignore[arg-type]
        "run-1",
        timeout=0,
        poll=0.01,
        out=None,
        as_json=True,
    )
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0
    assert line["elapsed_s"] == 842.25
    assert line["status"] == "SUCCEEDED" and line["epochs"] == 3
