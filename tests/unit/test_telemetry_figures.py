"""The derived figures defined once in functions.telemetry.figures, and the readers that show
them (inspect, the page, TensorBoard) taking them, and their names, from there."""

import numpy as np
import pytest

from functions.telemetry import (
    LayerTelemetry,
    TelemetryRecord,
    backward_telemetry,
    figures,
    forward_telemetry,
)
from lnn.datasets.images import image_shape
from lnn.telemetry import layer_rows
from lnn.tensorboard.histograms import layer_histograms
from lnn.tensorboard.pictures import first_layer_pictures
from lnn.tensorboard.scalars import layer_scalars
from lnn.watch.curves import layer_curves_section
from lnn.watch.histograms import histogram_section
from lnn.watch.series import TelemetrySeries


def _layer(layer: int = 1, step_scale: float = 0.1) -> LayerTelemetry:
    rng = np.random.default_rng(11 + layer)
    z = rng.standard_normal((3, 5))
    w, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 1))
    dw, db = rng.standard_normal((3, 4)), rng.standard_normal((3, 1))
    return LayerTelemetry(
        layer=layer,
        activation="relu",
        units=3,
        start=0,
        stop=3,
        forward=forward_telemetry(z, "relu"),
        backward=backward_telemetry(w, b, w - step_scale * dw, b - step_scale * db, dw, db, z),
    )


def test_the_layer_figures_are_the_matrix_figures() -> None:
    rng = np.random.default_rng(3)
    w, b = rng.standard_normal((4, 6)), rng.standard_normal((4, 1))
    dw, db, dz = rng.standard_normal((4, 6)), rng.standard_normal((4, 1)), np.ones((4, 2))
    w_new = w - 0.01 * dw
    stats = backward_telemetry(w, b, w_new, b - 0.01 * db, dw, db, dz)
    assert figures.weight_norm(stats) == pytest.approx(np.linalg.norm(w), rel=1e-12)
    ratio = np.linalg.norm(w_new - w) / np.linalg.norm(w)
    assert figures.update_ratio(stats) == pytest.approx(ratio, rel=1e-12)
    assert figures.grad_rms(stats) == pytest.approx(np.sqrt(np.mean(dw**2)), rel=1e-12)


def test_the_update_ratio_of_zero_weights() -> None:
    zeros, ones = np.zeros((2, 3)), np.ones((2, 3))
    b = np.zeros((2, 1))
    unmoved = backward_telemetry(zeros, b, zeros, b, zeros, b, np.zeros((2, 1)))
    moved = backward_telemetry(zeros, b, ones, b, ones, b, np.zeros((2, 1)))
    assert figures.update_ratio(unmoved) == 0.0  # 0/0
    assert figures.update_ratio(moved) == np.inf  # the first step of a zero-initialized layer


def test_occupied_span() -> None:
    assert figures.occupied_span(np.zeros(5, dtype=np.int64)) == (0, 0)
    assert figures.occupied_span(np.array([0, 2, 0, 1, 0])) == (1, 4)
    # steps x bins: the span any step occupied
    assert figures.occupied_span(np.array([[0, 0, 1, 0], [0, 3, 0, 0]])) == (1, 3)


def test_has_pictures() -> None:
    assert figures.picture_shape((8, 8), 64) == (8, 8)
    assert figures.picture_shape(None, 64) is None
    assert figures.picture_shape((8, 8), 63) is None
    assert figures.picture_shape((8, 8), 64, weights=np.ones((2, 64))) == (8, 8)
    diverged = np.ones((2, 64))
    diverged[1, 5] = np.nan
    assert figures.picture_shape((8, 8), 64, weights=diverged) is None
    # the readers ask the same question
    assert image_shape("digits", 64) == (8, 8) and image_shape("digits", 63) is None
    assert first_layer_pictures("digits", {1: diverged}) == []
    assert len(first_layer_pictures("digits", {1: np.ones((2, 64))})) == 1


def test_inspect_tensorboard_and_page_show_the_same_figures() -> None:
    records = [
        TelemetryRecord(0, s, s + 1, _layer(layer, 0.1 * (s + 1)))
        for s in range(3)
        for layer in (1, 2)
    ]
    last = [r.telemetry for r in records[-2:]]
    board = {(s.tag, s.step): s.value for s in layer_scalars(records)}
    series = TelemetrySeries()
    series.extend(records)
    curves = layer_curves_section(series)
    for row, t in zip(layer_rows(last), last, strict=True):
        for name in (figures.UPDATE_RATIO, figures.GRAD_RMS, figures.SATURATED):
            value = figures.LAYER_FIGURES[name](t)
            assert row[name] == value
            assert board[(f"layer{t.layer}/{name}", 3)] == value
            page = next(x for x in curves["layers"] if x["layer"] == t.layer)
            assert page[name][-1] == pytest.approx(value, rel=1e-3)  # rounded to send
    # the page is told which figure each plot draws, by the vocabulary's names
    assert {p["figure"] for p in curves["plots"]} == {figures.UPDATE_RATIO, figures.GRAD_RMS}


def test_the_histogram_kinds_are_named_once() -> None:
    t = _layer()
    record = TelemetryRecord(0, 0, 1, t)
    tags = [h.tag.split("/")[1] for h in layer_histograms([record])]
    assert tags == list(figures.HISTOGRAM_KINDS)
    series = TelemetrySeries()
    series.extend([record])
    assert histogram_section(series)["kinds"] == figures.HISTOGRAM_KINDS
