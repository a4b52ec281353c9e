"""`lnn sweep --engine endpoint` on `lnn up --workers 2`: the trials go through the submit
path of any client, run concurrently on the served stack, each equal to its own reference
run; the sweep's record is on the stack, where `lnn sweep status` and `lnn export` find it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from served import FAKE_AWS, lnn_up
from sweeps import assert_trials_equal_their_reference_runs, record_of, sweep

from lnn.cli.main import main
from lnn.sweep.types import SweepRecord


@pytest.fixture
def served_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with lnn_up(tmp_path, "--workers", "2") as served:
        served.deploy(tmp_path, max_depth=2)
        for key, value in FAKE_AWS.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("AWS_ENDPOINT_URL", served.endpoint_url)
        yield


@pytest.mark.usefixtures("served_stack")
def test_a_sweep_on_lnn_up_trains_its_trials_as_their_reference_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    options = ("--engine", "endpoint", "--trials", "3", "--concurrency", "3", "--sweep-id", "up1")
    code, line = sweep(capsys, out, *options, "--stall-after", "120")
    assert code == 0, line
    assert line["statuses"] == {"SUCCEEDED": 3}
    assert_trials_equal_their_reference_runs(out)

    # The record on the stack is the sweep's: status reads it there by its id.
    assert main(["sweep", "status", "up1", "--engine", "endpoint", "--json"]) == 0
    on_stack = SweepRecord.model_validate_json(capsys.readouterr().out)
    assert on_stack == record_of(out)
    assert [t.run_id for t in on_stack.trials] == ["up1-t00", "up1-t01", "up1-t02"]

    logdir = tmp_path / "tb"
    assert main(["export", "up1", "--tensorboard", str(logdir)]) == 0
    assert sorted(p.name for p in (logdir / "up1").iterdir() if p.is_dir()) == [
        "t00",
        "t01",
        "t02",
    ]
