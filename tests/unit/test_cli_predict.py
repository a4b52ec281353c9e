"""`lnn predict` with a model trained in-process by `lnn train --engine reference`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from functions.nn.layers import LayerSpec
from functions.nn.predict import predict_proba
from lnn.cli.main import main
from lnn.datasets import load_dataset

SPECS = [LayerSpec(4, "tanh"), LayerSpec(1, "sigmoid")]


@pytest.fixture
def trained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict]:
    """A flower model after 30 epochs, and its training summary."""
    out = tmp_path / "run"
    argv = ["train", "--engine", "reference", "--dataset", "flower", "--layers", "4:tanh,1:sigmoid"]
    assert main([*argv, "--epochs", "30", "--lr", "1.2", "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    return out / "model.npz", summary


def model_proba(model: Path, x: np.ndarray) -> np.ndarray:
    with np.load(model, allow_pickle=False) as npz:
        params = [{"W": npz[f"W{i}"], "b": npz[f"b{i}"]} for i in (1, 2)]
    return predict_proba(params, x.T, SPECS)[0]


def predict_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["predict", *args, "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)


def test_dataset_predictions_match_the_training_accuracy(
    trained: tuple[Path, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    model, summary = trained
    result = predict_json(capsys, "--model", str(model), "--dataset", "flower")
    assert result["n"] == 400
    assert result["accuracy"] == pytest.approx(summary["train_accuracy"])
    flower = load_dataset("flower")
    proba = model_proba(model, flower.x_train)
    np.testing.assert_allclose(np.array(result["probabilities"])[:, 0], proba)
    assert result["labels"] == (proba > 0.5).astype(int).tolist()


def test_npz_input_without_labels(
    trained: tuple[Path, dict], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model, _ = trained
    x = np.array([[0.0, 2.0], [1.5, -1.0], [-3.0, 0.5]])
    path = tmp_path / "points.npz"
    np.savez(path, x=x)
    result = predict_json(capsys, "--model", str(model), "--input", str(path))
    assert result["n"] == 3 and result["accuracy"] is None
    np.testing.assert_allclose(np.array(result["probabilities"])[:, 0], model_proba(model, x))


def test_csv_input_with_labels_prints_one_line_per_sample(
    trained: tuple[Path, dict], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model, _ = trained
    x = np.array([[0.0, 2.0], [1.5, -1.0], [-3.0, 0.5], [0.2, 0.2]])
    proba = model_proba(model, x)
    labels = (proba > 0.5).astype(int)
    labels[0] = 1 - labels[0]  # one wrong label: accuracy 3/4
    path = tmp_path / "points.csv"
    np.savetxt(path, np.column_stack([x, labels]), delimiter=",", header="a,b,label", comments="")
    assert main(["predict", "--model", str(model), "--input", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and lines[-1].startswith("accuracy: 0.7500")
    for i, line in enumerate(lines[:4]):
        index, label, p = line.split()
        assert (int(index), int(label)) == (i, int(proba[i] > 0.5))
        assert float(p) == pytest.approx(proba[i], abs=1e-4)


def test_csv_input_of_features_only(
    trained: tuple[Path, dict], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model, _ = trained
    x = np.array([[0.5, 1.0], [2.0, -2.0]])
    path = tmp_path / "features.csv"
    np.savetxt(path, x, delimiter=",")
    result = predict_json(capsys, "--model", str(model), "--input", str(path))
    np.testing.assert_allclose(np.array(result["probabilities"])[:, 0], model_proba(model, x))


def test_mismatched_feature_count_exits_2(
    trained: tuple[Path, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    model, _ = trained
    assert main(["predict", "--model", str(model), "--dataset", "iris"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "4 features" in err[0] and "expects 2" in err[0]


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04" + bytes(40), b"\x93NUMPY garbage"])
def test_unreadable_model_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes
) -> None:
    model = tmp_path / "model.npz"
    model.write_bytes(content)
    assert main(["predict", "--model", str(model), "--dataset", "flower"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "model.npz" in err[0] and "Traceback" not in err[0]


def test_regression_model_predicts_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rng = np.random.default_rng(0)
    x = rng.random((40, 3))
    data = tmp_path / "reg.csv"
    np.savetxt(data, np.column_stack([x, x.sum(axis=1) + 0.25]), delimiter=",")
    out = tmp_path / "run"
    train = [
        "train",
        "--engine",
        "reference",
        "--dataset",
        str(data),
        "--layers",
        "3:relu,1:linear",
    ]
    assert main([*train, "--epochs", "5", "--out", str(out), "--json"]) == 0
    capsys.readouterr()
    assert main(["predict", "--model", str(out / "model.npz"), "--input", str(data)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 40
    index, value, same = lines[0].split()
    assert index == "0" and float(value) == pytest.approx(float(same), abs=1e-4)


def test_a_reader_that_went_away_ends_predict_quietly(trained: tuple[Path, dict]) -> None:
    """`lnn predict ... | head`: the reader closes the pipe; no traceback, exit 141 as a
    shell reports for SIGPIPE."""
    model, _ = trained
    command = [sys.executable, "-m", "lnn.cli.main", "predict", "--model", str(model)]
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE, as after `head` has exited
    try:
        done = subprocess.run(
            [*command, "--dataset", "flower"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 141
