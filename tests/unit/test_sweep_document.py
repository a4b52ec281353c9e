"""The sweep page's document, from records built by hand: the table's orders, the best
mark, the searched values' order, the log axes, why a plot is absent, the report links."""

from pathlib import Path
from typing import Any

import pytest
from sweep_records import HISTORIES, STOP_REASON, TRIALS, history, sweep, trial

from lnn.sweep.types import Halving, TrialStatus, trial_dir
from lnn.watch.sweep.document import sweep_document
from lnn.watch.sweep.plots import dimension
from lnn.watch.sweep.table import compact, row_order
from lnn.watch.sweep.trials import reports_written


def document(**fields: Any) -> dict[str, Any]:
    return sweep_document(sweep(TRIALS, best=1, **fields), HISTORIES, linked={0, 3})


def column(doc: dict[str, Any], key: str) -> dict[str, Any]:
    return next(c for c in doc["table"]["columns"] if c["key"] == key)


def test_columns_are_the_trial_then_the_searched_values_in_search_order() -> None:
    keys = [c["key"] for c in document()["table"]["columns"]]
    # no test column: no trial has a test accuracy
    assert keys == [
        "trial",
        "status",
        "param:lr",
        "param:batch-size",
        "epochs",
        "final_cost",
        "dev_accuracy",
    ]
    assert column(document(), "param:lr")["texts"] == ["0.3", "1e-4", "0.01", "0.003"]


def test_each_column_orders_the_rows_both_ways_unknown_values_last() -> None:
    doc = document()
    assert column(doc, "param:lr")["order"]["ascending"] == [1, 3, 2, 0]
    # batch sizes as numbers (0 < 32 < 64), ties in trial order both ways
    assert column(doc, "param:batch-size")["order"] == {
        "ascending": [1, 2, 0, 3],
        "descending": [0, 3, 2, 1],
    }
    # the running trial's cost so far (0.35) is from its history; t03 stopped is last known
    assert column(doc, "final_cost")["order"]["ascending"] == [0, 2, 1, 3]
    assert row_order([None, 2.0, None, 1.0], descending=True) == [1, 3, 0, 2]
    assert row_order(["b", 3.0, "a"], descending=False) == [1, 2, 0]


def test_the_table_opens_best_first_by_the_metric_and_marks_the_best() -> None:
    doc = document()
    assert doc["table"]["sorted"] == {"key": "dev_accuracy", "descending": True}
    assert column(doc, "dev_accuracy")["order"]["descending"] == [1, 0, 2, 3]
    assert [r["best"] for r in doc["table"]["rows"]] == [False, True, False, False]
    assert column(doc, "final_cost")["first"] == "ascending"  # less cost is better
    by_cost = sweep_document(sweep(TRIALS, metric="final_cost", best=0), HISTORIES)
    assert by_cost["table"]["sorted"] == {"key": "final_cost", "descending": False}


def test_a_stopped_trial_says_at_which_epoch_and_why() -> None:
    rows = document()["table"]["rows"]
    assert rows[3]["note"] == STOP_REASON
    assert rows[2]["note"] is None and not rows[2]["ended"] and rows[3]["ended"]


def test_links_only_to_the_reports_given() -> None:
    links = [r["link"] for r in document()["table"]["rows"]]
    assert links == ["trials/t00/report.html", None, None, "trials/t03/report.html"]


def test_reports_written_finds_the_files_and_on_the_live_page_only_of_ended_trials(
    tmp_path: Path,
) -> None:
    record = sweep(TRIALS)
    for index in (1, 2):  # t02 is running: its file may be partial, or an earlier run's
        trial_dir(tmp_path, index).mkdir(parents=True)
        (trial_dir(tmp_path, index) / "report.html").write_text("<html>")
    assert reports_written(tmp_path, record, ended_only=False) == {1, 2}
    assert reports_written(tmp_path, record, ended_only=True) == {1}


def test_numbers_are_compact_and_text_as_written() -> None:
    assert [compact(v) for v in (0.0031622776, 1e-4, 64, 2.5e-7, 1.0)] == [
        "0.00316",
        "1e-4",
        "64",
        "2.5e-7",
        "1",
    ]
    assert compact("8:relu,1:sigmoid") == "8:relu,1:sigmoid" and compact(True) == "True"


def test_an_axis_is_logarithmic_when_its_values_span_more_than_two_decades() -> None:
    wide = dimension("lr", [1e-4, 0.01, 0.3])
    assert wide["log"] and wide["values"] == [-4.0, -2.0, pytest.approx(-0.5229, abs=1e-4)]
    assert wide["ticktext"] == ["1e-4", "0.001", "0.01", "0.1", "1"]
    assert not dimension("lr", [0.01, 0.3])["log"]  # 1.5 decades
    assert not dimension("l2", [0.0, 0.5, 5.0])["log"]  # a zero has no log
    layers = dimension("layers", ["8:relu,1:sigmoid", "2:relu,1:sigmoid", "8:relu,1:sigmoid"])
    assert layers["ticktext"] == ["2:relu,1:sigmoid", "8:relu,1:sigmoid"]
    assert layers["values"] == [1, 0, 1]


def test_parallel_coordinates_hold_the_ended_trials_with_a_metric() -> None:
    parallel = document()["parallel"]
    assert parallel["trials"] == ["t00", "t01", "t03"] and parallel["left_out"] == 1
    assert [d["label"] for d in parallel["dimensions"]] == ["lr", "batch-size", "dev accuracy"]
    assert parallel["dimensions"][0]["log"]


def test_the_cost_curves_have_a_trace_per_trial_with_epochs_and_the_rungs() -> None:
    curves = document(halving=Halving(rungs=[10, 20]))["curves"]
    assert [t["name"] for t in curves["trials"]] == ["t00", "t01", "t02"]  # t03: no history
    assert curves["trials"][2]["epochs"] == [1, 2, 3] and curves["rungs"] == [10, 20]
    assert curves["trials"][0]["label"] == "lr=0.3, batch-size=64"
    assert not curves["log_y"]  # 0.2 to 0.7: within a decade
    assert sweep_document(sweep(TRIALS[:1]), {0: history([1.0, 0.05])})["curves"]["log_y"]


def test_the_lr_plot_is_absent_with_its_reason_when_the_rate_is_not_searched() -> None:
    same = [trial(i, {"batch-size": b}) for i, b in enumerate((32, 64))]
    absent = sweep_document(sweep(same, search="batch-size=choice:32|64"), {})["lr_cost"]
    assert absent == {
        "why": "Every trial has the same learning rate (lr = 0.5): the final cost is drawn "
        "against the learning rate when the search varies lr."
    }
    present = document()["lr_cost"]
    assert present["why"] is None
    assert [(p["name"], p["lr"], p["status"]) for p in present["points"]] == [
        ("t00", 0.3, "SUCCEEDED"),
        ("t01", 1e-4, "SUCCEEDED"),
        ("t03", 0.003, "STOPPED"),
    ]


def test_a_trial_running_on_a_deployed_stack_says_how_to_watch_it_live() -> None:
    running = trial(2, {"lr": 0.01}, status=TrialStatus.RUNNING, run_id="s1-t02")
    rows = sweep_document(sweep([running], engine="endpoint"), {})["table"]["rows"]
    assert rows[0]["note"] == "live: lnn watch s1-t02"
    assert sweep_document(sweep([running]), {})["table"]["rows"][0]["note"] is None
