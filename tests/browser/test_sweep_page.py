"""The sweep's report.html in Chromium, from a small real sweep directory (three moons
trials on the reference engine): the table sorts on a header click, the best trial is
marked, the cost plot has a curve per trial, and a trial's name opens that trial's report;
the live page follows a sweep through its polls and serves the trials' reports."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from browser_pages import TIMEOUT_MS, Tab, drawn, open_report
from sweep_runs import EPOCHS, trained_sweep

from lnn.runs.types import REPORT_FILE
from lnn.sweep.types import TrialStatus, trial_dir
from lnn.watch.sweep import SweepView, serve_sweep, write_sweep_report

# The last epoch of each curve on the cost plot.
_CURVE_EPOCHS = (
    "() => document.getElementById('sweep-cost-plot').data.map(t => t.x[t.x.length - 1])"
)


def _wait_drawn(page: Any) -> None:
    page.wait_for_function(
        "() => document.querySelectorAll('#trials-table tbody tr').length > 0", timeout=TIMEOUT_MS
    )


def _column(page: Any, index: int) -> list[str]:
    """The table's column ``index`` as shown, top to bottom."""
    return list(
        page.evaluate(
            "(k) => [...document.querySelectorAll('#trials-table tbody tr')]"
            ".map(r => r.cells[k].innerText.trim())",
            index,
        )
    )


def _rows(page: Any) -> list[str]:
    """The trials, top to bottom."""
    rows = page.locator("#trials-table tbody tr")
    return [rows.nth(i).get_attribute("data-trial") for i in range(rows.count())]


def _header(page: Any, label: str) -> Any:
    return page.locator("#trials-table thead th", has_text=label).first


def test_the_sweep_report_compares_the_trials_and_links_each_report(
    tab: Tab, tmp_path: Path, screenshots: Path
) -> None:
    record, histories = trained_sweep(tmp_path)
    report = write_sweep_report(tmp_path, record, histories)
    page = tab.page
    page.goto(report.as_uri())
    _wait_drawn(page)
    names = [t.name for t in record.trials]
    best = record.trials[record.best]
    # first shown best first by dev accuracy, the best row marked (and only it)
    assert page.locator("#trials-table tbody tr").first.get_attribute("data-trial") == best.name
    marked = page.locator("#trials-table tbody tr.best")
    assert marked.count() == 1 and marked.get_attribute("data-trial") == best.name
    assert "★" in marked.locator("td").first.inner_text()
    # a click on a header: rows by that column, best first for a result; again: reversed
    shown = _rows(page)
    by_cost = sorted(names, key=lambda n: record.trials[names.index(n)].final_cost or 0)
    assert by_cost != shown  # the click has to move them
    _header(page, "final cost").click()
    assert _rows(page) == by_cost
    _header(page, "final cost").click()
    assert _rows(page) == by_cost[::-1]
    _header(page, "lr").click()
    lr_column = 2  # trial, status, then the searched values in search order
    assert _column(page, lr_column) == ["0.002", "0.5", "5"]
    _header(page, "lr").click()
    assert _column(page, lr_column) == ["5", "0.5", "0.002"]
    # a curve per trial, drawn; the other plots drawn too
    for plot in ("sweep-cost-plot", "parallel-plot", "lr-cost-plot"):
        assert drawn(page, plot), plot
    curves = page.evaluate("() => document.getElementById('sweep-cost-plot').data.map(t => t.name)")
    assert curves == names
    page.screenshot(path=str(screenshots / "sweep-report.png"), full_page=True)
    # a trial's name opens its own report (which loads the sweep's shared plotly.js)
    page.locator("#trials-table a", has_text="t01").click()
    page.wait_for_url("**/trials/t01/report.html", timeout=TIMEOUT_MS)
    open_report(tab, Path(page.url.removeprefix("file://")))
    assert page.evaluate("() => document.getElementById('cost-plot').data.length") == 1
    assert tab.errors == []


def test_the_live_sweep_page_follows_the_sweep_and_serves_the_trial_reports(
    tab: Tab, tmp_path: Path
) -> None:
    record, histories = trained_sweep(tmp_path)
    # First the sweep midway: t02 running, two epochs in, its report not written yet.
    report = trial_dir(tmp_path, 2) / REPORT_FILE
    report.rename(tmp_path / "t02-report.html")
    running = record.trials[2].model_copy(
        update={"status": TrialStatus.RUNNING, "final_cost": None, "dev_accuracy": None}
    )
    midway = record.model_copy(update={"trials": [*record.trials[:2], running]})
    view = SweepView(tmp_path)
    view.update(midway, {**histories, 2: histories[2][:2]})
    args = argparse.Namespace(port=0, no_browser=True)
    server = serve_sweep(view, args, "lnn sweep test")  # started
    try:
        page = tab.page
        page.goto(server.url)
        _wait_drawn(page)
        t02 = page.locator("#trials-table tr[data-trial='t02']")
        assert "RUNNING" in t02.inner_text() and t02.locator("a").count() == 0
        assert page.evaluate(_CURVE_EPOCHS) == [EPOCHS, EPOCHS, 2]
        # The trial ends: the next poll brings it, with its link once its report is there.
        (tmp_path / "t02-report.html").rename(report)
        view.update(record, histories)
        page.wait_for_function(
            "() => document.querySelectorAll('#trials-table tr[data-trial=t02] a').length === 1",
            timeout=TIMEOUT_MS,
        )
        assert "SUCCEEDED" in t02.inner_text()
        assert page.evaluate(_CURVE_EPOCHS) == [EPOCHS] * 3
        t02.locator("a").click()
        page.wait_for_url(f"{server.url}trials/t02/report.html", timeout=TIMEOUT_MS)
        page.wait_for_function(
            "() => document.getElementById('run-status').textContent === 'SUCCEEDED'",
            timeout=TIMEOUT_MS,
        )
    finally:
        server.stop()
    assert tab.errors == []
