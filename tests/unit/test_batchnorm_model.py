"""A batch-normalized model from `lnn train --layers 8:relu:bn,...` to model.npz, `lnn predict`
and the decision boundary: every one of them evaluates with the running averages."""

import json
from pathlib import Path

import numpy as np
import pytest

from functions.nn.activations import get_activation
from functions.nn.batchnorm import BatchNorm
from functions.nn.predict import predict_plane, predict_proba
from functions.nn.types import Array, Params
from lnn.cli.main import main
from lnn.datasets import load_dataset
from lnn.model_file import load_model, save_model
from lnn.plots import plot_decision_boundary
from lnn.watch.boundary import boundary_section

LAYERS = "8:relu:bn,4:tanh:bn,1:sigmoid"
NORMALIZED = ("W", "gamma", "beta", "running_mean", "running_var")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """moons in mini-batches of 64 (the last batch of each epoch smaller), bn settings given."""
    out = tmp_path_factory.mktemp("bn") / "run"
    argv = ["train", "--engine", "reference", "--dataset", "moons", "--layers", LAYERS]
    argv += ["--epochs", "12", "--batch-size", "64", "--lr", "0.05", "--optimizer", "adam"]
    argv += ["--bn-momentum", "0.2", "--bn-epsilon", "1e-4", "--out", str(out), "--json"]
    assert main(argv) == 0
    return out


def by_hand(params: Params, x: Array, epsilon: float) -> Array:
    """Evaluation written out: Z = W A, normalized by the running averages, g(Z_tilde)."""
    a = x
    for layer, activation in zip(params, ("relu", "tanh"), strict=False):
        z = layer["W"] @ a
        z_norm = (z - layer["running_mean"]) / np.sqrt(layer["running_var"] + epsilon)
        a = get_activation(activation).forward(layer["gamma"] * z_norm + layer["beta"])
    return get_activation("sigmoid").forward(params[2]["W"] @ a + params[2]["b"])


def test_the_model_file_holds_the_normalized_layers(trained: Path) -> None:
    with np.load(trained / "model.npz", allow_pickle=False) as npz:
        names = set(npz.files)
        config = json.loads(str(npz["config"]))
    expected = {f"{name}{n}" for n in (1, 2) for name in NORMALIZED} | {"W3", "b3", "config"}
    assert names == expected  # no b1, b2: beta does their work
    assert [layer["batch_norm"] for layer in config["layers"]] == [True, True, False]
    assert (config["bn_momentum"], config["bn_epsilon"]) == (0.2, 1e-4)
    model = load_model(trained / "model.npz")
    assert [spec.norm for spec in model.specs] == [BatchNorm(0.2, 1e-4), BatchNorm(0.2, 1e-4), None]
    # Training moved the running averages away from their start (mean 0, variance 1).
    assert not np.allclose(model.params[0]["running_mean"], 0.0)
    assert not np.allclose(model.params[1]["running_var"], 1.0)


def test_a_model_round_trips_byte_for_byte(trained: Path, tmp_path: Path) -> None:
    model = load_model(trained / "model.npz")
    again = load_model(save_model(tmp_path / "model.npz", model.params, model.config))
    assert again.config == model.config
    for layer, same in zip(model.params, again.params, strict=True):
        assert sorted(layer) == sorted(same)
        assert all(layer[name].tobytes() == same[name].tobytes() for name in layer)


def test_predict_evaluates_with_the_running_averages(
    trained: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    predict = ["predict", "--model", str(trained / "model.npz"), "--dataset", "moons"]
    assert main([*predict, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    model = load_model(trained / "model.npz")
    x = load_dataset("moons").x_train.T
    proba = np.array(result["probabilities"])[:, 0]
    np.testing.assert_allclose(proba, by_hand(model.params, x, 1e-4)[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(proba, predict_proba(model.params, x, model.specs)[0], atol=1e-12)
    # One sample alone gets the same probability: no batch statistics are involved.
    alone = predict_proba(model.params, x[:, 5:6], model.specs)[0, 0]
    assert alone == pytest.approx(proba[5], abs=1e-12)


def test_the_decision_boundary_of_a_normalized_model(trained: Path, tmp_path: Path) -> None:
    assert (trained / "boundary.png").stat().st_size > 0
    model = load_model(trained / "model.npz")
    moons = load_dataset("moons")
    x, y = moons.x_train.T, moons.y_train.reshape(1, -1).astype(np.float64)
    xs, ys, plane = predict_plane(model.params, x, model.specs, 7)
    corner = np.array([[xs[0]], [ys[-1]]])  # the plane's last row, first column
    np.testing.assert_allclose(plane[0, -1, 0], by_hand(model.params, corner, 1e-4)[0, 0])
    path = plot_decision_boundary(model.params, model.specs, x, y, tmp_path / "b.png", "bn")
    assert path.read_bytes().startswith(b"\x89PNG")
    section = boundary_section(model.params, model.specs, x, y, step=3)
    assert len(section["z"]) == len(section["y"]) and all(np.isfinite(section["z"][0]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"drop": "gamma1"}, "layer 1 needs W1, gamma1, beta1, running_mean1, running_var1"),
        ({"add": ("b2", (4, 1))}, "layer 2 needs W2, gamma2, beta2, running_mean2, running_var2"),
        ({"add": ("gamma1", (3, 1))}, "gamma1 has shape (3, 1); the config's layer 1 needs (8, 1)"),
        ({"add": ("running_var2", (4,))}, "running_var2 has shape (4,); the config's layer 2"),
        # moons has 2 features: a W1 three wide would fail inside the first matmul
        ({"add": ("W1", (8, 3))}, "W1 has shape (8, 3); the config's layer 1 needs (8, 2)"),
        ({"config": {"n_features": None}}, "its config has no n_features"),
    ],
)
def test_a_broken_model_file_is_one_line_and_exit_2(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict, message: str
) -> None:
    with np.load(trained / "model.npz", allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    if "drop" in change:
        del arrays[change["drop"]]
    elif "config" in change:
        config = {**json.loads(str(arrays["config"])), **change["config"]}
        arrays["config"] = np.array(json.dumps(config))
    else:
        name, shape = change["add"]
        arrays[name] = np.ones(shape)
    broken = tmp_path / "model.npz"
    np.savez(broken, **arrays)
    capsys.readouterr()
    assert main(["predict", "--model", str(broken), "--dataset", "moons"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert captured.out == "" and len(lines) == 1, captured.err
    assert lines[0].startswith(f"lnn: error: {broken} is not an lnn model.npz (")
    assert message in lines[0]
