"""A sweep on LocalStack on the host: `lnn sweep --engine endpoint` submits its trials to
the stack deployed there (served by `lnn up --endpoint-url --stack` from this checkout),
as on AWS; each trial equals its own reference run, and the record is on the stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from served_stack import ServedStack
from sweeps import SEARCH, TRAIN, assert_trials_equal_their_reference_runs

from lnn.sweep.types import SweepRecord

pytestmark = pytest.mark.localstack_host


def test_a_sweep_on_localstack_trains_each_trial_as_its_reference_run(
    served_stack: ServedStack, tmp_path: Path
) -> None:
    stack = ("--engine", "endpoint", "--stack", served_stack.stack)
    options = ("--trials", "2", "--concurrency", "2", "--sweep-id", "ls-sweep")
    swept = served_stack.lnn(
        "sweep", *TRAIN, "--search", SEARCH, *stack, *options, "--out", str(tmp_path), "--json"
    )
    assert swept.returncode == 0, swept.stderr
    assert json.loads(swept.stdout.splitlines()[-1])["statuses"] == {"SUCCEEDED": 2}
    assert_trials_equal_their_reference_runs(tmp_path)
    status = served_stack.lnn("sweep", "status", "ls-sweep", *stack, "--json")
    assert status.returncode == 0, status.stderr
    on_stack = SweepRecord.model_validate_json(status.stdout)
    assert [t.run_id for t in on_stack.trials] == ["ls-sweep-t00", "ls-sweep-t01"]
