"""The views of a run on pictures, on a small cat file the test makes: its "cat" images carry
a bright blob in the centre, its "non-cat" images are noise. Trained on the embedded engine
(two shards a layer) by `lnn train --out`, its report.html read in Chromium: what it predicts
with the file's class names, the first layer's W and W - W(init) over the steps, one sample's
path chosen by its thumbnail, dead units over time and the message timeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_pages import (
    TIMEOUT_MS,
    Tab,
    click_bar,
    drawn,
    open_report,
    slide_weights,
    text,
    weight_sources,
)

from functions.nn.predict import predict_proba
from lnn.cli.main import main
from lnn.datasets.cat import CAT_NPZ, DATA_DIR_ENV
from lnn.model_file import load_model
from lnn.watch.example_grid import PER_KIND
from lnn.watch.thumbnails import THUMBNAIL

CLASSES = ["non-cat", "cat"]  # as the file gives them: label 0, label 1
EPOCHS = 12
TRAIN = ["train", "--engine", "embedded", "--shards", "2", "--dataset", "cat"]
OPTIONS = ["--layers", "4:relu,3:tanh,1:sigmoid", "--lr", "0.05", "--epochs", str(EPOCHS)]


def _pictures(blob_strengths: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """64x64 RGB noise, dark, with a bright Gaussian blob in the centre as strong as asked
    (0: none)."""
    rows, columns = np.mgrid[0:64, 0:64]
    blob = np.exp(-((rows - 31.5) ** 2 + (columns - 31.5) ** 2) / (2 * 10.0**2))
    noise = rng.integers(0, 60, (len(blob_strengths), 64, 64, 3)).astype(np.float64)
    bright = 190 * blob_strengths[:, None, None, None] * blob[None, :, :, None]
    return np.clip(noise + bright, 0, 255).astype(np.uint8)


def _blob_cats(directory: Path) -> Path:
    """catvnoncat.npz in the course's layout: 24 training and 10 test images, every other
    one a cat. The last test cat has no blob: the network is sure to get it wrong."""
    rng = np.random.default_rng(5)
    train_y = (np.arange(24) % 2).astype(np.uint8)
    test_y = (np.arange(10) % 2).astype(np.uint8)
    test_strengths = rng.uniform(0.2, 1.0, 10) * test_y
    test_strengths[-1] = 0.0
    path = directory / CAT_NPZ
    np.savez(
        path,
        train_x=_pictures(rng.uniform(0.2, 1.0, 24) * train_y, rng),
        train_y=train_y,
        test_x=_pictures(test_strengths, rng),
        test_y=test_y,
        classes=np.array(CLASSES),
    )
    return path


@pytest.fixture(scope="module")
def blob_cats(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _blob_cats(tmp_path_factory.mktemp("blob-cats"))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, blob_cats: Path) -> Path:
    """The run's --out directory."""
    out = tmp_path_factory.mktemp("image-views") / "run"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATA_DIR_ENV, str(blob_cats.parent))
        assert main([*TRAIN, *OPTIONS, "--json", "--out", str(out)]) == 0
    return out


def _history(run: Path) -> list[dict[str, Any]]:
    return list(json.loads((run / "history.json").read_text()))


def _document(page: Any, key: str) -> Any:
    return page.evaluate("(key) => window.LNN.doc[key]", key)


def _matrix(page: Any, split: str) -> tuple[list[str], list[str], list[list[int]]]:
    """The table's column and row headers (class names) and its counts, as the page shows."""
    rows = page.locator(f"#predictions-{split} tr").all()
    heads = rows[0].locator("th").all_inner_texts()[1:]
    names = [row.locator("th").inner_text() for row in rows[1:]]
    counts = [[int(v) for v in row.locator("td").all_inner_texts()] for row in rows[1:]]
    return heads, names, counts


def _captions(page: Any, kind: str) -> list[str]:
    return list(page.locator(f"#predictions-{kind} figcaption").all_inner_texts())


def test_what_it_predicts_in_the_files_class_names(tab: Tab, run: Path, screenshots: Path) -> None:
    history = _history(run)
    final = history[-1]
    assert final["train_accuracy"] > 0.9, "the blob is meant to be learnt"
    page = open_report(tab, run / "report.html")
    for split in ("train", "test"):
        assert _matrix(page, split) == (CLASSES, CLASSES, final[f"{split}_confusion"])
    assert page.locator("#predictions-dev").count() == 0  # no --holdout, no dev split
    assert page.locator("#predictions-verdict").is_hidden()  # better than guessing
    assert f"after epoch {EPOCHS} ({EPOCHS} of {EPOCHS})" in text(page, "predictions-step-text")

    # The test images, right and wrong surest first, then the least sure: as many of each as
    # the final matrix counts, each named by its class and P of the class predicted.
    (true_non_cat, false_cat), (false_non_cat, true_cat) = final["test_confusion"]
    right, wrong = true_non_cat + true_cat, false_cat + false_non_cat
    assert wrong >= 1  # the cat without its blob
    assert text(page, "predictions-examples").startswith(f"test images at step {EPOCHS} (of 10)")
    shown = {kind: _captions(page, kind) for kind in ("right", "wrong", "unsure")}
    assert len(shown["right"]) == min(PER_KIND, right)
    assert len(shown["wrong"]) == min(PER_KIND, wrong)
    assert len(shown["unsure"]) == min(PER_KIND, 10 - len(shown["right"]) - len(shown["wrong"]))
    for kind, captions in shown.items():
        for caption in captions:
            predicted, p = caption.split(" (true: ")[0].split(" P ")
            assert predicted in CLASSES and 0.5 <= float(p) <= 1.0, caption
            if kind == "wrong":
                assert caption.endswith(f"(true: {CLASSES[1 - CLASSES.index(predicted)]})")
    assert any(c.startswith("non-cat P") and c.endswith("(true: cat)") for c in shown["wrong"])
    widths = page.evaluate(
        "() => [...document.querySelectorAll('#predictions-examples img')].map(i => i.naturalWidth)"
    )
    assert widths == [THUMBNAIL] * sum(map(len, shown.values()))  # the 64x64 shrunk
    page.locator("#predictions").screenshot(path=str(screenshots / "predictions-cat.png"))
    # Back to the first evaluation: its counts, its epoch.
    page.locator("#predictions-step").fill("0")
    assert "after epoch 1 (1 of" in text(page, "predictions-step-text")
    assert _matrix(page, "test")[2] == history[0]["test_confusion"] != final["test_confusion"]
    assert tab.errors == []


def test_the_first_layers_pictures_follow_the_slider_and_the_switch(
    tab: Tab, run: Path, screenshots: Path
) -> None:
    page = open_report(tab, run / "report.html")
    pictures = _document(page, "weights")["pictures"]
    steps = sorted(int(s) for s in pictures)
    assert steps[0] == 0 and steps[-1] == EPOCHS
    widths = page.evaluate(
        "() => [...document.querySelectorAll('#weights-grid img')].map(i => i.naturalWidth)"
    )
    assert widths == [64] * 4  # a 64x64 picture per unit of layer 1
    assert page.get_attribute("#weights-slider", "max") == str(len(steps) - 1)
    assert text(page, "weights-step").startswith(f"at step {EPOCHS}: W,")
    assert weight_sources(page) == pictures[str(EPOCHS)]["w"]
    page.check("input[name=weights-kind][value=change]")
    assert text(page, "weights-step").startswith(f"at step {EPOCHS}: W - W(init),")
    assert weight_sources(page) == pictures[str(EPOCHS)]["change"] != pictures[str(EPOCHS)]["w"]
    page.locator("#weights").screenshot(path=str(screenshots / "weights-cat-change.png"))
    slide_weights(page, 1)
    assert text(page, "weights-step").startswith(f"at step {steps[1]}: W - W(init),")
    assert (
        weight_sources(page) == pictures[str(steps[1])]["change"] != pictures[str(EPOCHS)]["change"]
    )
    slide_weights(page, 0)
    assert "nothing has changed yet" in text(page, "weights-note")
    page.check("input[name=weights-kind][value=w]")
    assert text(page, "weights-step").startswith("at step 0 (the initial weights): W,")
    assert weight_sources(page) == pictures["0"]["w"] != pictures[str(EPOCHS)]["w"]
    assert tab.errors == []


def _bars(page: Any, layer: int) -> dict[str, Any]:
    plot = f"sample-path-layer-{layer}"
    return dict(page.evaluate(f"() => document.getElementById('{plot}').data[0]"))


def test_a_samples_path_from_its_thumbnail_ends_in_the_models_probabilities(
    tab: Tab, run: Path, blob_cats: Path, screenshots: Path
) -> None:
    page = open_report(tab, run / "report.html")
    samples = _document(page, "sample_path")["samples"]
    thumbnails = page.locator("#sample-path-thumbs img")
    assert thumbnails.count() == len(samples) == 22  # 12 of the training images, all 10 tests
    # The test cat without its blob: its thumbnail, each layer's bars, the output's P.
    chosen = next(i for i, s in enumerate(samples) if s["split"] == "test" and s["index"] == 9)
    sample = samples[chosen]
    thumbnails.nth(chosen).click()
    page.wait_for_function(
        "() => document.getElementById('sample-path-choice').value === 'test:9'",
        timeout=TIMEOUT_MS,
    )
    assert page.locator("#sample-path-thumbs img.chosen").count() == 1
    assert text(page, "sample-path-sample").endswith("label cat, predicted non-cat")
    assert text(page, "sample-path-title-1").startswith("Layer 1: A[1] = relu(Z[1])")
    assert text(page, "sample-path-title-2").startswith("Layer 2: A[2] = tanh(Z[2])")
    assert _bars(page, 1)["y"] == sample["layers"][0] and len(sample["layers"][0]) == 4
    assert _bars(page, 2)["y"] == sample["layers"][1] and len(sample["layers"][1]) == 3
    output = _bars(page, 3)
    assert output["x"] == [f"P({name})" for name in CLASSES] and output["y"] == sample["output"]
    # The same probabilities as the saved model gives for that picture.
    model = load_model(run / "model.npz")
    with np.load(blob_cats) as npz:
        picture = npz["test_x"][9].reshape(-1, 1) / 255.0
    p_cat = float(predict_proba(model.params, picture, model.specs)[0, 0])
    assert output["y"] == pytest.approx([1 - p_cat, p_cat], rel=1e-3)
    assert drawn(page, "sample-path-layer-1")
    page.locator("#sample_path").screenshot(path=str(screenshots / "sample-path-cat.png"))
    assert tab.errors == []


def test_dead_units_and_the_timeline_of_the_image_run(tab: Tab, run: Path) -> None:
    page = open_report(tab, run / "report.html")
    section = _document(page, "dead_units")
    assert [layer["layer"] for layer in section["layers"]] == [1, 2]  # the hidden layers
    strips = page.evaluate("() => document.getElementById('dead-units-strips').data.map(t => t.z)")
    assert strips == [layer["dead"] for layer in section["layers"]]
    lines = page.locator("#dead-units-verdicts li").all_inner_texts()
    dead = [v for v in section["verdicts"] if v["dead"]]
    assert dead, "at lr 0.05 some relu units of layer 1 die within the first steps"
    for verdict in dead:
        line = f"! layer {verdict['layer']} unit {verdict['unit']}: {verdict['reason']}"
        assert line in lines and "Z ≤ 0 on every sample" in line
    assert text(page, "dead-units-epoch") == f"(verdicts over epoch {EPOCHS})"

    legend = text(page, "timeline-legend")
    assert "neuron L1 s1 is layer 1's shard 1: units 2-3 of 4" in legend
    click_bar(page, 1, 1, "forward")
    assert text(page, "timeline-math").splitlines() == [
        "Z[1] = W[1] A[0] + b[1] for units 2-3 of 4, 24 samples, A[0] = X",
        "A[1] = relu(Z[1])",
    ]
    assert f"epoch\n{EPOCHS} of {EPOCHS}" in text(page, "timeline-detail-facts")
    assert tab.errors == []
