"""The message timeline in Chromium, in the report of an embedded run: its legend in words,
and a click on a bar opening the task's panel with what it computed in the course's notation."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_pages import Tab, click_bar, open_report, text

from lnn.cli.main import main

# 4 relu units on two shards; one sigmoid output unit: the loss runs inside its shard.
TRAIN = ["train", "--engine", "embedded", "--dataset", "moons", "--layers", "4:relu,1:sigmoid"]
OPTIONS = ["--shards", "2", "--epochs", "3", "--batch-size", "150", "--l2", "0.1", "--json"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("timeline") / "run"
    assert main([*TRAIN, *OPTIONS, "--out", str(out)]) == 0
    return out / "report.html"


def test_the_legend_says_what_the_timeline_shows(tab: Tab, report: Path) -> None:
    page = open_report(tab, report)
    legend = text(page, "timeline-legend")
    for outcome in ("claimed", "completed", "duplicate", "healed", "failed", "dead_lettered"):
        assert outcome in legend
    assert "neuron L1 s1 is layer 1's shard 1: units 2-3 of 4" in legend
    assert "A red outline marks a delivery off the plain path" in legend
    assert "the loss runs inside it (neuron L2 s0" in legend
    assert "docs/reading.md" in legend
    # the cost's bars carry the J marker: the output shard's, one per pass shown
    marks = page.evaluate(
        "() => document.getElementById('timeline-plot').data"
        ".filter(t => t.name === 'loss stage: cost J').map(t => t.y)"
    )
    assert marks == [["neuron L2 s0"] * 3]
    assert not page.locator("#timeline-detail").is_visible()
    # the plot shows the last passes, the counts the whole run: each says which
    assert text(page, "timeline-steps").startswith("last 3 passes: ")
    counts = text(page, "timeline-counts")
    assert counts.startswith("deliveries so far: ") and "completed " in counts
    # the legend's swatches are styled by the page's sheet (no <style> in a section)
    assert page.locator("#timeline style").count() == 0
    assert page.locator("#timeline-legend .swatch").first.bounding_box()["width"] == 10
    assert tab.errors == []


def test_clicking_a_bar_shows_its_task_and_the_course_notation(
    tab: Tab, report: Path, screenshots: Path
) -> None:
    page = open_report(tab, report)
    click_bar(page, 1, 1, "backward")
    assert text(page, "timeline-detail-title") == "train backward, layer 1, shard 1: completed"
    facts = text(page, "timeline-detail-facts")
    for fact in ("epoch\n3 of 3", "batch\n1", "step\n6", "units\nunits 2-3 of 4", "samples\n150"):
        assert fact in facts
    math = text(page, "timeline-math").splitlines()
    assert math[:3] == [
        "dZ[1] = dA[1] * relu'(Z[1]) for units 2-3 of 4, 150 samples",
        "dW[1] = (1/m) dZ[1] A[0]ᵀ + (λ/m) W[1], λ = 0.1",
        "db[1] = (1/m) Σ dZ[1] (over the m samples)",
    ]
    click_bar(page, 1, 0, "forward")
    assert text(page, "timeline-math").splitlines() == [
        "Z[1] = W[1] A[0] + b[1] for units 0-1 of 4, 150 samples, A[0] = X",
        "A[1] = relu(Z[1])",
    ]
    click_bar(page, 2, 0, "backward")  # the loss, inside the output shard
    math = text(page, "timeline-math")
    assert math.startswith("the loss runs inside the output shard (one shard owns layer 2)")
    assert "J = -(1/m) Σ (Y log A[2] + (1-Y) log(1-A[2]))" in math and "dZ[2] = A[2] - Y" in math
    assert text(page, "timeline-detail-loss") == "This task computed the cost J."
    page.locator("#timeline").screenshot(path=str(screenshots / "timeline-detail.png"))
    assert tab.errors == []
