"""A batch-normalized layer's gamma, beta and batch statistics in a run's TensorBoard log:
a histogram over the units and a scalar (the mean over the units) per telemetry step, read
back with TensorBoard's own reader; a dense layer has none."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from memory_runs import toy_data
from tensorboard import data_compat
from tensorboard.backend.event_processing.event_accumulator import (
    EventAccumulator,
    HistogramValue,
)
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary
from tensorboard.util import tensor_util

from functions.telemetry import TelemetryRecord
from functions.telemetry.figures import norm_units
from functions.training.split import split_training_data
from lnn.engines.reference import train_reference
from lnn.tensorboard import run_board, write_board
from lnn.tensorboard.batch_norm import unit_histogram
from lnn.tensorboard.tags import TRAIN
from messages.train_request import TrainConfig

FIGURES = ("gamma", "beta", "batch_mean", "batch_var")
KEEP_ALL = {"scalars": 0, "histograms": 0}


def _records() -> list[TelemetryRecord]:
    layers = [
        {"units": 6, "activation": "relu", "batch_norm": True},
        {"units": 1, "activation": "sigmoid"},
    ]
    cfg = TrainConfig(dataset="toy", layers=layers, lr=0.5, epochs=4, batch_size=50)
    x, y = toy_data(m=120)
    split = split_training_data(x, y, holdout=cfg.holdout, seed=cfg.seed)
    return train_reference(cfg, split).telemetry


def test_each_step_of_a_batch_normalized_layer_is_written_and_reads_back(
    tmp_path: Path,
) -> None:
    records = _records()
    run_dir = write_board(tmp_path, "bn", run_board(None, [], records, {}))
    log = EventAccumulator(str(run_dir / TRAIN), size_guidance=KEEP_ALL)
    log.Reload()
    hidden = [r for r in records if r.telemetry.layer == 1]
    steps = [r.step for r in hidden]
    for name in FIGURES:
        expected = {r.step: norm_units(r.telemetry)[name] for r in hidden}  # type: ignore[index]
        means = {e.step: e.value for e in log.Scalars(f"layer1/mean_{name}")}
        assert list(means) == steps
        for step, value in means.items():  # TensorBoard keeps float32
            assert value == pytest.approx(float(expected[step].mean()), rel=1e-6, abs=1e-7)
        shapes = log.Histograms(f"layer1/{name}")
        assert [h.step for h in shapes] == steps
        for h in shapes:
            assert h.histogram_value.num == 6
            assert h.histogram_value.min == expected[h.step].min()
            assert h.histogram_value.max == expected[h.step].max()
    tags = log.Tags()
    assert not any(t.startswith("layer2/") and "gamma" in t for t in tags["scalars"])
    assert "layer2/beta" not in tags["histograms"] and "layer2/W" in tags["histograms"]


def test_equal_units_read_back_as_one_value_not_a_bucket_around_it(tmp_path: Path) -> None:
    """At the first step gamma is all 1 and beta all 0: TensorBoard draws its outer buckets
    from min to max, so those must be the values, not numpy's edges half a unit away."""
    records = _records()
    run_dir = write_board(tmp_path, "bn", run_board(None, [], records, {}))
    log = EventAccumulator(str(run_dir / TRAIN), size_guidance=KEEP_ALL)
    log.Reload()
    first = min(r.step for r in records)
    for name, value in (("gamma", 1.0), ("beta", 0.0)):
        (h,) = [h for h in log.Histograms(f"layer1/{name}") if h.step == first]
        assert (h.histogram_value.min, h.histogram_value.max) == (value, value)
        drawn = [(lo, hi) for lo, hi, n in _drawn_buckets(h.histogram_value) if n]
        assert drawn == [(value, value)]


def _drawn_buckets(histogram: HistogramValue) -> list[tuple[float, float, float]]:
    """(left, right, count) of each bucket as TensorBoard's histogram dashboard reads them."""
    value = Summary.Value(tag="h", histo=HistogramProto(**dataclasses.asdict(histogram)))
    tensor = data_compat.migrate_value(value).tensor
    return [tuple(row) for row in tensor_util.make_ndarray(tensor).tolist()]


def test_a_units_histogram_counts_every_finite_unit_in_linear_buckets() -> None:
    h = unit_histogram("layer1/gamma", 3, np.array([1.0, 1.0, 1.0, np.nan]))
    assert h is not None and h.num == 3 and h.counts.sum() == 3
    assert h.minimum == h.maximum == 1.0 and h.limits[-1] > 1.0  # edges only for buckets
    spread = unit_histogram("layer1/beta", 3, np.linspace(-1.0, 2.0, 40))
    assert spread is not None and spread.minimum == -1.0 and spread.limits[-1] == 2.0
    assert spread.counts.size == 30 and spread.total == pytest.approx(20.0)
    assert unit_histogram("layer1/beta", 3, np.array([np.inf])) is None
