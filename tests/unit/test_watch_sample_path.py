"""One sample's path: a bounded set of the run's examples, each with every layer's
activations from the view's latest parameters and the output's probability per class."""

import base64
import io

import numpy as np
from watch_runs import config, watched_run

from functions.nn import LayerSpec
from functions.training.gradcheck import seeded_case
from functions.training.passes import ShardedLayers
from lnn.watch.examples import Examples
from lnn.watch.numbers import UNITS_DRAWN, figure
from lnn.watch.sample_path import (
    PATH_SAMPLES,
    sample_path_section,
    sample_pictures_section,
)
from lnn.watch.thumbnails import THUMBNAIL
from lnn.watch.view import RunView

LAYERS = [
    {"units": 6, "activation": "tanh"},
    {"units": 4, "activation": "relu"},
    {"units": 1, "activation": "sigmoid"},
]


def _pixels(uri: str) -> np.ndarray:
    from matplotlib.image import imread

    return np.asarray(imread(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))


def test_each_samples_path_is_the_forward_pass_of_the_latest_parameters() -> None:
    view, result = watched_run(config(layers=LAYERS, epochs=4, holdout=0.25))
    path = view.document()["sample_path"]
    samples = path["samples"]
    assert path["step"] == view.step and len(samples) == PATH_SAMPLES
    # shared between the splits the run has, evenly spread over each, first and last included
    x_train, y_train = view.examples.splits["train"]
    x_dev, _ = view.examples.splits["dev"]
    train = [s["index"] for s in samples if s["split"] == "train"]
    dev = [s["index"] for s in samples if s["split"] == "dev"]
    assert len(train) == len(dev) == PATH_SAMPLES // 2
    assert train[0] == 0 and train[-1] == x_train.shape[1] - 1 and dev[-1] == x_dev.shape[1] - 1
    specs = [LayerSpec(x["units"], x["activation"]) for x in LAYERS]
    forward = ShardedLayers(specs, 2).forward(result.params, x_train[:, train])
    for j, sample in enumerate(s for s in samples if s["split"] == "train"):
        a1 = np.tanh(forward.zs[0][:, j])
        a2 = np.maximum(forward.zs[1][:, j], 0.0)
        p = 1.0 / (1.0 + np.exp(-forward.zs[2][0, j]))
        for got, want in zip(sample["layers"], [a1, a2, [p]], strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-12)
        np.testing.assert_allclose(sample["output"], [1.0 - p, p], rtol=1e-3)
        np.testing.assert_allclose(sample["point"], x_train[:, train[j]], rtol=1e-3)
        truth = "lower" if y_train[0, train[j]] == 1 else "upper"
        assert sample["label"] == truth and sample["predicted"] == ("lower" if p > 0.5 else "upper")
    assert path["output_names"] == ["P(upper)", "P(lower)"] and path["probabilities"]
    assert [x["activation"] for x in path["layers"]] == ["tanh", "relu", "sigmoid"]
    assert view.document()["sample_pictures"] is None  # points, not pictures


def test_image_samples_carry_their_picture() -> None:
    cfg = config(
        "digits",
        layers=[{"units": 5, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        epochs=2,
    )
    view, _ = watched_run(cfg)
    document = view.document()
    path, pictures = document["sample_path"], document["sample_pictures"]
    assert path["output_names"] == [f"P({k})" for k in range(10)]
    assert len(pictures) == len(path["samples"])  # one a sample, in its order
    x, y = view.examples.splits["train"]
    for sample, picture in zip(path["samples"][:3], pictures, strict=False):
        column = x[:, sample["index"]]
        pixels = _pixels(picture)
        assert pixels.shape[:2] == (8, 8)  # the digit itself, not shrunk
        # its brightest feature is white and its darkest black
        assert pixels.reshape(64, -1)[np.argmax(column), 0] == 1.0
        assert pixels.reshape(64, -1)[np.argmin(column), 0] == 0.0
        assert abs(sum(sample["output"]) - 1.0) < 1e-3
        assert sample["label"] == str(int(np.argmax(y[:, sample["index"]])))
        assert "point" not in sample


def test_large_pictures_shrink_to_thumbnails_and_wide_layers_are_capped() -> None:
    specs = [LayerSpec(UNITS_DRAWN + 6, "relu"), LayerSpec(1, "linear")]
    case = seeded_case(specs, features=64 * 64 * 3, samples=5, keep_prob=1.0, seed=2)
    examples = Examples(splits={"test": (case.x, case.y)})
    path = sample_path_section(case.params, specs, examples, 3)
    assert [s["index"] for s in path["samples"]] == [0, 1, 2, 3, 4]
    sample = path["samples"][0]
    # RGBA as the PNG holds it, each 2 x 2 block of the picture averaged
    picture = _pixels(sample_pictures_section(examples, (64, 64, 3))[0])
    assert picture.shape[:2] == (THUMBNAIL, THUMBNAIL) and picture.shape[2] >= 3
    column = case.x[:, 0].reshape(64, 64, 3)
    scaled = (column - column.min()) / (column.max() - column.min())
    np.testing.assert_allclose(picture[0, 0, :3], scaled[:2, :2].mean(axis=(0, 1)), atol=1 / 255)
    assert len(sample["layers"][0]) == UNITS_DRAWN and len(sample["layers"][1]) == 1
    # a regression: the output's value, and the target as it is
    assert path["output_names"] == ["output"] and not path["probabilities"]
    assert sample["output"] == sample["layers"][1]
    assert sample["label"] == figure(case.y[0, 0])


def test_without_examples_there_is_no_path_and_the_page_is_told() -> None:
    view, _ = watched_run(config(epochs=1))
    assert view.wants_params() and view.document()["inputs"]["examples"]
    bare = RunView(engine="endpoint")
    bare.update(config=view.config, n_features=5)  # neither 2-D nor pictures, no examples
    bare.set_params(1, view._params[1])
    document = bare.document()
    assert document["sample_path"] is None and not document["inputs"]["examples"]
    assert not bare.wants_params()


def test_new_parameters_send_the_paths_and_the_grid_again_not_the_pictures() -> None:
    cfg = config(
        "digits",
        layers=[{"units": 5, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        epochs=1,
    )
    view, result = watched_run(cfg)
    held = view.document()["status"]["content"]
    view.set_params(view.step + 1, [{**layer, "W": 2.0 * layer["W"]} for layer in result.params])
    changed = view.document(since=held)
    assert "sample_path" in changed and "sample_pictures" not in changed
    assert changed["sample_path"]["step"] == view.step + 1
    # the example grid's pictures stay; its step's indices and P are sent again
    assert "example_grid" in changed and "example_grid_pictures" not in changed
    assert changed["example_grid"]["step"] == view.step + 1
    assert view.document()["example_grid_pictures"]["pictures"]
