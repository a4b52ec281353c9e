"""`lnn bench watch-cost`: the live page's view and feed on vs off on flower and the cat
network, the views' AWS calls none on steps without telemetry, the models unchanged by
watching; without the cat data, flower alone and the reason in one line. No assertion here
depends on how fast anything ran."""

import json
from pathlib import Path
from typing import Any

import pytest

from lnn.cli.main import main

EPOCHS = 10  # a step an epoch (full batch), telemetry at one in five: steps 1, 6 and 10


def _case(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main([*argv, "--json"]) == 0
    [case] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["cases"]
    assert case["status"] == "ok", case.get("reason")
    return case


def _looks_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """The waiting loop looks at the record whenever the runner asks it: steps without
    telemetry are then surely looked at."""
    from lnn.engines import stack

    monkeypatch.setattr(stack, "_STATUS_POLL_S", 0.0)


def _check_network(case: dict[str, Any], name: str) -> None:
    figures = {k.removeprefix(f"{name}_"): v for k, v in case.items() if k.startswith(name)}
    assert figures["steps"] == EPOCHS and figures["telemetry_steps"] == 3
    assert figures["polls_without_telemetry"] > 0
    assert figures["view_calls_by_kind"]["other steps"] == 0
    assert figures["view_calls_per_step_without_telemetry"] == 0
    assert figures["view_calls"] == sum(figures["view_calls_by_kind"].values())
    assert figures["view_calls_per_telemetry_step"] == figures["view_calls"] / 3
    # the page read the document from the start (all of it) to the end (what changed)
    assert figures["document_polls"] >= 2
    assert 0 < figures["first_document_bytes"] <= figures["largest_document_bytes"]
    assert figures["document_bytes"] >= figures["largest_document_bytes"]
    for side in ("watched", "unwatched"):
        assert len(figures["runs_s"][side]) == 1
    assert figures["ratio"] == pytest.approx(figures["watched_s"] / figures["unwatched_s"])


def test_watch_cost_on_flower_and_cat(
    tiny_cat: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _looks_often(monkeypatch)
    argv = ["bench", "watch-cost", "--epochs", str(EPOCHS), "--repeats", "1", "--shards", "2"]
    case = _case(argv, capsys)
    _check_network(case, "flower")
    _check_network(case, "cat")
    assert case["flower_shards"] == case["cat_shards"] == 2
    assert case["models_agree"] is True
    # images: the page drew the first layer's pictures, which it reads from the stack
    assert "s3.GetObject" in case["cat_view_calls_by_operation"]


def test_watch_cost_without_cat_data_measures_flower_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LNN_DATA_DIR", str(tmp_path))
    _looks_often(monkeypatch)
    case = _case(["bench", "watch-cost", "--epochs", str(EPOCHS), "--repeats", "1"], capsys)
    _check_network(case, "flower")
    assert case["cat"].startswith("skipped: cat: no catvnoncat.npz")
    assert not any(key.startswith("cat_") for key in case)
    # and a case that needs the cat data still refuses in one line
    assert main(["bench", "telemetry-cost", "--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "catvnoncat.npz" in err
