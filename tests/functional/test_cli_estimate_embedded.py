"""`lnn estimate --json` measures a tiny network embedded and prints one JSON object whose
figures agree with each other and with the engine's own count of hops."""

import json
from pathlib import Path

import pytest

from lnn.cli.main import main


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

    thousand = document["units"]["per_1000_steps"]
    assert thousand["lambda_request"] == pytest.approx(1000 * step["invocations"])
    bill = document["bill_usd"]["per_run"]
    flat = sum(v for k, v in bill.items() if k not in ("lambda_gb_second", "total"))
    for band, total in bill["total"].items():
        assert total == pytest.approx(flat + bill["lambda_gb_second"][band])
    assert bill["sqs_request"] == pytest.approx(document["units"]["per_run"]["sqs_request"] * 4e-7)
