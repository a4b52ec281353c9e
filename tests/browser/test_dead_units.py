"""Dead units over time in report.html: a deep relu network at a high learning rate loses
units within a few epochs; the page shows each hidden layer's strip, the verdicts with their
reasons, a unit's Z range and bias on a click, and "!" with the reason in the diagram."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_pages import TIMEOUT_MS, Tab, drawn, open_report, text
from watch_runs import config, watched_run

from lnn.watch.report import write_report
from lnn.watch.view import RunView

# lr 2 on moons: units of every hidden layer die in the first epochs, some revive later.
DYING = config(
    layers=[*[{"units": 8, "activation": "relu"}] * 3, {"units": 1, "activation": "sigmoid"}],
    lr=2.0,
    epochs=20,
    seed=1,
)


@pytest.fixture(scope="module")
def dying_run() -> RunView:
    view, _ = watched_run(DYING)
    return view


def _open(tab: Tab, tmp_path: Path, view: RunView) -> Any:
    return open_report(tab, write_report(tmp_path, view))


def _click_cell(page: Any, layer_index: int, step: int, unit: int) -> None:
    """Click the strip's cell of (step, unit) in the ``layer_index``-th strip, where Plotly
    drew it on the screen."""
    x, y = page.evaluate(
        "([k, step, unit]) => { const g = document.getElementById('dead-units-strips');"
        " const xa = g._fullLayout['xaxis' + (k === 0 ? '' : k + 1)];"
        " const ya = g._fullLayout['yaxis' + (k === 0 ? '' : k + 1)];"
        " const box = g.getBoundingClientRect();"
        " return [box.left + xa._offset + xa.l2p(step), box.top + ya._offset + ya.l2p(unit)]; }",
        [layer_index, step, unit],
    )
    page.mouse.click(x, y)


def test_the_report_shows_strips_verdicts_and_a_units_z_and_bias(
    tab: Tab, tmp_path: Path, screenshots: Path, dying_run: RunView
) -> None:
    section = dying_run.document()["dead_units"]
    dead = [v for v in section["verdicts"] if v["dead"]]
    assert dead, "the run is meant to kill units"
    page = _open(tab, tmp_path, dying_run)
    assert drawn(page, "dead-units-strips")
    strips = page.evaluate("() => document.getElementById('dead-units-strips').data.map(t => t.z)")
    assert strips == [layer["dead"] for layer in section["layers"]]  # layers 1-3, not the output
    lines = page.locator("#dead-units-verdicts li").all_inner_texts()
    for v in dead:
        line = f"! layer {v['layer']} unit {v['unit']}: {v['reason']}"
        assert line in lines and "Z ≤ 0 on every sample (max Z -" in line
    assert any("revived at step" in line for line in lines)
    assert text(page, "dead-units-epoch") == "(verdicts over epoch 20)"

    first = dead[0]
    layer = next(x for x in section["layers"] if x["layer"] == first["layer"])
    page.locator("#dead-units-verdicts li", has_text=first["reason"]).first.click()
    assert first["reason"] in text(page, "dead-unit-title")
    shown = page.evaluate("() => document.getElementById('dead-unit-plot').data")
    assert [t["name"] for t in shown] == ["max Z", "min Z", "mean Z", "bias b"]
    assert shown[0]["y"] == layer["z_max"][first["unit"]]
    assert shown[3]["y"] == layer["bias"][first["unit"]]
    page.screenshot(path=str(screenshots / "dead-units.png"), full_page=True)

    # A click on a cell of the strip shows that unit: a unit of layer 3 that revived.
    revived = next(
        v for v in section["verdicts"] if v["layer"] == 3 and not v["dead"] and v["events"]
    )
    _click_cell(page, 2, revived["events"][-1]["step"], revived["unit"])
    page.wait_for_function(
        "(reason) => document.getElementById('dead-unit-title').textContent.includes(reason)",
        arg=revived["reason"],
        timeout=TIMEOUT_MS,
    )
    assert tab.errors == []


def test_the_diagram_marks_each_dead_unit_with_its_reason(
    tab: Tab, tmp_path: Path, dying_run: RunView
) -> None:
    section = dying_run.document()["dead_units"]
    page = _open(tab, tmp_path, dying_run)
    traces = page.evaluate(
        "() => document.getElementById('network-plot').data"
        ".filter(t => t.name === 'units' || t.name === 'dead')"
        ".map(t => ({x: t.x, text: t.text, hover: t.hovertext}))"
    )
    units, marks = traces
    dead = [v for v in section["verdicts"] if v["dead"]]
    assert marks["text"] == ["!"] * len(dead)
    assert sorted(marks["x"]) == sorted(v["layer"] for v in dead)
    for v in section["verdicts"]:
        index = (v["layer"] - 1) * 8 + v["unit"]
        assert units["hover"][index].endswith(
            f"<br>{v['mark']} {v['reason']}".replace("<br> ", "<br>")
        )
    assert tab.errors == []
