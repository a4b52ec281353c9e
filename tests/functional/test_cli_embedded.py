"""`lnn train` on the default (embedded) engine: the contract's JSON line, and a network
deeper than the stack is bad input (exit 2, one line), not a traceback."""

import json

import pytest

from lnn.cli.main import main


def test_embedded_run_prints_the_summary_with_calls_and_hops(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    code = main(
        [
            "train",
            "--dataset",
            "xor",
            "--layers",
            "3:tanh,1:sigmoid",
            "--epochs",
            "3",
            "--lr",
            "0.5",
            "--json",
            "--out",
            str(tmp_path),
        ]
    )
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and summary["status"] == "SUCCEEDED"
    assert summary["engine"] == "embedded" and summary["epochs"] == 3
    assert summary["api_calls"]["dynamodb.UpdateItem"] > 0
    assert summary["hops"] >= 3 * 6  # forward 2 + loss + backward 2 + trainer, per step
    assert (tmp_path / "model.npz").is_file()


def test_network_deeper_than_the_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    layers = ",".join(["2:relu"] * 8 + ["1:sigmoid"])
    code = main(["train", "--dataset", "moons", "--layers", layers, "--epochs", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "9 layers" in err[0] and "at most 8" in err[0]
