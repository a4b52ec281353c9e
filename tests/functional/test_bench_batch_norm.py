"""`lnn bench batch-norm`, made small (3 epochs, 1 repeat): both sides of every rate trained
the same epochs, the batch-norm side's layers hold gamma, beta and the running averages, the
cost curves end at the final costs, both engines' models are the same (batch norm's
included), and the case runs only when named. No assertion depends on how fast anything
ran."""

import io
import json
from contextlib import redirect_stdout
from typing import Any

import pytest

from lnn.bench.batch_norm_workload import LEARNING_RATES, SIDES, TARGET_COST
from lnn.bench.types import AGREEMENT_TOLERANCE
from lnn.cli.bench import check_arguments
from lnn.cli.main import build_parser, main

EPOCHS = 3


@pytest.fixture(scope="module")
def case() -> dict[str, Any]:
    out = io.StringIO()
    argv = ["bench", "batch-norm", "--epochs", str(EPOCHS), "--repeats", "1", "--json"]
    with redirect_stdout(out):
        assert main(argv) == 0
    [result] = json.loads(out.getvalue().strip().splitlines()[-1])["cases"]
    assert result["status"] == "ok", result.get("reason")
    return result


def test_both_sides_learn_the_same_epochs_at_every_rate(case: dict[str, Any]) -> None:
    assert case["learning_rates"] == list(LEARNING_RATES)
    assert case["target_cost"] == TARGET_COST
    assert case["epochs_trained"] == {side: [EPOCHS] * len(LEARNING_RATES) for side in SIDES}
    assert case["cost_curve_epochs"] == [1, EPOCHS]
    for lr in LEARNING_RATES:
        curves, finals = case[f"lr_{lr:g}_cost_curve"], case[f"lr_{lr:g}_final_cost"]
        reached = case[f"lr_{lr:g}_epochs_to_target"]
        for side in SIDES:
            assert len(curves[side]) == 2 and curves[side][-1] == finals[side]
            assert 0.0 <= case[f"lr_{lr:g}_dev_accuracy"][side] <= 1.0
            if reached[side] is None:
                assert min(curves[side]) > TARGET_COST
            else:
                assert 1 <= reached[side] <= EPOCHS


def test_the_batch_norm_side_has_its_parameters_and_no_bias(case: dict[str, Any]) -> None:
    assert case["first_layer_params"] == {
        "plain": ["W", "b"],
        "bn": ["W", "beta", "gamma", "running_mean", "running_var"],
    }
    assert case["network"]["bn"].count(":bn") == 5 and ":bn" not in case["network"]["plain"]


def test_times_per_step_and_the_engines_agree(case: dict[str, Any]) -> None:
    assert case["reference_steps"] == EPOCHS  # full batch: a step an epoch
    # a round: one run on the reference engine, a short and a long one on the embedded
    for engine, runs_a_round in (("reference", 1), ("embedded", 2)):
        for clock in ("", "cpu_"):
            per_step = case[f"{engine}_{clock}ms_per_step"]
            ratio = case[f"{engine}_{clock}bn_to_plain"]
            assert ratio == pytest.approx(per_step["bn"] / per_step["plain"])
        assert len(case[f"{engine}_bn_to_plain_by_round"]) == 1
        runs = case[f"{engine}_runs_s"]
        assert {side: len(runs[side]) for side in SIDES} == dict.fromkeys(SIDES, runs_a_round)
    assert case["embedded_epochs"] == [1, EPOCHS]
    assert case["embedded_timed_steps"] == EPOCHS - 1
    assert case["shards"] == 1
    assert all(d <= AGREEMENT_TOLERANCE for d in case["embedded_max_abs_diff"].values())
    assert case["models_agree"] is True


def test_the_case_is_opt_in() -> None:
    args = build_parser().parse_args(["bench"])
    assert "batch-norm" not in check_arguments(args)
    named = build_parser().parse_args(["bench", "batch-norm"])
    assert check_arguments(named) == ["batch-norm"]
