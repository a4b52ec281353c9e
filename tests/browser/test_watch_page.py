"""The live page in Chromium: it follows an embedded run as it trains, draws the network as
its shards, shows a unit's history on a click, and says so when its server goes away."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from browser_pages import PLOTS, TIMEOUT_MS, Tab, click_unit, diagram, drawn, text

from lnn.datasets import load_dataset
from lnn.engines.base import TrainingResult
from lnn.engines.stack import train_on_stack
from lnn.prepare import prepare
from lnn.watch.feeds import finish, planned_view
from lnn.watch.server import WatchServer
from lnn.watch.stack_feed import StackFeed
from messages.train_request import TrainConfig

LAYERS = [{"units": 4, "activation": "tanh"}, {"units": 3, "activation": "relu"}]
OUTPUT = [{"units": 1, "activation": "sigmoid"}]


def _config(epochs: int) -> TrainConfig:
    return TrainConfig(
        dataset="moons", layers=[*LAYERS, *OUTPUT], epochs=epochs, lr=0.5, shards=2, eval_every=5
    )


def _epoch(page: Any) -> int:
    shown = text(page, "epoch").split("/")[0].strip()
    return int(shown) if shown.isdigit() else 0


def test_the_live_page_follows_an_embedded_run(tab: Tab, screenshots: Path) -> None:
    config = _config(epochs=40)
    data = prepare(load_dataset("moons", samples=120), [x.model_dump() for x in config.layers])
    view = planned_view("embedded", config, data.x, data.y)
    results: list[TrainingResult] = []

    def train() -> None:
        results.append(train_on_stack(config, data, observer=StackFeed(view)))

    page = tab.page
    with WatchServer(view) as server:
        page.goto(server.url)
        trainer = threading.Thread(target=train, daemon=True)
        trainer.start()
        page.wait_for_function(
            "() => parseInt(document.getElementById('epoch').textContent) >= 1", timeout=TIMEOUT_MS
        )
        first = _epoch(page)
        page.wait_for_function(
            f"() => parseInt(document.getElementById('epoch').textContent) > {first}",
            timeout=TIMEOUT_MS,
        )
        assert text(page, "run-status") == "RUNNING"  # it moved while the run trained
        assert text(page, "engine") == "embedded"

        shown = diagram(page)
        assert shown["columns"] == ["input", "L1 tanh (4)", "L2 relu (3)", "L3 sigmoid (1)"]
        assert shown["units"] == 4 + 3 + 1
        shard_boxes = page.evaluate(
            "() => document.getElementById('network-plot').layout.shapes.length"
        )
        assert shard_boxes == 2 + 2 + 1  # two shards per layer, one for the single output unit

        click_unit(page, 5)  # layer 2's second unit
        page.wait_for_function(
            "() => document.getElementById('unit-title').textContent === 'layer 2, unit 1'",
            timeout=TIMEOUT_MS,
        )
        page.wait_for_function(
            "() => (document.getElementById('unit-plot').data || []).length === 4",
            timeout=TIMEOUT_MS,
        )
        trainer.join(timeout=300)
        assert results and results[0].status == "SUCCEEDED", results
        finish(view, results[0])
        page.wait_for_function(
            "() => document.getElementById('run-status').textContent === 'SUCCEEDED'",
            timeout=TIMEOUT_MS,
        )
        assert _epoch(page) == 40
        for plot in PLOTS:
            assert drawn(page, plot), plot
        # each unit's map over the plane, and the path of the training points the stack keeps
        assert page.locator("#unit-maps-grid canvas").count() == 4 + 3 + 1
        assert page.locator("#sample-path-choice option").count() == 24
        lanes = page.evaluate(
            "() => document.getElementById('timeline-plot').layout.yaxis.categoryarray"
        )
        # the single output shard runs the loss stage itself: no lane of its own
        assert sorted(lanes) == sorted(
            [f"neuron L{layer} s{shard}" for layer in (1, 2) for shard in (0, 1)] + ["neuron L3 s0"]
        )
        page.screenshot(path=str(screenshots / "live-page.png"), full_page=True)
    assert tab.errors == []


def test_the_page_says_when_its_server_is_gone(tab: Tab, screenshots: Path) -> None:
    config = _config(epochs=3)
    data = prepare(load_dataset("moons", samples=60), [x.model_dump() for x in config.layers])
    view = planned_view("reference", config, data.x, data.y)
    server = WatchServer(view).start()
    page = tab.page
    page.goto(server.url)
    page.wait_for_function(
        "() => document.getElementById('run-status').textContent === 'RUNNING'",
        timeout=TIMEOUT_MS,
    )
    assert page.locator("#banner").is_hidden()
    server.stop()
    page.wait_for_selector("#banner", state="visible", timeout=TIMEOUT_MS)
    assert text(page, "banner").startswith("Connection lost: the watch server stopped")
    assert text(page, "run-status") == "RUNNING"  # the last state stays on show
    page.screenshot(path=str(screenshots / "connection-lost.png"))
    # the failed fetches are the browser's own console errors; nothing else went wrong
    assert all("Failed to load resource" in e or "ERR_CONNECTION" in e for e in tab.errors)
