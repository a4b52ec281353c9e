"""The first layer's pictures in Chromium: the step slider moves through the kept steps and
the switch shows W - W(init), in the report (offline, the pictures in the file) and on the
live page (a step the page does not hold is asked of the server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from browser_pages import TIMEOUT_MS, Tab, slide_weights, text, weight_sources
from watch_runs import config, watched_run

from lnn.watch.images import REPORT_STEPS
from lnn.watch.report import write_report
from lnn.watch.server import WatchServer

# Digits, 8x8 grey pictures; 12 full-batch epochs: the init and 12 steps kept.
CONFIG = config(
    "digits",
    layers=[{"units": 5, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
    epochs=12,
    lr=0.5,
)


def _kind(page: Any, kind: str) -> None:
    page.check(f"input[name=weights-kind][value={kind}]")


def test_the_reports_slider_and_switch_change_the_pictures(tab: Tab, tmp_path: Path) -> None:
    view, _ = watched_run(CONFIG)
    embedded = view.weights_section(embed=REPORT_STEPS)
    assert embedded is not None
    steps = [int(s) for s in embedded["pictures"]]
    assert len(steps) == REPORT_STEPS and steps[0] == 0 and steps[-1] == 12
    tab.context.set_offline(True)
    page = tab.page
    page.goto(write_report(tmp_path, view).as_uri())
    page.wait_for_function(
        "() => document.querySelectorAll('#weights-grid img').length === 5", timeout=TIMEOUT_MS
    )
    # The report opens at the run's end, its slider over the steps it holds.
    assert page.get_attribute("#weights-slider", "max") == str(REPORT_STEPS - 1)
    assert text(page, "weights-step").startswith("at step 12: W,")
    assert weight_sources(page) == embedded["pictures"]["12"]["w"]
    slide_weights(page, 0)
    assert text(page, "weights-step").startswith("at step 0 (the initial weights): W,")
    assert weight_sources(page) == embedded["pictures"]["0"]["w"]
    _kind(page, "change")
    assert "nothing has changed yet" in text(page, "weights-note")
    slide_weights(page, 3)
    step = steps[3]
    assert text(page, "weights-step").startswith(f"at step {step}: W - W(init),")
    assert weight_sources(page) == embedded["pictures"][str(step)]["change"]
    assert weight_sources(page) != embedded["pictures"][str(step)]["w"]
    _kind(page, "w")
    assert weight_sources(page) == embedded["pictures"][str(step)]["w"]
    assert tab.errors == []


def test_the_live_page_asks_the_server_for_the_step_the_slider_picks(tab: Tab) -> None:
    view, _ = watched_run(CONFIG)
    document = view.document()
    assert document["weights"]["pictures"] == {}  # the page asks for each step it shows
    page = tab.page
    with WatchServer(view) as server:
        page.goto(server.url)
        page.wait_for_function(
            "() => document.querySelectorAll('#weights-grid img').length === 5",
            timeout=TIMEOUT_MS,
        )
        assert page.get_attribute("#weights-slider", "max") == "12"  # every kept step
        _kind(page, "change")
        with page.expect_response(lambda r: "/api/weights?step=5" in r.url) as asked:
            slide_weights(page, 5)
        assert asked.value.ok
        expected = view.weight_pictures(5)
        assert expected is not None
        page.wait_for_function(
            "(first) => document.querySelector('#weights-grid img').src === first",
            arg=expected["change"][0],
            timeout=TIMEOUT_MS,
        )
        assert weight_sources(page) == expected["change"]
        assert text(page, "weights-step").startswith("at step 5: W - W(init),")
    assert tab.errors == []


def test_a_step_that_cannot_be_drawn_says_so_on_the_live_page(tab: Tab) -> None:
    view, result = watched_run(CONFIG)
    kept = dict(result.first_layer)
    kept[12] = np.full_like(kept[12], np.nan)  # the run diverged at its last kept step
    view.set_first_layer(sorted(kept), kept.get)
    page = tab.page
    with WatchServer(view) as server:
        page.goto(server.url)
        page.wait_for_function(
            "() => document.getElementById('weights-note').textContent.includes('could not')",
            timeout=TIMEOUT_MS,
        )
        assert text(page, "weights-note") == (
            "13 kept steps; step 12 could not be drawn: its weights are not all finite "
            "(training diverged)"
        )
        assert weight_sources(page) == []
        # Another step still draws.
        slide_weights(page, 4)
        page.wait_for_function(
            "() => document.querySelectorAll('#weights-grid img').length === 5",
            timeout=TIMEOUT_MS,
        )
        assert text(page, "weights-note") == "13 kept steps"
    # Chromium logs the refused request itself; nothing else went wrong.
    assert [e for e in tab.errors if "status of 422" not in e] == []
