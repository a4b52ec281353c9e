"""`lnn bench telemetry-cost` on the embedded engine: the cat run's default cadence timed
against telemetry off, side by side, with the models unchanged by telemetry."""

import json
from pathlib import Path

import pytest

from lnn.cli.main import main


def test_telemetry_cost_times_the_embedded_default_cadence(
    tiny_cat: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bench", "telemetry-cost", "--epochs", "2", "--repeats", "1", "--json"]
    assert main(argv) == 0
    [case] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["cases"]
    assert case["status"] == "ok", case.get("reason")
    assert case["embedded_default_cadence_interval"] == 5  # 2,500 steps: one in five
    assert case["embedded_timed_epochs"] == 2
    on, off = case["embedded_runs_s"]["on"], case["embedded_runs_s"]["off"]
    assert len(on) == len(off) == 1
    assert case["embedded_default_cadence_overhead"] == pytest.approx(on[0] / off[0] - 1)
    # one object per layer a telemetry step
    assert case["embedded_extra_writes_per_telemetry_step"] == case["layers"]
    assert case["models_agree"] is True
