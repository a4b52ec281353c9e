"""The per-unit maps and one sample's path in report.html, as a learner uses them: the small
maps drawn by layer, one enlarged on a click, another sample chosen from the list, a
thumbnail or the plane, and the layers' bars following it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browser_pages import TIMEOUT_MS, Tab, drawn, open_report, text
from watch_runs import config, watched_run

from lnn.watch.report import write_report
from lnn.watch.view import RunView

LAYERS = [
    {"units": 5, "activation": "tanh"},
    {"units": 3, "activation": "relu"},
    {"units": 1, "activation": "sigmoid"},
]


def _plot_data(page: Any, plot: str, trace: int = 0) -> dict[str, Any]:
    return dict(page.evaluate(f"() => document.getElementById('{plot}').data[{trace}]"))


def _enlarged(page: Any) -> list[float]:
    """The enlarged map's values, row by row as the document holds them."""
    return [v for row in _plot_data(page, "unit-maps-plot")["z"] for v in row]


def _bars(page: Any, layer: int) -> list[float]:
    return list(_plot_data(page, f"sample-path-layer-{layer}")["y"])


def _click_plane(page: Any, plot: str, x: float, y: float) -> None:
    """Click plot ``plot`` where the data point (x, y) is drawn."""
    at = page.evaluate(
        f"""() => {{ const g = document.getElementById('{plot}'), f = g._fullLayout;
        const box = g.getBoundingClientRect();
        return [box.left + f._size.l + f.xaxis.l2p({x}), box.top + f._size.t + f.yaxis.l2p({y})];
        }}"""
    )
    page.mouse.click(at[0], at[1])


def test_a_2d_report_draws_each_units_map_and_a_samples_path(
    tab: Tab, tmp_path: Path, screenshots: Path
) -> None:
    view, _ = watched_run(config("flower", layers=LAYERS, epochs=10))
    document = view.document()
    maps, path = document["unit_maps"], document["sample_path"]
    page = open_report(tab, write_report(tmp_path, view))

    # small multiples: one map per unit, by layer; the output's enlarged first
    assert page.locator("#unit-maps-grid canvas").count() == 5 + 3 + 1
    assert page.locator("#unit-maps-grid .map-layer").count() == 3
    assert text(page, "unit-maps-title").startswith(
        "Layer 3, P(blue) (sigmoid): the decision boundary, the line at P = 0.5"
    )
    assert _enlarged(page) == maps["layers"][2]["maps"][0]
    points = _plot_data(page, "unit-maps-plot", 1)
    assert len(points["x"]) == len(maps["points"]["x"]) and points["opacity"] < 0.5
    assert _plot_data(page, "unit-maps-plot", 2)["name"] == "P = 0.5"  # the boundary's line
    # one colour per class everywhere: flower's "red" red, its "blue" blue, named in a key;
    # P runs along the same colours in the boundary and the output's map
    boundary = _plot_data(page, "boundary-plot", 1)["marker"]
    assert points["marker"]["colorscale"] == boundary["colorscale"]
    assert boundary["colorscale"][0][1] == "rgb(178,24,43)"
    assert boundary["colorscale"][-1][1] == "rgb(33,102,172)"
    assert _plot_data(page, "boundary-plot")["colorscale"] == boundary["colorscale"]
    assert _plot_data(page, "unit-maps-plot")["colorscale"] == boundary["colorscale"]
    assert text(page, "boundary-classes") == text(page, "unit-maps-classes") == "classes: red, blue"

    # a click on layer 1's unit 3 enlarges it, on its own colour range
    page.locator("#unit-maps-grid canvas[data-layer='1'][data-unit='3']").click()
    page.wait_for_function(
        "() => document.getElementById('unit-maps-title').textContent.startsWith('Layer 1, unit 3')"
    )
    assert _enlarged(page) == maps["layers"][0]["maps"][3]
    enlarged = _plot_data(page, "unit-maps-plot")
    assert (enlarged["zmin"], enlarged["zmax"]) == (-1, 1)
    # a sign is purple to orange, never the classes' red and blue
    assert [c for _, c in enlarged["colorscale"]] == [
        "rgb(84,39,136)",
        "rgb(247,247,247)",
        "rgb(179,88,6)",
    ]
    assert page.evaluate("() => document.getElementById('unit-maps-plot').data.length") == 2
    assert page.locator("#unit-maps-grid canvas.chosen").get_attribute("data-unit") == "3"

    # the path of the first sample, then of another chosen from the list
    first = path["samples"][0]
    assert _bars(page, 1) == first["layers"][0] and _bars(page, 2) == first["layers"][1]
    output = _plot_data(page, "sample-path-layer-3")
    assert output["x"] == ["P(red)", "P(blue)"] and output["y"] == first["output"]
    assert text(page, "sample-path-title-1").startswith("Layer 1: A[1] = tanh(Z[1])")
    assert text(page, "sample-path-title-2").startswith("Layer 2: A[2] = relu(Z[2])")
    assert text(page, "sample-path-title-3") == (
        "Output, layer 3: A[3] = sigmoid(Z[3]); A[3] = P(blue); P(red) = 1 \u2212 A[3]"
    )
    other = path["samples"][7]
    page.evaluate("() => { document.getElementById('sample-path-choice').options[0].kept = 1; }")
    page.select_option("#sample-path-choice", f"{other['split']}:{other['index']}")
    # the same samples: the list is kept (a rebuild would close an open dropdown), the choice moves
    assert page.evaluate("() => document.getElementById('sample-path-choice').options[0].kept") == 1
    assert _bars(page, 1) == other["layers"][0] and _bars(page, 1) != first["layers"][0]
    assert _plot_data(page, "sample-path-layer-3")["y"] == other["output"]
    assert text(page, "sample-path-sample").startswith(f"train #{other['index']} at (")

    # a click on the boundary plot, on a sample's point, picks that sample
    picked = path["samples"][15]
    _click_plane(page, "boundary-plot", *picked["point"])
    page.wait_for_function(
        f"() => document.getElementById('sample-path-choice').value === 'train:{picked['index']}'",
        timeout=TIMEOUT_MS,
    )
    assert _bars(page, 2) == picked["layers"][1]
    page.locator("#unit_maps").screenshot(path=str(screenshots / "unit-maps.png"))
    page.locator("#sample_path").screenshot(path=str(screenshots / "sample-path-2d.png"))
    assert tab.errors == []


def test_a_digits_report_shows_a_samples_path_chosen_by_its_picture(
    tab: Tab, tmp_path: Path, screenshots: Path
) -> None:
    cfg = config(
        "digits",
        layers=[{"units": 6, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        epochs=3,
    )
    view, _ = watched_run(cfg)
    path = view.document()["sample_path"]
    page = open_report(tab, write_report(tmp_path, view))
    assert text(page, "unit_maps").endswith("Only for 2-D inputs.")
    thumbnails = page.locator("#sample-path-thumbs img")
    assert thumbnails.count() == len(path["samples"]) == 24
    widths = page.evaluate(
        "() => [...document.querySelectorAll('#sample-path-thumbs img')].map(i => i.naturalWidth)"
    )
    assert widths == [8] * 24  # every picture decoded from the file itself
    output = _plot_data(page, "sample-path-layer-2")
    assert output["x"] == [f"P({k})" for k in range(10)]
    assert output["y"] == path["samples"][0]["output"]
    chosen = path["samples"][9]
    thumbnails.nth(9).click()
    page.wait_for_function(
        f"() => document.getElementById('sample-path-choice').value === 'train:{chosen['index']}'",
        timeout=TIMEOUT_MS,
    )
    assert _bars(page, 1) == chosen["layers"][0]
    assert _plot_data(page, "sample-path-layer-2")["y"] == chosen["output"]
    assert page.locator("#sample-path-thumbs img.chosen").count() == 1
    assert text(page, "sample-path-sample").endswith(
        f"label {chosen['label']}, predicted {chosen['predicted']}"
    )
    assert drawn(page, "sample-path-layer-1")
    page.locator("#sample_path").screenshot(path=str(screenshots / "sample-path-digits.png"))
    assert tab.errors == []


def test_a_report_without_the_runs_samples_says_why_it_has_no_path(
    tab: Tab, tmp_path: Path
) -> None:
    """As `lnn report RUN` of an image run on a stack: parameters, but no samples."""
    cfg = config(
        "digits",
        layers=[{"units": 4, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        epochs=1,
    )
    trained, result = watched_run(cfg)
    view = RunView(engine="endpoint", run_id="r1")
    view.update(config=cfg, n_features=64, status="SUCCEEDED", step=trained.step)
    view.set_params(trained.step, result.params)
    view.set_first_layer(list(result.first_layer), result.first_layer.get)  # the kept steps
    page = open_report(tab, write_report(tmp_path, view))
    assert page.locator("#weights-grid img").count() == 4  # the parameters are there
    assert "examples are not known here" in text(page, "sample_path")
    assert page.locator("#sample-path-choice").is_hidden()
    assert tab.errors == []
