"""The grid of image examples: the ones the network gets right and wrong most surely and the
ones it is least sure of, from its latest parameters, shown only for probability outputs."""

import numpy as np
import pytest

from functions.nn import LayerSpec
from functions.nn.predict import predict_proba
from functions.training.gradcheck import seeded_case
from lnn.watch.example_grid import (
    GRID_SAMPLES,
    KINDS,
    PER_KIND,
    example_grid_pictures_section,
    example_grid_section,
)
from lnn.watch.examples import Examples
from lnn.watch.thumbnails import thumbnail
from lnn.watch.unit_maps import unit_maps_section

SHAPE = (8, 8)  # 64 grey features a sample, as the digits
CLASSES = ("zero", "one", "two")


def _case(output: LayerSpec, samples: int = 60) -> tuple[list, list[LayerSpec], Examples]:
    specs = [LayerSpec(6, "relu"), output]
    case = seeded_case(specs, features=64, samples=samples, keep_prob=1.0, seed=4)
    # Larger weights: surer outputs, so right and wrong both have members.
    params = [{**layer, "W": 3.0 * layer["W"]} for layer in case.params]
    return params, specs, Examples(splits={"dev": (case.x, case.y)}, classes=CLASSES)


@pytest.mark.parametrize("output", [LayerSpec(3, "softmax"), LayerSpec(1, "sigmoid")])
def test_right_and_wrong_are_the_predictions_surest_first(output: LayerSpec) -> None:
    params, specs, examples = _case(output)
    grid = example_grid_section(params, specs, examples, 7)
    assert grid is not None and grid["step"] == 7 and grid["split"] == "dev"
    x, y = examples.splits["dev"]
    proba = predict_proba(params, x, specs)
    p = np.vstack([1.0 - proba, proba]) if proba.shape[0] == 1 else proba
    truth = y.argmax(axis=0) if y.shape[0] > 1 else y[0].astype(int)
    predicted = p.argmax(axis=0)
    names = CLASSES if output.units > 1 else CLASSES[:2]
    kinds = grid["kinds"]
    assert set(kinds) == set(KINDS)
    assert kinds["right"] and kinds["wrong"]  # the seeded case has both
    for kind in KINDS:
        shown = kinds[kind]
        assert len(shown) <= PER_KIND
        for s in shown:
            i = s["sample"]
            assert s["true"] == names[truth[i]] and s["predicted"] == names[predicted[i]]
            assert 0.0 <= s["p"] <= 1.0 and s["p"] == pytest.approx(p[:, i].max(), rel=1e-3)
        sureness = [s["p"] for s in shown]
        # right and wrong surest first, unsure least sure first
        assert sureness == sorted(sureness, reverse=kind != "unsure")
    assert all(s["true"] == s["predicted"] for s in kinds["right"])
    assert all(s["true"] != s["predicted"] for s in kinds["wrong"])
    # no sample under two kinds
    samples = [s["sample"] for kind in KINDS for s in kinds[kind]]
    assert len(samples) == len(set(samples))
    # the least sure are less sure than any right one shown
    assert max(s["p"] for s in kinds["unsure"]) <= min(s["p"] for s in kinds["right"])


@pytest.mark.parametrize("activation", ["relu", "tanh", "linear"])
def test_an_output_that_is_not_a_probability_gets_no_grid_but_a_reason(activation: str) -> None:
    params, specs, examples = _case(LayerSpec(1, activation))
    grid = example_grid_section(params, specs, examples, 3)
    assert grid is not None and "kinds" not in grid
    assert f"1:{activation}" in grid["why"] and "not class probabilities" in grid["why"]


def test_unit_maps_name_only_probability_outputs_p() -> None:
    specs = [LayerSpec(4, "tanh"), LayerSpec(1, "sigmoid")]
    case = seeded_case(specs, features=2, samples=20, keep_prob=1.0, seed=1)
    named = unit_maps_section(case.params, specs, case.x, case.y, 1, ("red", "blue"))
    assert named["layers"][-1]["names"] == ["P(blue)"]  # one sigmoid unit: class 1's P
    specs = [LayerSpec(4, "tanh"), LayerSpec(1, "relu")]
    case = seeded_case(specs, features=2, samples=20, keep_prob=1.0, seed=1)
    plain = unit_maps_section(case.params, specs, case.x, case.y, 1, ("red", "blue"))
    assert plain["layers"][-1]["names"] == ["output 0"]


def test_the_pictures_are_sent_once_and_each_step_names_its_samples_by_index() -> None:
    params, specs, examples = _case(LayerSpec(3, "softmax"), samples=GRID_SAMPLES + 50)
    pictures = example_grid_pictures_section(examples, SHAPE)
    assert pictures is not None and pictures["split"] == "dev"
    x = examples.splits["dev"][0]
    # the samples picked from: GRID_SAMPLES evenly spread, the first and the last among them
    indices = sorted(int(i) for i in pictures["pictures"])
    assert len(indices) == GRID_SAMPLES and indices[0] == 0 and indices[-1] == x.shape[1] - 1
    assert pictures["pictures"][str(indices[5])] == thumbnail(x[:, indices[5]], SHAPE)
    for step, scale in ((1, 1.0), (2, -2.0)):
        grid = example_grid_section(
            [{**layer, "W": scale * layer["W"]} for layer in params], specs, examples, step
        )
        assert grid is not None and grid["samples"] == GRID_SAMPLES
        assert grid["of"] == x.shape[1]
        shown = [s for kind in KINDS for s in grid["kinds"][kind]]
        assert shown and all(str(s["sample"]) in pictures["pictures"] for s in shown)
        assert all("png" not in s for s in shown)  # no picture in a step's section
