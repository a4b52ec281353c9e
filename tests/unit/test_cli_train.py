"""`lnn train` in-process on the reference engine: the JSON summary, the files in --out."""

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from functions.training.config import initial_params
from lnn.cli import train as train_cli
from lnn.cli.main import main
from lnn.engines.base import TrainingResult
from messages.train_request import TrainConfig

SUMMARY_KEYS = {
    "run_id",
    "status",
    "epochs",
    "final_cost",
    "train_accuracy",
    "dev_accuracy",
    "test_accuracy",
    "elapsed_s",
    "model_path",
}


def train(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    """Run `lnn train --engine reference --json ARGS`; return exit code, summary, stdout."""
    code = main(["train", "--engine", "reference", "--json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out.splitlines()[-1]), out


def test_json_summary_is_the_last_line_and_complete(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, line, _ = train(capsys, "--epochs", "3", "--out", str(tmp_path))
    assert code == 0
    assert set(line) >= SUMMARY_KEYS
    assert line["status"] == "SUCCEEDED" and line["epochs"] == 3
    assert 0.0 <= line["train_accuracy"] <= 1.0 and line["final_cost"] > 0
    assert line["dev_accuracy"] is None and line["test_accuracy"] is None
    assert line["elapsed_s"] >= 0 and Path(line["model_path"]) == tmp_path / "model.npz"


def test_the_summarys_elapsed_is_the_reports(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One measurement, taken when training ended: the summary and report.html agree."""
    ticks = iter(range(0, 10**6, 10))
    monkeypatch.setattr(train_cli, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    code, line, _ = train(capsys, "--epochs", "2", "--out", str(tmp_path))
    assert code == 0 and line["elapsed_s"] == 10.0
    assert '"elapsed_s":10.0' in (tmp_path / "report.html").read_text()


def test_out_holds_model_history_and_plots(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, line, _ = train(
        capsys,
        "--dataset",
        "flower",
        "--layers",
        "4:tanh,1:sigmoid",
        "--epochs",
        "4",
        "--out",
        str(tmp_path),
    )
    assert code == 0
    with np.load(tmp_path / "model.npz", allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    assert set(arrays) == {"W1", "b1", "W2", "b2", "config"}
    shapes = {k: v.shape for k, v in arrays.items() if k != "config"}
    assert shapes == {"W1": (4, 2), "b1": (4, 1), "W2": (1, 4), "b2": (1, 1)}
    assert all(arrays[k].dtype == np.float64 for k in shapes)
    config = json.loads(str(arrays["config"]))
    assert config["layers"] == [
        {"units": 4, "activation": "tanh", "batch_norm": False},
        {"units": 1, "activation": "sigmoid", "batch_norm": False},
    ]
    assert config["run_id"] == line["run_id"] and config["n_features"] == 2
    history = json.loads((tmp_path / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2, 3, 4]
    assert history[-1]["cost"] == pytest.approx(line["final_cost"])
    for picture in ("cost.png", "boundary.png"):
        assert (tmp_path / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_boundary_plot_for_data_that_is_not_2d(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, _ = train(
        capsys,
        "--dataset",
        "iris",
        "--layers",
        "3:softmax",
        "--epochs",
        "2",
        "--out",
        str(tmp_path),
    )
    assert code == 0
    assert (tmp_path / "cost.png").is_file() and not (tmp_path / "boundary.png").exists()


def test_zero_epochs_writes_the_initial_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, line, _ = train(
        capsys,
        "--layers",
        "5:relu,3:tanh,1:sigmoid",
        "--epochs",
        "0",
        "--seed",
        "7",
        "--init",
        "xavier",
        "--out",
        str(tmp_path),
    )
    assert code == 0 and line["epochs"] == 0
    layers = [
        {"units": 5, "activation": "relu"},
        {"units": 3, "activation": "tanh"},
        {"units": 1, "activation": "sigmoid"},
    ]
    expected = initial_params(TrainConfig(dataset="x", layers=layers, seed=7, init="xavier"), 2)
    with np.load(tmp_path / "model.npz", allow_pickle=False) as npz:
        for i, layer in enumerate(expected, start=1):
            np.testing.assert_array_equal(npz[f"W{i}"], layer["W"])
            np.testing.assert_array_equal(npz[f"b{i}"], layer["b"])
    assert json.loads((tmp_path / "history.json").read_text()) == []


def test_holdout_reports_a_dev_accuracy(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, line, _ = train(capsys, "--holdout", "0.2", "--epochs", "2", "--out", str(tmp_path))
    assert code == 0 and 0.0 <= line["dev_accuracy"] <= 1.0
    assert line["test_accuracy"] is None


def test_cat_reports_a_test_accuracy(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_cat: Path
) -> None:
    out = tmp_path / "run"
    code, line, _ = train(
        capsys, "--dataset", "cat", "--layers", "1:sigmoid", "--epochs", "2", "--out", str(out)
    )
    assert code == 0
    # The accuracy over m test images is a multiple of 1/m.
    m = len(np.load(tiny_cat)["test_y"])
    assert line["test_accuracy"] * m == pytest.approx(round(line["test_accuracy"] * m))
    assert line["dev_accuracy"] is None


def test_json_output_stays_clean_on_a_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, line, out = train(capsys, "--epochs", "5", "--out", str(tmp_path))
    assert code == 0 and line["epochs"] == 5
    assert out.count("\n") == 1 and "\x1b" not in out


def test_plain_output_off_a_terminal_has_no_progress_bar(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["train", "--engine", "reference", "--epochs", "3", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "SUCCEEDED" in out
    assert "\x1b" not in out and "━" not in out


def test_a_failed_run_exits_1_and_writes_no_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed = TrainingResult("r1", "FAILED", [], [], None, None, None, None, reason="boom")
    monkeypatch.setattr(train_cli, "run_engine", lambda *_: failed)
    code, line, _ = train(capsys, "--out", str(tmp_path))
    assert code == 1
    assert line["status"] == "FAILED" and line["reason"] == "boom"
    assert line["model_path"] is None and not (tmp_path / "model.npz").exists()
