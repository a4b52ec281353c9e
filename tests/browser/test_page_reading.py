"""The page as a learner reads it, in Chromium from report.html: accuracy on a 0-1 axis with
only the run's splits (or, before any evaluation, why it is empty), histogram rows labelled
by plain numbers, terms explained on hover, titled unit plots, and zeros on log axes drawn
at the axis floor instead of a line that stops."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

from browser_pages import TIMEOUT_MS, Tab, click_unit, drawn, open_report, text
from watch_runs import config, dead_relu_config, watched_run

from lnn.datasets import load_dataset
from lnn.prepare import prepare
from lnn.watch.feeds import planned_view
from lnn.watch.glossary import TERMS
from lnn.watch.report import write_report
from lnn.watch.series import STATISTICS
from messages.status import HistoryEntry

ZERO = "0 (drawn at the floor)"


def _layout(page: Any, plot: str) -> dict[str, Any]:
    return dict(page.evaluate(f"() => document.getElementById('{plot}').layout"))


def _trace_names(page: Any, plot: str) -> list[str]:
    return list(page.evaluate(f"() => document.getElementById('{plot}').data.map(t => t.name)"))


def test_accuracy_is_a_fraction_of_the_runs_own_splits(tab: Tab, tmp_path: Path) -> None:
    view, _ = watched_run(config(epochs=6, holdout=0.25, eval_every="auto"))
    page = open_report(tab, write_report(tmp_path, view))
    assert _trace_names(page, "accuracy-plot") == ["train", "dev"]  # no test set
    assert _layout(page, "accuracy-plot")["yaxis"]["range"] == [0, 1.02]
    xs = page.evaluate("() => document.getElementById('accuracy-plot').data[0].x")
    ys = page.evaluate("() => document.getElementById('accuracy-plot').data[0].y")
    assert len([y for y in ys if y is not None]) == 6 and xs == [1, 2, 3, 4, 5, 6]  # a curve
    assert page.locator("#accuracy-empty").is_hidden()
    # the three curves stacked share their epochs: one x range, markers whole at both ends
    ranges = [_layout(page, p)["xaxis"]["range"] for p in ("cost-plot", "accuracy-plot", "lr-plot")]
    assert ranges == [[0.5, 6.5]] * 3
    # a constant rate: a linear axis that says so, not a log axis' stray minor ticks
    rate = _layout(page, "lr-plot")["yaxis"]
    assert rate.get("type") != "log" and rate["range"] == [0, 1]
    title = _layout(page, "lr-plot")["title"]["text"]
    assert title == "learning rate (constant \u03b1 = 0.5)"  # alpha
    assert tab.errors == []


def test_a_run_without_telemetry_says_so_once_it_has_ended(tab: Tab, tmp_path: Path) -> None:
    view, _ = watched_run(config(epochs=2, telemetry_every=0))
    page = open_report(tab, write_report(tmp_path, view))
    off = "This run recorded no telemetry (--telemetry-every off)."
    assert text(page, "layers").endswith(off) and text(page, "dead_units").endswith(off)
    # and no unit is chosen yet: a hint in place of an empty plot
    assert page.locator("#unit-plot").is_hidden()
    assert text(page, "unit").endswith("Click a unit in the network diagram to see its history.")
    assert tab.errors == []


def test_an_accuracy_chart_before_any_evaluation_says_why(tab: Tab, tmp_path: Path) -> None:
    cfg = config(epochs=40, eval_every=0)
    data = prepare(load_dataset("moons"), [x.model_dump() for x in cfg.layers])
    view = planned_view("reference", cfg, data.x, data.y)
    view.add_history([HistoryEntry(epoch=1, cost=0.69), HistoryEntry(epoch=2, cost=0.65)])
    page = open_report(tab, write_report(tmp_path, view), status="RUNNING")
    assert drawn(page, "cost-plot")
    assert page.locator("#accuracy-plot").is_hidden()
    assert text(page, "accuracy-empty") == (
        "No accuracy yet: the run is evaluated once, after its last epoch (40)."
    )
    assert tab.errors == []


def test_histogram_rows_are_labelled_by_plain_numbers(tab: Tab, tmp_path: Path) -> None:
    view, _ = watched_run(config(epochs=4))
    page = open_report(tab, write_report(tmp_path, view))
    layout = _layout(page, "histogram-plot")
    labels = [t for k in ("yaxis", "yaxis2", "yaxis3", "yaxis4") for t in layout[k]["ticktext"]]
    assert labels and not any("^" in label for label in labels)
    assert {"0.5", "0.1", "0.03"} & set(labels)  # the weights of a small net, as decimals
    hover = page.evaluate("() => document.getElementById('histogram-plot').data[0].hovertemplate")
    assert "%{y}" in hover and "values" in hover  # a row's exact range and its count
    assert tab.errors == []


def test_histogram_labels_do_not_overlap_and_the_zero_row_is_named(
    tab: Tab, tmp_path: Path
) -> None:
    # flower, tanh: the values of each kind span dozens of bins, more than fit labelled.
    view, _ = watched_run(config("flower", epochs=40, lr=1.2))
    page = open_report(tab, write_report(tmp_path, view))
    weights = next(iter(view.document()["histograms"]["layers"][0]["kinds"].values()))
    named = _layout(page, "histogram-plot")["yaxis"]["ticktext"]  # the weights' subplot
    assert len(weights["bins"]) > len(named) and set(named) <= set(weights["bins"])
    assert "0" in named and named[-1] == weights["bins"][-1]  # the largest weights named
    # the labels as drawn: within each subplot, each below the one before with no overlap
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('#histogram-plot .yaxislayer-above')].map(
          axis => [...axis.querySelectorAll('text')].map(t => t.getBoundingClientRect())
            .map(r => [r.top, r.bottom]).sort((a, b) => a[0] - b[0]))"""
    )
    assert len(boxes) == 4
    for labels in boxes:
        assert labels and all(a[1] <= b[0] for a, b in pairwise(labels))
    assert tab.errors == []


def test_terms_are_explained_on_hover(tab: Tab, tmp_path: Path) -> None:
    view, _ = watched_run(config(epochs=3))
    page = open_report(tab, write_report(tmp_path, view))
    for term in ("calls_per_hop", "telemetry_steps", "dead", "saturated", "grad_rms"):
        title = page.locator(f'[data-term="{term}"]').first.get_attribute("title")
        assert title == TERMS[term], term
    titles = page.evaluate(
        "() => [...document.getElementById('statistic').options].map(o => [o.value, o.title])"
    )
    assert titles == [[key, TERMS[key]] for key in STATISTICS]
    assert page.locator("#statistic").get_attribute("title") == TERMS["activation"]
    page.select_option("#statistic", "gradient")
    assert page.locator("#statistic").get_attribute("title") == TERMS["gradient"]
    assert tab.errors == []


def test_unit_plots_are_titled_and_show_zeros_on_log_axes(
    tab: Tab, tmp_path: Path, screenshots: Path
) -> None:
    """Zero weights: the relu units are dead from the start, their gradient norm 0 on every
    step; the log axis shows those zeros at its floor, marked, hovering as 0."""
    view, _ = watched_run(dead_relu_config())
    page = open_report(tab, write_report(tmp_path, view))
    click_unit(page, 0)
    page.wait_for_function(
        "() => (document.getElementById('unit-plot').data || []).length >= 4", timeout=TIMEOUT_MS
    )
    annotations = _layout(page, "unit-plot")["annotations"]
    assert [a["text"] for a in annotations] == [
        STATISTICS[k] + (" (log scale)" if k in ("gradient", "update_ratio") else "")
        for k in STATISTICS
    ]
    assert [a["hovertext"] for a in annotations] == [TERMS[k] for k in STATISTICS]
    zeros = page.evaluate(
        f"() => document.getElementById('unit-plot').data.filter(t => t.name === '{ZERO}')"
    )
    assert zeros, _trace_names(page, "unit-plot")
    gradient = zeros[0]
    assert gradient["yaxis"] == "y3" and all(y > 0 for y in gradient["y"])
    assert gradient["hovertemplate"].startswith(STATISTICS["gradient"] + ": 0")
    line = page.evaluate(
        "() => document.getElementById('unit-plot').data"
        f".find(t => t.name === '{STATISTICS['gradient']}')"
    )
    assert None not in line["y"] and set(line["text"]) == {"0"}  # drawn on, hovering as 0
    # the layer curves: layer 1's gradient RMS is 0 on every step, at the floor too
    assert ZERO in _trace_names(page, "grad-rms-plot")
    page.screenshot(path=str(screenshots / "zeros-on-log-axes.png"), full_page=True)
    assert tab.errors == []
