"""lnn bench: the plain numpy loop is the same math as the reference engine, and the command
reports ratios as JSON. No assertion here depends on how fast anything ran."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from functions.training.split import DataSplit
from lnn.bench import (
    CASES,
    CatData,
    UnsupportedConfigError,
    run_case,
    time_interleaved,
    train_numpy,
)
from lnn.bench.engines import per_step_by_service
from lnn.cli.bench import CASE_NAMES
from lnn.cli.main import main
from lnn.engines.reference import train_reference
from lnn.prepare import PreparedData
from messages.train_request import TrainConfig


def tiny_config(**overrides: object) -> TrainConfig:
    layers = [
        {"units": 5, "activation": "relu"},
        {"units": 3, "activation": "relu"},
        {"units": 1, "activation": "sigmoid"},
    ]
    return TrainConfig(**{"dataset": "tiny", "layers": layers, "epochs": 4, "lr": 0.5, **overrides})


def tiny_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((6, 15))
    y = (x[0] + x[1] > 0).astype(np.float64).reshape(1, -1)
    return x, y


def test_numpy_loop_gives_the_reference_model() -> None:
    x, y = tiny_data()
    config = tiny_config()
    plain = train_numpy(config, x, y)
    reference = train_reference(config, DataSplit(x, y))
    for layer, layer_ref in zip(plain.params, reference.params, strict=True):
        assert sorted(layer) == sorted(layer_ref) == ["W", "b"]
        for name in layer:
            np.testing.assert_allclose(layer[name], layer_ref[name], rtol=0, atol=1e-12)
    assert plain.costs[-1] == pytest.approx(reference.final_cost, abs=1e-12)
    assert plain.costs[-1] < plain.costs[0]


@pytest.mark.parametrize(
    "overrides",
    [{"optimizer": "adam"}, {"l2": 0.1}, {"batch_size": 4}, {"dropout": 0.8}],
)
def test_numpy_loop_refuses_what_it_does_not_implement(overrides: dict) -> None:
    x, y = tiny_data()
    with pytest.raises(UnsupportedConfigError):
        train_numpy(tiny_config(**overrides), x, y)


def test_interleaved_timing_alternates_who_goes_first() -> None:
    calls: list[str] = []
    first, second = time_interleaved(lambda: calls.append("a"), lambda: calls.append("b"), 3)
    assert calls == ["a", "b", "b", "a", "a", "b"]
    assert len(first.seconds) == len(second.seconds) == 3


def test_api_calls_are_summed_per_service_and_step() -> None:
    calls = {"sqs.SendMessage": 6, "sqs.DeleteMessage": 4, "s3.PutObject": 5}
    assert per_step_by_service(calls, 5) == {"s3": 1.0, "sqs": 2.0}


def test_embedded_case_is_unavailable_without_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes the import raise ImportError, as before the engine existed.
    monkeypatch.setitem(sys.modules, "lnn.engines.stack", None)
    x, y = tiny_data()
    cat = CatData(PreparedData(x, y, None, None), DataSplit(x, y))
    result = run_case(CASES["embedded-vs-reference"], cat, 1, 1)
    assert result.status == "unavailable"
    assert "lnn.engines.stack" in (result.reason or "")


def test_cli_lists_every_case() -> None:
    assert set(CASE_NAMES) == set(CASES)


def test_bench_command_reports_a_ratio_as_json(
    tiny_cat: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One BLAS thread keeps the test light on a shared machine, and checks that --threads applies.
    argv = ["bench", "reference-vs-numpy", "--epochs", "3", "--repeats", "1", "--threads", "1"]
    code = main([*argv, "--json"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    report = json.loads(last)
    assert code == 0
    [case] = report["cases"]
    assert case["case"] == "reference-vs-numpy"
    assert case["status"] == "ok"
    assert case["ratio"] > 0
    assert case["models_agree"] is True
    assert case["max_abs_diff_w1"] < 1e-12
    assert report["machine"]["blas"]
    assert all(pool["threads"] == 1 for pool in report["machine"]["blas"])


def test_bench_without_cat_data_is_a_one_line_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LNN_DATA_DIR", str(tmp_path))
    assert main(["bench", "reference-vs-numpy", "--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "catvnoncat.npz" in err


@pytest.mark.parametrize("option", ["--epochs", "--repeats", "--threads", "--shards"])
def test_bench_counts_below_one_are_a_one_line_usage_error(
    option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", option, "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{option} must be at least 1" in err


def test_bench_shards_reach_the_network_config() -> None:
    x, y = tiny_data()
    cat = CatData(PreparedData(x, y, None, None), DataSplit(x, y), shards=4)
    assert cat.config(2).shards == 4
