"""The per-unit maps over the input plane (2-D inputs): the activations of the view's latest
parameters on a coarse grid, within the document's limits."""

import json

import numpy as np
import pytest
from watch_runs import config, watched_run

from functions.nn import LayerSpec
from functions.nn.predict import activations_plane, predict_plane
from functions.training.gradcheck import seeded_case
from lnn.watch.unit_maps import (
    MAP_GRID,
    MAX_MAPS,
    UNITS_PER_LAYER,
    colour_range,
    unit_maps_section,
)

LAYERS = [
    {"units": 6, "activation": "tanh"},
    {"units": 4, "activation": "relu"},
    {"units": 1, "activation": "sigmoid"},
]


def test_each_units_map_is_its_activation_over_the_plane() -> None:
    view, result = watched_run(config(layers=LAYERS, epochs=5))
    maps = view.document()["unit_maps"]
    assert maps["step"] == view.step and maps["grid"] == MAP_GRID and maps["not_shown"] == 0
    assert len(maps["x"]) == len(maps["y"]) == MAP_GRID
    assert [(x["activation"], len(x["maps"])) for x in maps["layers"]] == [
        ("tanh", 6),
        ("relu", 4),
        ("sigmoid", 1),
    ]
    # a numpy evaluation of the run's final parameters over the same grid
    specs = [LayerSpec(x["units"], x["activation"]) for x in LAYERS]
    x, _ = view.points
    _, _, planes = activations_plane(result.params, x, specs, MAP_GRID)
    for layer, plane in zip(maps["layers"], planes, strict=True):
        assert all(len(m) == MAP_GRID * MAP_GRID for m in layer["maps"])
        np.testing.assert_allclose(
            np.array(layer["maps"]), plane.reshape(plane.shape[0], -1), rtol=5e-3, atol=1e-9
        )  # three significant digits
    # the output's map is the decision boundary: P(class 1), named by the dataset
    _, _, proba = predict_plane(result.params, x, specs, MAP_GRID)
    np.testing.assert_allclose(maps["layers"][-1]["maps"][0], proba.ravel(), rtol=5e-3)
    assert maps["layers"][-1]["names"] == ["P(lower)"] and maps["layers"][0]["names"][5] == "unit 5"
    # colour ranges: tanh -1..1, relu from 0 to the layer's largest value, sigmoid 0..1
    relu = np.array(maps["layers"][1]["maps"])
    assert (maps["layers"][0]["low"], maps["layers"][0]["high"]) == (-1.0, 1.0)
    assert maps["layers"][1]["low"] == 0.0
    assert maps["layers"][1]["high"] == pytest.approx(relu.max(), rel=5e-3)
    assert (maps["layers"][2]["low"], maps["layers"][2]["high"]) == (0.0, 1.0)
    assert len(maps["points"]["x"]) == x.shape[1] and set(maps["points"]["label"]) == {0, 1}


def test_wide_networks_draw_a_capped_number_of_maps_the_output_first() -> None:
    specs = [LayerSpec(20, "relu") for _ in range(5)] + [LayerSpec(3, "softmax")]
    case = seeded_case(specs, features=2, samples=50, keep_prob=1.0, seed=1)
    y = np.eye(3)[:, np.arange(50) % 3]
    section = unit_maps_section(case.params, specs, case.x, y, 7, ("a", "b", "c"))
    shown = [len(layer["maps"]) for layer in section["layers"]]
    per_layer, rest = UNITS_PER_LAYER, MAX_MAPS - 3 - 3 * UNITS_PER_LAYER
    assert shown == [per_layer, per_layer, per_layer, rest, 0, 3]
    assert sum(shown) == MAX_MAPS and section["not_shown"] == 103 - MAX_MAPS
    assert section["layers"][-1]["names"] == ["P(a)", "P(b)", "P(c)"]
    assert [layer["units"] for layer in section["layers"]] == [20] * 5 + [3]
    # the document stays small: 64 maps of 21 x 21 values, three digits each
    assert len(json.dumps(section)) < 200_000
    assert all(len(f"{v:g}".lstrip("-0.")) <= 3 for v in section["layers"][1]["maps"][0])


def test_colour_ranges_diverge_around_zero_where_values_take_both_signs() -> None:
    maps = np.array([[-3.0, 0.5], [2.0, np.nan]])
    assert colour_range("linear", maps) == (-3.0, 3.0)
    assert colour_range("leaky_relu", maps) == (-3.0, 3.0)
    assert colour_range("relu", np.zeros((2, 2))) == (0.0, 1.0)  # all dead: still a range
    assert colour_range("softmax", maps) == (0.0, 1.0)
