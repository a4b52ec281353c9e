"""The pure parts of the TensorBoard export: which scalars, histograms and pictures a run's
board holds, against hand computations on a small layer."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from functions.telemetry import (
    HistogramSpec,
    LayerTelemetry,
    TelemetryRecord,
    backward_telemetry,
    forward_telemetry,
    histogram,
)
from lnn.cli.main import main
from lnn.datasets import load_dataset
from lnn.datasets.images import image_shape
from lnn.majority import MAX_EVALUATIONS
from lnn.tensorboard import board_name, run_board
from lnn.tensorboard.confusion import confusion_pictures
from lnn.tensorboard.histograms import board_histogram
from lnn.tensorboard.hparams import TEXT_SETTINGS, board_hparams
from lnn.tensorboard.pictures import unit_pixels
from lnn.tensorboard.scalars import history_scalars, layer_scalars
from lnn.watch.predictions import predictions_section
from messages.status import HistoryEntry
from messages.train_request import TrainConfig


def _config(**overrides: object) -> TrainConfig:
    layers = [{"units": 3, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}]
    return TrainConfig(**{"dataset": "moons", "layers": layers, "lr": 0.1, **overrides})


def _layer() -> tuple[dict[str, np.ndarray], LayerTelemetry]:
    """A 3-unit relu layer on 4 inputs and 5 samples; unit 2 is dead (z < 0 throughout)."""
    rng = np.random.default_rng(7)
    z = rng.standard_normal((3, 5))
    z[2] = -np.abs(z[2]) - 0.1
    a = np.maximum(z, 0.0)
    w, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 1))
    dw, db, dz = rng.standard_normal((3, 4)), rng.standard_normal((3, 1)), z * 0.5
    w_new, b_new = w - 0.1 * dw, b - 0.1 * db
    t = LayerTelemetry(
        layer=1,
        activation="relu",
        units=3,
        start=0,
        stop=3,
        forward=forward_telemetry(z, "relu", a=a),
        backward=backward_telemetry(w, b, w_new, b_new, dw, db, dz),
    )
    return {"a": a, "w": w, "w_new": w_new, "dw": dw}, t


def test_layer_scalars_are_the_hand_computed_figures_at_the_records_step() -> None:
    arrays, t = _layer()
    a, w, dw = arrays["a"], arrays["w"], arrays["dw"]
    shown = {s.tag: (s.step, s.value) for s in layer_scalars([TelemetryRecord(0, 3, 4, t)])}
    expected = {
        "layer1/grad_rms": np.sqrt(np.mean(dw**2)),
        "layer1/update_ratio": np.linalg.norm(arrays["w_new"] - w) / np.linalg.norm(w),
        "layer1/saturated": np.mean(a == 0),
        "layer1/dead": 1.0,
        "layer1/weight_norm": np.linalg.norm(w),
        "layer1/activation_mean": a.mean(),
        "layer1/activation_std": a.std(),
    }
    assert shown.keys() == expected.keys()
    for tag, value in expected.items():
        assert shown[tag][0] == 4
        assert shown[tag][1] == pytest.approx(value, rel=1e-12), tag


def test_history_scalars_skip_unevaluated_accuracies_and_follow_the_schedule() -> None:
    history = [
        HistoryEntry(epoch=1, cost=0.7),
        HistoryEntry(epoch=2, cost=0.6, train_accuracy=0.75, test_accuracy=0.5),
    ]
    config = _config(lr_decay=1.0, lr_schedule="inverse_time")
    shown = {(s.run, s.tag, s.step): s.value for s in history_scalars(history, config)}
    # Each split's accuracy in its own run under one tag: TensorBoard overlays them.
    assert shown == {
        ("train", "cost", 1): 0.7,
        ("train", "learning_rate", 1): 0.1,
        ("train", "cost", 2): 0.6,
        ("train", "accuracy", 2): 0.75,
        ("test", "accuracy", 2): 0.5,
        ("train", "learning_rate", 2): 0.05,  # 0.1 / (1 + 1.0 * 1)
    }
    assert {(s.run, s.tag) for s in history_scalars(history, None)} == {
        ("train", "cost"),
        ("train", "accuracy"),
        ("test", "accuracy"),
    }


def test_the_board_holds_the_config_and_the_final_figures_under_a_readable_name() -> None:
    history = [
        HistoryEntry(epoch=1, cost=0.7, train_accuracy=0.5, dev_accuracy=0.25),
        HistoryEntry(epoch=2, cost=0.6, train_accuracy=0.75),
    ]
    board = run_board(_config(batch_size=4), history, [], {})
    assert board.hparams["dataset"] == "moons" and board.hparams["layers"] == "3:relu,1:sigmoid"
    assert board.hparams["lr"] == 0.1 and board.hparams["batch_size"] == 4
    assert board.hparams["telemetry_every"] == "auto"
    # The last value of each: dev was evaluated at epoch 1 only; test never.
    assert board.metrics == {
        "final/cost": 0.6,
        "final/train_accuracy": 0.75,
        "final/dev_accuracy": 0.25,
    }
    assert board_name(_config(), "3f2a1b9c77d0") == "moons_3relu-1sigmoid_3f2a1b9c"
    assert board_name(_config(dataset="my data.npz"), "ab") == "my-data.npz_3relu-1sigmoid_ab"
    assert board_name(None, "3f2a1b9c77d0") == "3f2a1b9c77d0"
    assert not run_board(None, history, [], {}).hparams


def test_a_setting_that_is_auto_or_a_count_is_text_in_every_run() -> None:
    """TensorBoard drops a run whose value's type differs from its column's: "auto" and 5
    would split one column, so both are text."""
    default, every_5 = board_hparams(_config()), board_hparams(_config(eval_every=5))
    assert default["eval_every"] == "auto" and every_5["eval_every"] == "5"
    counted = board_hparams(_config(telemetry_every=3))
    assert default["telemetry_every"] == "auto" and counted["telemetry_every"] == "3"
    for name in default:
        assert type(default[name]) is type(every_5[name]) is type(counted[name]), name
    # Every setting that takes "auto" or a number is in the one set written as text.
    either = {
        name
        for name, field in TrainConfig.model_fields.items()
        if "Literal['auto']" in str(field.annotation)
    }
    assert either == TEXT_SETTINGS


def test_a_histogram_is_handed_over_bin_for_bin_with_finite_overflow_edges() -> None:
    spec = HistogramSpec(min_exponent=-2, max_exponent=2)  # bins ..., [1, 2), [2, 4), [4, inf)
    values = np.array([0.0, 1.5, 3.0, 3.5, 100.0, -0.3, np.nan])
    h = board_histogram("layer1/W", 9, histogram(values, spec))
    assert h is not None and h.step == 9
    # Occupied: (-0.5, -0.25], the zero bin (-0.25, 0.25), ..., [4, inf) drawn as [4, 8).
    assert h.minimum == -0.5 and h.maximum == 8.0
    assert h.limits.tolist() == [-0.25, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
    assert h.counts.tolist() == [1, 1, 0, 0, 1, 2, 1]
    assert h.num == 6  # NaN has no bucket
    assert board_histogram("t", 1, histogram(np.array([np.nan]), spec)) is None


def test_unit_pixels_put_zero_at_grey_and_each_units_peak_at_the_ends() -> None:
    w = np.zeros((2, 12))
    w[0, 0], w[0, 5] = -4.0, 2.0  # unit 0: pixel (0, 0)'s red channel, pixel (0, 1)'s blue
    pixels = unit_pixels(w, (2, 2, 3))
    assert pixels.shape == (2, 2, 2, 3) and pixels.dtype == np.uint8
    assert pixels[0, 0, 0, 0] == 0 and pixels[0, 0, 1, 2] == 191  # 127.5 * 1.5, rounded
    assert np.count_nonzero(pixels[0] != 128) == 2
    assert (pixels[1] == 128).all()  # an all-zero unit is grey, not a division by zero
    grey = unit_pixels(np.arange(8.0).reshape(2, 4) - 2.0, (2, 2))
    assert grey.shape == (2, 2, 2, 1)
    assert grey[0, :, :, 0].tolist() == [[0, 64], [128, 191]]


def test_pictures_are_w_and_its_change_at_each_kept_step_of_a_picture_dataset() -> None:
    _, t = _layer()
    records = [TelemetryRecord(0, 0, 1, t), TelemetryRecord(0, None, 1, t)]  # + epoch record
    history = [HistoryEntry(epoch=1, cost=0.5)]
    rng = np.random.default_rng(3)
    init = rng.standard_normal((3, 64 * 64 * 3)).astype(np.float32)
    first_layer = {0: init, 1: init + 0.5, 4: init * 2}
    board = run_board(_config(dataset="cat"), history, records, first_layer)
    shown = {(p.tag, p.step): p.pixels for p in board.pictures}
    # Step 0 is the init; its change, all zero, is not drawn.
    assert sorted(shown) == [
        ("layer1/units", 0),
        ("layer1/units", 1),
        ("layer1/units", 4),
        ("layer1/units_change", 1),
        ("layer1/units_change", 4),
    ]
    np.testing.assert_array_equal(shown["layer1/units", 4], unit_pixels(init, (64, 64, 3)))
    change = shown["layer1/units_change", 1]  # + 0.5 everywhere: every pixel at the top
    assert change.shape == (3, 64, 64, 3) and (change == 255).all()
    assert len(board.histograms) == 4  # W, A, dW, dZ of the step record only
    assert {h.step for h in board.histograms} == {1}
    assert not run_board(_config(), history, records, first_layer).pictures  # moons
    assert not run_board(None, history, records, first_layer).pictures
    assert not run_board(_config(dataset="cat"), history, records, {}).pictures
    assert run_board(None, [], [], {}).empty


def test_cat_features_are_its_pictures_flattened_in_the_image_shape(tiny_cat: Path) -> None:
    data = load_dataset("cat")
    assert data.image_shape == (64, 64, 3)
    with np.load(tiny_cat) as npz:
        raw = npz["train_x"]
    for k in (0, 7):
        np.testing.assert_array_equal(np.rint(data.x_train[k].reshape(64, 64, 3) * 255), raw[k])


def test_digits_are_8x8_and_other_data_no_picture() -> None:
    assert load_dataset("digits").image_shape == (8, 8)
    assert load_dataset("moons").image_shape is None
    assert image_shape("cat", 12287) is None  # a file that only shares the name


def _train(tmp_path: Path, *options: str) -> int:
    argv = ["train", "--engine", "reference", "--dataset", "moons", "--layers", "3:tanh,1:sigmoid"]
    return main([*argv, "--epochs", "2", "--json", "--out", str(tmp_path / "run"), *options])


def test_train_without_the_option_never_imports_tensorboardx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # makes `import tensorboardX` fail
    assert _train(tmp_path) == 0
    assert "tensorboard" not in json.loads(capsys.readouterr().out.splitlines()[-1])


def test_a_log_dir_that_cannot_be_made_exits_2_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert _train(tmp_path, "--tensorboard", str(blocked / "tb")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--tensorboard: cannot create directory" in err
    assert not any((tmp_path / "run").iterdir())  # made, as --out is, but nothing trained


def test_each_evaluations_confusion_matrices_are_pictures_at_their_epoch() -> None:
    stuck, learned = [[137, 0], [72, 0]], [[130, 7], [5, 67]]
    history = [
        HistoryEntry(epoch=1, cost=0.7, train_accuracy=0.656, train_confusion=stuck),
        HistoryEntry(epoch=2, cost=0.5),  # not evaluated: no picture
        HistoryEntry(
            epoch=3,
            cost=0.2,
            train_accuracy=0.943,
            dev_accuracy=0.9,
            train_confusion=learned,
            dev_confusion=[[9, 1], [1, 9]],
        ),
    ]
    board = run_board(None, history, [], {}, classes=("non-cat", "cat"))
    shown = [(p.tag, p.step) for p in board.pictures]
    assert shown == [("confusion/train", 1), ("confusion/train", 3), ("confusion/dev", 3)]
    first, later = board.pictures[0].pixels, board.pictures[1].pixels
    assert first.dtype == np.uint8 and first.ndim == 4 and first.shape[0] == 1
    assert first.shape[3] == 3 and first.shape == later.shape
    assert not np.array_equal(first, later)  # the pictures show the counts they are of


def test_confusion_pictures_are_capped_as_the_pages_evaluations() -> None:
    """A long run's evaluations: MAX_EVALUATIONS pictures a split, evenly spread, the first
    and the last among them, the same evaluations the page's slider steps through."""
    history = [
        HistoryEntry(epoch=e, cost=1.0 / e, train_accuracy=0.5, train_confusion=[[e, 1], [1, 1]])
        for e in range(1, 251)
    ]
    epochs = [p.step for p in confusion_pictures(history, ())]
    assert len(epochs) == MAX_EVALUATIONS and epochs[0] == 1 and epochs[-1] == 250
    assert max(np.diff(epochs)) - min(np.diff(epochs)) <= 1  # evenly spread
    page = predictions_section(history, None, "points")
    assert page is not None and [e["epoch"] for e in page["evaluations"]] == epochs
