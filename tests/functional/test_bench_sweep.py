"""`lnn bench sweep-cost` and `sweep-page-cost`, made small (2 trials of 3 epochs): every
side is measured, each sweep's trials equal their reference runs (the case fails
otherwise), the page's side polled and sent documents. No assertion depends on how fast
anything ran."""

import json

import pytest

from lnn.bench.exceptions import EngineRunFailedError
from lnn.bench.sweep_cost import CONCURRENCY, UP_WORKERS, sweep_cost
from lnn.bench.sweep_page_cost import sweep_page_cost
from lnn.bench.sweep_workload import SweepWorkload
from lnn.cli.bench import check_arguments
from lnn.cli.main import build_parser, main
from lnn.sweep.engines import open_engine

TRIALS = 2
EPOCHS = 3


def test_sweep_cost_measures_every_engine_at_every_concurrency() -> None:
    figures = sweep_cost(None, EPOCHS, 1, trials=TRIALS)
    sides = [
        f"{engine} sweep, concurrency {c}"
        for engine in ("reference", "embedded", f"lnn up --workers {UP_WORKERS}")
        for c in CONCURRENCY
    ]
    assert sorted(figures["wall_s"]) == sorted(["reference, one after another", *sides])
    # Rounded to ms: 2 trials of 3 epochs one after another may take less than one.
    assert all(seconds >= 0 for seconds in figures["wall_s"].values())
    assert all(r > 0 for r in figures["ratio_to_reference_one_after_another"].values())
    assert sorted(figures["speedup_over_concurrency_1"]) == sorted(
        s for s in sides if not s.endswith("concurrency 1")
    )
    assert all(calls > 0 for calls in figures["embedded_aws_calls"].values())


def test_the_page_side_polls_and_the_trials_equal_their_runs_either_way() -> None:
    figures = sweep_page_cost(None, EPOCHS, 1, trials=TRIALS)
    assert len(figures["wall_s_page_off"]) == len(figures["wall_s_page_on"]) == 1
    assert figures["polls"][0] >= 1 and figures["bytes_sent"][0] > 0
    assert figures["aws_calls_page_on_median"] > 0 and figures["aws_calls_page_off_median"] > 0


def test_the_sweep_cases_run_only_when_named(capsys: pytest.CaptureFixture[str]) -> None:
    default = check_arguments(build_parser().parse_args(["bench"]))
    assert "sweep-cost" not in default and "sweep-page-cost" not in default
    assert main(["bench", "sweep-cost", "--repeats", "2", "--json"]) == 0
    [case] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["cases"]
    assert case["status"] == "unavailable" and "once, not 2 times" in case["reason"]


def test_a_sweep_that_differs_from_its_runs_fails_the_case() -> None:
    work = SweepWorkload(EPOCHS, TRIALS)
    work.one_after_another()
    work.costs = [cost + 1.0 for cost in work.costs]
    opened = open_engine("reference", work.data, work.configs, concurrency=1)
    with opened as it, pytest.raises(EngineRunFailedError, match="differs from its run"):
        work.timed(work.plan("reference", 1), it.backend)
