"""report.html in Chromium with the network cut off: every section drawn from the file
alone (plotly.js and the data inline), for 2-D data and for image data."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from browser_pages import PLOTS, TIMEOUT_MS, Tab, diagram, drawn, text
from watch_runs import config, spans_of_steps, watched_run

from lnn.watch.page import SECTIONS
from lnn.watch.report import write_report


def _offline(tab: Tab) -> list[str]:
    """Cut the page off: offline, and any request but the file itself refused (and noted)."""
    tab.context.set_offline(True)
    asked: list[str] = []

    def refuse(route: Any) -> None:
        if not route.request.url.startswith("file://"):
            asked.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    tab.context.route("**/*", refuse)
    return asked


def _open(tab: Tab, report: Path) -> list[str]:
    asked = _offline(tab)
    tab.page.goto(report.as_uri())
    tab.page.wait_for_function(
        "() => document.getElementById('run-status').textContent === 'SUCCEEDED'",
        timeout=TIMEOUT_MS,
    )
    return asked


def test_the_report_of_a_2d_run_draws_every_section_offline(
    tab: Tab, tmp_path: Path, screenshots: Path
) -> None:
    view, _ = watched_run(config(epochs=8))
    view.update(engine="embedded")  # a stack engine: its spans are drawn
    view.set_spans(spans_of_steps(8))
    report = write_report(tmp_path, view)
    asked = _open(tab, report)
    page = tab.page
    for plot in PLOTS:
        assert drawn(page, plot), plot
    assert diagram(page)["units"] == 5 + 1
    assert text(page, "epoch") == "8 / 8" and text(page, "mode") == "report: the run at its end"
    # the one section without data here says why, in words
    assert text(page, "weights").endswith("Only for image inputs.")
    # ... and none of its controls show (.hidden beats the flex boxes' display)
    assert not page.locator("#weights-kind").is_visible()
    assert not page.locator("#weights-slider").is_visible()
    for section in SECTIONS:
        assert page.locator(f"#{section}").is_visible(), section
    page.screenshot(path=str(screenshots / "report-2d.png"), full_page=True)
    assert asked == [] and tab.errors == []


def test_the_report_of_an_image_run_shows_the_first_layers_weights(
    tab: Tab, tmp_path: Path, screenshots: Path
) -> None:
    cfg = config(
        "digits",
        layers=[{"units": 6, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        epochs=4,
    )
    view, _ = watched_run(cfg)
    asked = _open(tab, write_report(tmp_path, view))
    page = tab.page
    images = page.locator("#weights-grid img")
    assert images.count() == 6
    widths = page.evaluate(
        "() => [...document.querySelectorAll('#weights-grid img')].map(i => i.naturalWidth)"
    )
    assert widths == [8] * 6  # every picture decoded from the file itself
    assert text(page, "boundary").endswith("Only for 2-D inputs.")
    assert text(page, "timeline").endswith("The reference engine passes no messages.")
    for plot in ("network-plot", "cost-plot", "histogram-plot", "update-ratio-plot"):
        assert drawn(page, plot), plot
    page.screenshot(path=str(screenshots / "report-images.png"), full_page=True)
    assert asked == [] and tab.errors == []


@pytest.mark.parametrize("statistic", ["saturation", "gradient", "update_ratio"])
def test_the_diagram_recolours_by_the_chosen_statistic(
    tab: Tab, tmp_path: Path, statistic: str
) -> None:
    view, _ = watched_run(config(epochs=3))
    _open(tab, write_report(tmp_path, view))
    page = tab.page
    page.select_option("#statistic", statistic)
    colours = page.evaluate(
        "() => document.getElementById('network-plot').data"
        ".find(t => t.name === 'units').marker.color"
    )
    layer = view.document()["network"]["layers"][0]["now"][statistic]
    if statistic == "saturation":
        assert colours[:5] == pytest.approx(layer)
    else:  # drawn on a log scale
        assert colours[:5] == pytest.approx([math.log10(v) for v in layer])
    assert tab.errors == []
