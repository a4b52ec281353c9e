"""`lnn estimate --json` measures a tiny network embedded and prints one JSON object whose
figures agree with each other and with the engine's own count of hops."""

import json
import re
from pathlib import Path

import pytest

from lnn.cli.main import main
from lnn.estimate.sweep import wall_time
from lnn.sweep.draws import draw_trials
from lnn.sweep.search import parse_search


def test_estimate_of_a_tiny_network(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["estimate", "--dataset", "xor", "--layers", "3:tanh,1:sigmoid", "--epochs", "20"]
    argv += ["--eval-every", "5", "--steps", "2", "--json", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out.strip().splitlines()
    document = json.loads(out[-1])
    assert json.loads((tmp_path / "estimate.json").read_text()) == document

    assert document["run"] == {"epochs": 20, "steps": 20, "evaluations": 4, "telemetry_steps": 20}
    runs = {r["label"]: r for r in document["measured"]["runs"]}
    assert list(runs) == ["short-on", "long-on", "evaluating"]
    # The trace's hops (publishes that start a stage) are the engine's own count.
    assert all(r["hops"] == r["engine_hops"] for r in runs.values())
    step = document["per_step"]
    extra = document["measured"]["extra_steps"]
    assert step["hops"] == pytest.approx(
        (runs["long-on"]["hops"] - runs["short-on"]["hops"]) / extra
    )
    assert step["calls"] == pytest.approx(sum(step["calls_by_operation"].values()))
    assert step["calls_per_hop"] == pytest.approx(step["calls"] / step["hops"])
    assert step["invocations"] >= step["hops"] - 1e-9 and step["compute_s"] > 0

    times = document["time_s"]
    assert [times["per_step"][b] for b in ("p50_low", "p50_high", "p99_low", "p99_high")] == sorted(
        times["per_step"].values()
    )
    for band, total in times["per_step"].items():
        parts = sum(times["per_step_parts"][p][band] for p in ("messaging", "calls", "compute"))
        assert total == pytest.approx(parts)
    assert times["per_run"]["p50_low"] > 20 * times["per_step"]["p50_low"] * 0.5
    # The start (the TrainRequest's hop and the trainer's start) is in the run, once.
    assert (
        0 < times["start"]["p50_low"] < times["per_run"]["p50_low"] - times["per_step"]["p50_low"]
    )
    upload = document["upload"]  # the client's S3 calls before the TrainRequest, if any
    assert (upload["calls"] > 0) == (upload["bytes"] > 0) == (upload["measured_s"] > 0)

    thousand = document["units"]["per_1000_steps"]
    assert thousand["lambda_request"] == pytest.approx(1000 * step["invocations"])
    bill = document["bill_usd"]["per_run"]
    flat = sum(v for k, v in bill.items() if k not in ("lambda_gb_second", "total"))
    for band, total in bill["total"].items():
        assert total == pytest.approx(flat + bill["lambda_gb_second"][band])
    assert bill["sqs_request"] == pytest.approx(document["units"]["per_run"]["sqs_request"] * 4e-7)


SWEEP_SEARCH = "lr=log:1e-3:1e-1,shards=choice:1|2"


def test_estimate_of_a_sweep(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Trials alike but for their learning rate are measured once; the sweep's figures are
    its trials' (summed, list-scheduled at the concurrency, capped by the quota)."""
    argv = ["estimate", "--dataset", "moons", "--layers", "2:tanh,1:sigmoid", "--epochs", "2"]
    argv += ["--steps", "1", "--search", SWEEP_SEARCH, "--trials", "3", "--concurrency", "2"]
    argv += ["--lambda-quota", "5", "--json", "--out", str(tmp_path)]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert json.loads((tmp_path / "estimate.json").read_text()) == document

    space = parse_search(SWEEP_SEARCH)
    drawn = draw_trials(space, method="random", trials=3, seed=1, grid_points=3)
    trials = document["trials"]
    assert [t["params"] for t in trials] == drawn
    shards = sorted({p["shards"] for p in drawn})
    assert len(document["shapes"]) == len(shards) == document["sweep"]["shapes"]
    for shape in document["shapes"]:
        members = [trials[i] for i in shape["trials"]]
        assert {t["params"]["shards"] for t in members} == {shape["config"]["shards"]}
        # One measurement serves every trial of the shape: the same figures.
        assert all(t["time_s"] == shape["time_s"]["per_run"] for t in members)
        assert all(t["bill_usd"] == shape["bill_usd"]["per_run"]["total"] for t in members)

    peak = max(p["shards"] for p in drawn) + 1  # the widest layer's shards + its publisher
    assert document["sweep"]["peak_executions_per_trial"] == peak
    under_quota = 2 if 2 * peak <= 5 else 1
    assert document["sweep"]["concurrency_under_quota"] == under_quota
    total = document["total"]
    for band in ("p50_low", "p99_high"):
        times = [t["time_s"][band] for t in trials]
        assert total["sequential_s"][band] == pytest.approx(sum(times))
        assert total["wall_s"][band] == pytest.approx(wall_time(times, 2))
        assert total["wall_under_quota_s"][band] == pytest.approx(wall_time(times, under_quota))
        assert total["bill_usd"][band] == pytest.approx(sum(t["bill_usd"][band] for t in trials))


@pytest.mark.parametrize(
    ("layers", "versions"),
    [
        ("3:tanh:bn,1:sigmoid", ["inline", "inline"]),
        # 400 units of W, gamma, beta and the running averages: past the barrier item's share
        # (without batch norm, W and b still fit)
        ("400:tanh:bn,1:sigmoid", ["s3", "inline"]),
    ],
    ids=["versions-inline", "versions-in-s3"],
)
def test_estimate_shows_what_batch_norm_adds_to_a_step(
    layers: str, versions: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The same run measured without batch norm: no hop more, and one PutObject more a step
    when the versions no longer ride in the barrier item. The bytes' difference is not
    asserted: how many messages a poll receives is timing's, and a difference of two
    measurements moves by a poll (docs/estimate.md)."""
    argv = ["estimate", "--dataset", "xor", "--layers", layers, "--epochs", "1", "--steps", "1"]
    assert main([*argv, "--telemetry-every", "off", "--json"]) == 0
    document = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    labels = [r["label"] for r in document["measured"]["runs"]]
    assert labels == ["short-off", "long-off"]  # the run's own; its plain twin's are apart
    added = document["batch_norm"]
    assert added["versions"] == {"with": versions, "without": ["inline", "inline"]}
    for quantity in ("calls", "hops", "request_bytes", "response_bytes", "compute_s"):
        figures = added[quantity]
        assert figures["added"] == pytest.approx(figures["with"] - figures["without"])
    assert added["calls"]["with"] == pytest.approx(document["per_step"]["calls"])
    assert added["hops"]["added"] == 0 and added["hops"]["with"] > 0
    puts = added["added_calls_by_operation"].get("s3.PutObject", 0)
    assert puts == (1 if versions[0] == "s3" else 0)  # one shard: its version a step


def test_a_sweep_estimate_shows_what_batch_norm_adds_to_its_shape(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A searched batch-normalized shape is measured beside its twin without batch norm,
    as a single run's estimate is, and its line follows the shape's; the plain shape has
    nothing to compare."""
    search = "layers=choice:3:tanh:bn,1:sigmoid|3:tanh,1:sigmoid"
    argv = ["estimate", "--dataset", "xor", "--layers", "3:tanh,1:sigmoid", "--epochs", "1"]
    argv += ["--steps", "1", "--telemetry-every", "off", "--search", search]
    argv += ["--method", "grid", "--out", str(tmp_path)]
    assert main(argv) == 0
    text = capsys.readouterr().out
    shapes = json.loads((tmp_path / "estimate.json").read_text())["shapes"]
    normed = [any(layer["batch_norm"] for layer in s["config"]["layers"]) for s in shapes]
    assert sorted(normed) == [False, True]
    plain, bn = shapes[normed.index(False)], shapes[normed.index(True)]
    assert plain["batch_norm"] is None
    added = bn["batch_norm"]
    assert added["versions"] == {"with": ["inline", "inline"], "without": ["inline", "inline"]}
    assert added["hops"]["added"] == 0 and added["hops"]["with"] > 0
    assert "s3.PutObject" not in added["added_calls_by_operation"]
    lines = [line.strip() for line in text.splitlines()]
    (at,) = [n for n, line in enumerate(lines) if line.startswith("batch norm adds:")]
    shape_of_line = [n for n, line in enumerate(lines[:at]) if re.match(r"shape \d+ \(", line)]
    assert lines[shape_of_line[-1]].startswith(f"shape {normed.index(True) + 1} (")
