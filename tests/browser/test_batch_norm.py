"""A batch-normalized run in report.html: a unit's gamma, beta and batch mean and variance of
Z in the diagram's hover and, on a click, over the steps beside its other statistics; the
dead-units plot names beta and Z_tilde. A dense layer's unit shows none of them."""

from __future__ import annotations

from pathlib import Path

from browser_pages import TIMEOUT_MS, Tab, click_unit, open_report, text
from watch_runs import batch_norm_config, watched_run

from lnn.watch.report import write_report

LABELS = ["gamma", "beta", "batch mean of Z", "batch variance of Z"]


def test_the_report_shows_a_batch_normalized_units_gamma_beta_and_batch_statistics(
    tab: Tab, tmp_path: Path, screenshots: Path
) -> None:
    view, _ = watched_run(batch_norm_config())
    network = view.document()["network"]
    first = network["layers"][0]
    page = open_report(tab, write_report(tmp_path, view))
    hovers = page.evaluate(
        "() => document.getElementById('network-plot').data.find(t => t.name === 'units').hovertext"
    )
    now = first["norm"]["now"]
    for unit in range(first["units"]):  # layer 1's units come first
        figures = ", ".join(
            f"{label} {now[key][unit]}" for key, label in zip(now, LABELS, strict=True)
        )
        assert f"<br>{figures}" in hovers[unit]
    assert "gamma" not in hovers[-1]  # the dense output unit

    click_unit(page, 2)  # layer 1, unit 2
    page.wait_for_function(
        "() => (document.getElementById('unit-plot').data || []).length === 8",
        timeout=TIMEOUT_MS,
    )
    assert text(page, "unit-title") == "layer 1, unit 2"
    shown = page.evaluate(
        "() => document.getElementById('unit-plot').data.map(t => ({name: t.name, y: t.y}))"
    )
    by_name = {t["name"]: t["y"] for t in shown}
    history = first["norm"]["history"]
    for key, label in zip(history, LABELS, strict=True):
        assert by_name[label] == history[key][2]
    titles = page.evaluate(
        "() => document.getElementById('unit-plot').layout.annotations.map(a => a.text)"
    )
    assert set(LABELS) <= set(titles)
    page.screenshot(path=str(screenshots / "batch-norm-unit.png"), full_page=True)

    click_unit(page, first["units"] + network["layers"][1]["units"])  # the output unit
    page.wait_for_function(
        "() => document.getElementById('unit-plot').data.length === 4", timeout=TIMEOUT_MS
    )

    # The dead-units plot of a unit of layer 1, from a click on its strip: Z_tilde and beta.
    strip = view.document()["dead_units"]["layers"][0]
    page.locator("#dead-units-strips").scroll_into_view_if_needed()
    x, y = page.evaluate(
        "(step) => { const g = document.getElementById('dead-units-strips');"
        " const xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis;"
        " const box = g.getBoundingClientRect();"
        " return [box.left + xa._offset + xa.l2p(step), box.top + ya._offset + ya.l2p(1)]; }",
        strip["steps"][-1],
    )
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => !document.getElementById('dead-unit-plot').classList.contains('hidden')",
        timeout=TIMEOUT_MS,
    )
    plot = page.evaluate("() => document.getElementById('dead-unit-plot').data")
    assert [t["name"] for t in plot] == ["max Z̃", "min Z̃", "mean Z̃", "beta"]
    assert plot[3]["y"] == strip["bias"][1]
    assert text(page, "dead-unit-title").startswith("layer 1, unit 1: alive (max Z̃ ")
    assert tab.errors == []
