"""`lnn sweep` on the reference engine (trials in processes): the same seed draws the same
trials and trains the same models; bad input is one line and exit 2; `lnn sweep status`
and `follow` read a sweep's directory and never wait for ever."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from lnn.cli.main import main
from lnn.model_file import load_model
from lnn.sweep.store import DirectorySweepStore
from lnn.sweep.types import SweepRecord, TrialStatus, trial_dir

TRAIN = ["--dataset", "moons", "--samples", "80", "--layers", "3:tanh,1:sigmoid", "--epochs", "4"]
SEARCH = "lr=log:1e-3:1,dropout=0.5:1,batch-size=choice:16|0"


def _sweep(out: Path, *options: str) -> int:
    argv = ["sweep", *TRAIN, "--engine", "reference", "--search", SEARCH, "--json"]
    return main([*argv, "--trials", "3", "--out", str(out), *options])


def _record(out: Path) -> SweepRecord:
    record = DirectorySweepStore(out).held()
    assert record is not None
    return record


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_the_same_seed_draws_the_same_trials_and_trains_the_same_models(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert _sweep(first, "--seed", "4") == 0
    assert _sweep(second, "--seed", "4") == 0
    assert _sweep(other, "--seed", "5") == 0
    a, b, c = _record(first), _record(second), _record(other)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.params for t in a.trials] != [t.params for t in c.trials]
    for trial in a.trials:
        mine = load_model(trial_dir(first, trial.index) / "model.npz").params
        twin = load_model(trial_dir(second, trial.index) / "model.npz").params
        for layer, twin_layer in zip(mine, twin, strict=True):
            assert sorted(layer) == sorted(twin_layer) == ["W", "b"]
            assert all(np.array_equal(layer[name], twin_layer[name]) for name in layer)
    assert a.best == b.best


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--search", "lr=log:0:1"], 'lr=log:0:1": log range bounds must be > 0'),
        (["--search", "holdout=0.1:0.3"], "holdout"),
        (["--search", "lr=0.1", "--method", "grid", "--trials", "3"], "the grid of this search"),
        (["--search", "lr=log:1e-3:1", "--rungs", "2", "--eval-every", "3"], "--rungs"),
        (["--search", "lr=log:1e-3:1", "--sweep-id", "no/slash"], "--sweep-id"),
        ([], "needs --search"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], expected: str
) -> None:
    code = main(["sweep", *TRAIN, "--engine", "reference", "--out", str(tmp_path), *options])
    assert code == 2
    assert expected in _one_error_line(capsys)
    assert not (tmp_path / "sweep.json").exists()  # nothing was started


def test_status_and_follow_read_the_sweep_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _sweep(tmp_path) == 0
    capsys.readouterr()
    assert main(["sweep", "status", str(tmp_path), "--json"]) == 0
    shown = SweepRecord.model_validate_json(capsys.readouterr().out)
    assert shown == _record(tmp_path)
    assert main(["sweep", "follow", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[1] for line in lines] == ["t00", "t01", "t02"]


def test_follow_gives_up_on_a_sweep_whose_process_is_gone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _sweep(tmp_path) == 0
    record = _record(tmp_path)
    trials = [t.model_copy(update={"status": TrialStatus.RUNNING}) for t in record.trials]
    old = datetime.now(UTC) - timedelta(minutes=5)
    DirectorySweepStore(tmp_path).save(
        record.model_copy(update={"trials": trials, "updated_at": old})
    )
    capsys.readouterr()
    assert main(["sweep", "follow", str(tmp_path), "--stall-after", "60"]) == 1
    assert "has not moved for" in _one_error_line(capsys)


def test_the_json_line_names_the_best_trial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _sweep(tmp_path) == 0
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    record = _record(tmp_path)
    assert record.metric == "train_accuracy"  # moons has no dev split by default
    best = record.trials[record.best or 0]
    assert line["best"] == best.name and line["best_params"] == best.params
    assert best.train_accuracy == max(t.train_accuracy or 0 for t in record.trials)
