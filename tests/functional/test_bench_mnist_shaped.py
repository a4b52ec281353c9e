"""`lnn bench mnist-shaped`, made small (600 x 20, 2 rounds): the set it makes and keeps,
both engines' runs in child processes with their time and memory, the embedded start in its
parts, the same model on both engines, the estimate, and the targets beside the figures. No
assertion depends on how fast anything ran."""

import io
import json
import os
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lnn.bench.mnist_shaped_data import CACHE_DIR, CLASSES, MnistShape, cached_dataset
from lnn.bench.types import AGREEMENT_TOLERANCE
from lnn.bench.workload import same_bytes
from lnn.cli.bench import check_arguments
from lnn.cli.errors import EXIT_USAGE
from lnn.cli.main import build_parser, main
from lnn.model_file import load_model

SHAPE = MnistShape(samples=600, features=20, test_samples=100)
ROUNDS = 2
STEPS = 5  # 600 samples in batches of 128


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bench writes under ./runs: here, a directory of the test's own."""
    path = tmp_path_factory.mktemp("bench")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(path)
        yield path


@pytest.fixture(scope="module")
def case(workdir: Path) -> dict[str, Any]:
    argv = ["bench", "mnist-shaped", "--repeats", str(ROUNDS), "--json"]
    argv += ["--samples", "600", "--features", "20", "--test-samples", "100"]
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(argv) == 0
    [result] = json.loads(out.getvalue().strip().splitlines()[-1])["cases"]
    assert result["status"] == "ok", result.get("reason")
    return result


def test_the_set_is_made_once_in_the_files_format(case: dict[str, Any], workdir: Path) -> None:
    path = Path(case["dataset"]["path"])
    assert path.resolve() == (workdir / CACHE_DIR / SHAPE.file_name).resolve()
    assert case["dataset"]["made_now"] is True
    with np.load(path) as npz:
        assert npz["x_train"].shape == (600, 20) and npz["x_train"].dtype == np.float32
        assert npz["x_test"].shape == (100, 20)
        labels = np.concatenate([npz["y_train"], npz["y_test"]])
    assert labels.dtype.kind == "i" and set(labels.tolist()) == set(range(CLASSES))
    assert cached_dataset(SHAPE) == (path, False)  # kept: the next bench reads it


def test_both_engines_ran_each_round_in_a_child(case: dict[str, Any]) -> None:
    assert case["steps"] == STEPS
    for figure in ("wall_s", "peak_rss_gb"):
        assert set(case[figure]) == {"reference", "embedded"}
        assert all(len(v) == ROUNDS and min(v) > 0 for v in case[figure].values())
    assert case["children_env"] == {
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")
    }
    assert len(case["load_before"]) == len(case["load_after"]) == 3


def test_the_embedded_start_and_steps_add_up(case: dict[str, Any]) -> None:
    upload, trainer = case["embedded_upload_s"], case["embedded_trainer_start_s"]
    start, run = case["embedded_start_s"], case["embedded_run_s"]
    for r in range(ROUNDS):
        assert upload[r] >= 0 and trainer[r] > 0
        assert start[r] == pytest.approx(upload[r] + trainer[r])
        rest = case["embedded_ms_per_step"][r] * STEPS / 1000
        assert run[r] == pytest.approx(start[r] + rest)
    assert isinstance(case["timeouts_exceeded"], int) and case["timeouts_exceeded"] >= 0


def test_both_engines_trained_the_same_model(case: dict[str, Any], workdir: Path) -> None:
    assert case["max_abs_diff"] <= AGREEMENT_TOLERANCE and case["models_agree"] is True
    costs = case["final_cost"]
    assert costs["reference"] == costs["embedded"]
    out = workdir / case["out"]
    models = [load_model(out / f"round-{ROUNDS}-{e}" / "model.npz") for e in costs]
    assert same_bytes(models[0].params, models[1].params)
    assert [layer["W"].shape for layer in models[0].params] == [(128, 20), (64, 128), (10, 64)]


def test_the_estimate_of_the_epoch_has_its_start(case: dict[str, Any], workdir: Path) -> None:
    for figure in ("aws_run_p50_s", "aws_start_p50_s", "aws_step_p50_s", "aws_run_p50_usd"):
        low, high = case[figure]
        assert 0 < low <= high
    assert case["aws_start_p50_s"][1] < case["aws_run_p50_s"][1]
    estimate = json.loads((workdir / case["out"] / "estimate" / "estimate.json").read_text())
    assert estimate["run"]["epochs"] == 1 and estimate["run"]["steps"] == STEPS
    assert case["aws_upload_mb"] == pytest.approx(estimate["upload"]["bytes"] / 1e6)


def test_the_targets_stand_beside_the_figures(case: dict[str, Any]) -> None:
    rows = {row["target"].split(" (")[0]: row for row in case["targets"]}
    assert {name: row["limit"] for name, row in rows.items()} == {
        "start / embedded epoch": 0.10,
        "embedded peak memory / reference's": 2.0,
        "embedded epoch / reference's": 15.0,
        "invocations past their timeout": 0,
    }
    assert all(row["met"] == (row["measured"] <= row["limit"]) for row in rows.values())
    peak = rows["embedded peak memory / reference's"]["measured"]
    medians = {e: float(np.median(v)) for e, v in case["peak_rss_gb"].items()}
    assert peak == pytest.approx(medians["embedded"] / medians["reference"])
    assert rows["invocations past their timeout"]["measured"] == case["timeouts_exceeded"]


def test_the_case_is_opt_in_and_its_options_are_its_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert "mnist-shaped" not in check_arguments(build_parser().parse_args(["bench"]))
    assert main(["bench", "watch-cost", "--samples", "600"]) == EXIT_USAGE
    assert "--samples is an option of mnist-shaped only" in capsys.readouterr().err
    assert main(["bench", "mnist-shaped", "--features", "0"]) == EXIT_USAGE
