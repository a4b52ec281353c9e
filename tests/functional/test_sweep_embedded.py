"""`lnn sweep` on the embedded engine: concurrent trials on one stack, each equal to its own
reference run, also under chaos; the record kept on the stack; a resumed sweep runs only
the trials that were not done; successive halving stops trials and says why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sweeps import SEARCH, TRAIN, assert_trials_equal_their_reference_runs, record_of, sweep

from lnn.cli.main import main
from lnn.sweep.store import DirectorySweepStore
from lnn.sweep.types import TrialStatus, trial_dir

CHAOS = "duplicate=0.3,crash-before=0.05,crash-after=0.05,throttle=0.05,seed=3"


@pytest.mark.parametrize("chaos", [(), ("--chaos", CHAOS)], ids=["clean", "chaos"])
def test_concurrent_trials_equal_their_reference_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, chaos: tuple[str, ...]
) -> None:
    code, line = sweep(capsys, tmp_path, "--trials", "3", "--concurrency", "3", *chaos)
    assert code == 0, line
    assert line["statuses"] == {"SUCCEEDED": 3}
    assert_trials_equal_their_reference_runs(tmp_path)
    record = record_of(tmp_path)
    assert record.best is not None and line["best"] == record.trials[record.best].name
    best_model = trial_dir(tmp_path, record.best) / "model.npz"
    assert (tmp_path / "model.npz").read_bytes() == best_model.read_bytes()


def test_a_resumed_sweep_runs_only_the_trials_not_done(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _ = sweep(capsys, tmp_path, "--trials", "3", "--sweep-id", "again")
    assert code == 0
    store = DirectorySweepStore(tmp_path)
    record = record_of(tmp_path)
    # As a sweep that died with its last trial running leaves it.
    trials = list(record.trials)
    trials[2] = trials[2].model_copy(update={"status": TrialStatus.RUNNING, "final_cost": None})
    store.save(record.model_copy(update={"trials": trials}))
    kept = (trial_dir(tmp_path, 0) / "model.npz").stat().st_mtime_ns
    (trial_dir(tmp_path, 2) / "model.npz").unlink()
    code, line = sweep(capsys, tmp_path, "--trials", "3", "--sweep-id", "again")
    assert code == 0 and line["statuses"] == {"SUCCEEDED": 3}
    assert (trial_dir(tmp_path, 0) / "model.npz").stat().st_mtime_ns == kept
    assert (trial_dir(tmp_path, 2) / "model.npz").is_file()
    assert_trials_equal_their_reference_runs(tmp_path)


def test_a_sweep_id_with_other_trials_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _ = sweep(
        capsys, tmp_path, "--trials", "2", "--sweep-id", "mine", "--engine", "reference"
    )
    assert code == 0
    argv = ["sweep", "--search", "lr=log:1e-3:1", "--trials", "2", "--sweep-id", "mine"]
    assert main([*argv, "--engine", "reference", "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "sweep mine exists already with other trials" in error[0]


def test_halving_stops_trials_at_the_rung_and_says_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    options = ("--trials", "4", "--concurrency", "2", "--rungs", "2", "--keep", "0.5")
    code, line = sweep(capsys, tmp_path, *options, "--eval-every", "1")
    assert code == 0, line
    record = record_of(tmp_path)
    stopped = [t for t in record.trials if t.status == TrialStatus.STOPPED]
    assert stopped and record.trials[0].status == TrialStatus.SUCCEEDED
    for trial in stopped:
        assert trial.stopped_at == 2 and 2 in trial.rung_scores
        assert "stopped at epoch 2 by successive halving" in (trial.reason or "")
        history = json.loads((trial_dir(tmp_path, trial.index) / "history.json").read_text())
        assert [h["epoch"] for h in history][:2] == [1, 2]  # it keeps what it trained
    assert record.best is not None
    assert record.trials[record.best].status == TrialStatus.SUCCEEDED


def test_a_lambda_quota_caps_how_many_trials_run_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # One shard a layer: a trial has up to 2 executions at once, 3 trials 6; a quota of 3
    # serves one trial at a time.
    options = ["--trials", "3", "--concurrency", "3", "--lambda-quota", "3"]
    assert main(["sweep", *TRAIN, "--search", SEARCH, "--out", str(tmp_path), *options]) == 0
    said = capsys.readouterr().err
    assert "3 trials at once need up to 3 x 2 = 6 concurrent Lambda executions" in said
    record = record_of(tmp_path)
    assert record.concurrency == 1
    assert [t.status for t in record.trials] == [TrialStatus.SUCCEEDED] * 3
