"""What the sweep tests share: a small search on moons, run through `lnn sweep`, and each
trial's model checked against its own reference run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lnn.bench.workload import max_abs_diff
from lnn.cli.main import main
from lnn.datasets import load_dataset
from lnn.engines.reference import train_reference
from lnn.model_file import load_model
from lnn.prepare import prepare, split
from lnn.runs import MODEL_FILE
from lnn.sweep.store import DirectorySweepStore
from lnn.sweep.types import SweepRecord, TrialStatus, trial_dir

TOLERANCE = 1e-9
SEARCH = "lr=log:1e-2:1,batch-size=choice:32|0,l2=0:0.5"
TRAIN = [
    "--dataset", "moons", "--samples", "120", "--layers", "4:relu,1:sigmoid",
    "--epochs", "6", "--holdout", "0.25", "--telemetry-every", "off",
]  # fmt: skip


def sweep(capsys: pytest.CaptureFixture[str], out: Path, *options: str) -> tuple[int, dict]:
    """`lnn sweep` with the small search and ``options``; its exit code and JSON line."""
    argv = ["sweep", *TRAIN, "--search", SEARCH, "--out", str(out), "--json", *options]
    code = main(argv)
    lines = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(lines[-1])


def record_of(out: Path) -> SweepRecord:
    record = DirectorySweepStore(out).held()
    assert record is not None
    return record


def assert_trials_equal_their_reference_runs(out: Path) -> None:
    record = record_of(out)
    data = prepare(
        load_dataset("moons", samples=120),
        [{"units": 4, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}],
    )
    for trial in record.trials:
        assert trial.status == TrialStatus.SUCCEEDED, trial.reason
        columns = split(data, holdout=trial.config.holdout, seed=trial.config.seed)
        expected = train_reference(trial.config, columns)
        got = load_model(trial_dir(out, trial.index) / MODEL_FILE).params
        assert max_abs_diff(got, expected.params) <= TOLERANCE
        assert trial.final_cost == pytest.approx(expected.final_cost, abs=TOLERANCE)
        assert trial.dev_accuracy == expected.dev_accuracy
