"""`lnn train` on the default (embedded) engine: the contract's JSON line, and the stack it
deploys for itself is deep enough for the network it trains."""

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
    # The request; per step, layer 1 forward, then the output layer's task (its forward, the
    # loss and its backward) and layer 1 backward; per evaluation (by default after each of a
    # run's first 20 epochs): 2 forward, the second of which closes it (no message carries
    # its results).
    assert summary["hops"] == 1 + 3 * 3 + 3 * 2
    assert (tmp_path / "model.npz").is_file()


def test_a_network_deeper_than_the_default_stack_trains(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    layers = ",".join(["2:relu"] * 15 + ["1:sigmoid"])
    argv = ["train", "--dataset", "moons", "--samples", "40", "--layers", layers]
    code = main([*argv, "--epochs", "1", "--json", "--out", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and summary["status"] == "SUCCEEDED"
    # The request, a step (15 forward, the output shard, 15 backward), the evaluation (16
    # forward, the last of which closes it).
    assert summary["hops"] == 1 + (15 + 1 + 15) + 16


def test_sharded_layers_meet_the_calls_per_hop_budget(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    """At most 2.5 AWS calls per shard per hop once a layer's receives, deletes and
    publishes are shared by several shards (issue 11's target for 4 shards or more)."""
    layers = "20:relu,7:relu,5:relu,1:sigmoid"
    argv = ["train", "--dataset", "moons", "--layers", layers, "--epochs", "6", "--shards", "5"]
    code = main([*argv, "--lr", "0.1", "--json", "--out", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and summary["status"] == "SUCCEEDED"
    critical = summary["critical_path"]
    # Per step: forward 5+5+5 shards, the output shard (forward, loss, backward), 5+5+5.
    assert critical["shard_tasks"] >= 6 * 31
    assert critical["calls_per_shard_hop"] <= 2.5
    assert critical["calls"] < sum(summary["api_calls"].values())  # idle and client calls left out
