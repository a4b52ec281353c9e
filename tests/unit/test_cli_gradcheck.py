"""`lnn gradcheck`: the engines' sharded backprop agrees with numerical gradients; a wrong
derivative fails it; bad architectures exit 2."""

import json

import pytest

from functions.nn.activations import Tanh
from lnn.cli.main import main


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["gradcheck", *args, "--json"])
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return code, json.loads(out)


def test_the_standard_grid_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = run_json(capsys)
    assert code == 0 and result["passed"] is True
    # 4 hidden activations x 3 outputs x batch norm on/off x L2 on/off x dropout on/off
    assert result["cases"] == 96
    assert result["worst"]["relative_difference"] < 1e-7 and result["threshold"] == 1e-7
    # Every layer of the grid (5, 3 and 2 or 3 output units) is cut in two by default.
    assert result["shards"] == 2 and result["worst"]["shards_per_layer"] == [2, 2, 2]


def test_more_shards_than_units_gives_one_unit_per_shard(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, result = run_json(capsys, "--layers", "5:relu,3:softmax", "--shards", "4")
    assert code == 0 and result["shards"] == 4
    assert result["worst"]["shards_per_layer"] == [4, 3]


def test_a_wrong_derivative_fails_the_check(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # tanh' written as 1 - a instead of 1 - a^2, in the code the shards train with.
    monkeypatch.setattr(Tanh, "backward", lambda self, z, a, da: da * (1.0 - a))
    code, result = run_json(capsys, "--layers", "4:tanh,2:linear")
    assert code == 1 and result["passed"] is False
    assert result["worst"]["relative_difference"] > 1e-2


def test_one_architecture_with_l2_and_dropout(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = run_json(
        capsys, "--layers", "3:tanh,1:sigmoid", "--l2", "0.5", "--dropout", "0.8"
    )
    assert code == 0 and result["cases"] == 1
    assert result["worst"]["case"] == "3:tanh,1:sigmoid"
    assert 0 < result["worst"]["relative_difference"] < 1e-7


def test_plain_output_names_the_worst_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gradcheck", "--layers", "3:tanh,1:sigmoid"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[-1].startswith("worst relative difference: ")


@pytest.mark.parametrize(
    ("args", "part"),
    [
        (["--layers", "3:softmax,1:sigmoid"], "softmax"),
        (["--layers", "0:relu,1:sigmoid"], "units"),
        (["--layers", "3:foo"], "foo"),
        (["--layers", "3:tanh,1:sigmoid", "--features", "0"], "--features"),
        (["--dropout", "0"], "--dropout"),
        (["--shards", "0"], "--shards"),
        (["--layers", "500:tanh,1:sigmoid", "--features", "100"], "too many"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], part: str
) -> None:
    assert main(["gradcheck", *args]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and part in err[0]


def test_batch_norm_layers_are_checked_with_several_shards_dropout_and_l2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    layers = "6:relu:bn,5:tanh:bn,3:softmax"
    code, result = run_json(
        capsys, "--layers", layers, "--shards", "3", "--dropout", "0.8", "--l2", "0.5"
    )
    assert code == 0 and result["passed"] is True
    assert result["worst"]["relative_difference"] < 1e-7
    assert result["worst"]["shards_per_layer"] == [3, 3, 3]
    # A batch of one sample: Z_norm is 0, and the check still holds (eps keeps it finite).
    code, result = run_json(capsys, "--layers", "3:relu:bn,1:sigmoid", "--samples", "1")
    assert code == 0 and result["passed"] is True
