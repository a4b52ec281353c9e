"""Activation statistics against hand computations on a 3-unit layer, dropout, saturation
rules, and pooling batches into an epoch."""

import math

import numpy as np
import pytest

from functions.nn.activations import ACTIVATION_NAMES, get_activation
from functions.nn.layers import LayerSpec
from functions.telemetry import (
    SIGMOID_HIGH,
    ForwardStats,
    HistogramSpec,
    forward_telemetry,
    saturated,
)
from functions.telemetry.forward import pool_forward
from functions.telemetry.saturation import SATURATION_RULES
from functions.training.step import forward_shard

SMALL = HistogramSpec(-2, 2)
# Two inputs, four samples; unit 0 copies x0, unit 1 copies x1, unit 2 = -(x0 + x1) - 1.
X = np.array([[1.0, 0.0, -1.0, 2.0], [0.0, 1.0, 1.0, -1.0]])
W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
B = np.array([[0.0], [0.0], [-1.0]])
PARAMS = {"W": W, "b": B}
RELU = LayerSpec(W.shape[0], "relu")


def relu_stats() -> ForwardStats:
    forward = forward_shard(PARAMS, X, RELU, mask=None, is_output=False)
    z, a = forward.z, forward.a
    return forward_telemetry(z, "relu", SMALL, a=a)


def test_relu_layer_by_hand() -> None:
    # A = [[1, 0, 0, 2], [0, 1, 1, 0], [0, 0, 0, 0]] (unit 2: Z = [-2, -2, -1, -2]).
    s = relu_stats()
    assert s.count == 4 and s.units == 3
    np.testing.assert_array_equal(s.mean, [0.75, 0.5, 0.0])
    # Unit 0: deviations .25 -.75 -.75 1.25, squares sum to 2.75.
    np.testing.assert_allclose(s.std, [math.sqrt(2.75 / 4), 0.5, 0.0], rtol=1e-15)
    np.testing.assert_array_equal(s.saturated, [2, 2, 4])
    np.testing.assert_array_equal(s.saturated_fraction, [0.5, 0.5, 1.0])
    np.testing.assert_array_equal(s.active, [True, True, False])
    expected = np.zeros(SMALL.bins, dtype=np.int64)
    expected[[SMALL.zero_bin, 8, 9]] = [8, 3, 1]  # eight zeros, three 1s in [1, 2), a 2
    np.testing.assert_array_equal(s.activations.counts, expected)
    # Z = [[1, 0, -1, 2], [0, 1, 1, -1], [-2, -2, -1, -2]]: unit 2 is dead because max Z < 0.
    np.testing.assert_array_equal(s.z_min, [-1.0, -1.0, -2.0])
    np.testing.assert_array_equal(s.z_max, [2.0, 1.0, -1.0])
    np.testing.assert_array_equal(s.z_mean, [0.5, 0.25, -1.75])


@pytest.mark.parametrize(
    "activation, z, expected",
    [
        ("sigmoid", [-5.0, 0.0, 5.0, 4.0], [True, False, True, False]),  # ln 99 = 4.595
        ("tanh", [-3.0, 0.0, 2.0, 3.0], [True, False, False, True]),  # atanh .99 = 2.647
        ("relu", [-1.0, 0.0, 1e-300, 2.0], [True, True, False, False]),
        ("leaky_relu", [-1.0, 0.0, 1e-300, 2.0], [True, True, False, False]),
        ("linear", [-1e9, 0.0, 1e9, 2.0], [False] * 4),
    ],
)
def test_saturation_rules(activation: str, z: list[float], expected: list[bool]) -> None:
    a = get_activation(activation).forward(np.array([z]))
    np.testing.assert_array_equal(saturated(a, activation)[0], expected)
    stats = forward_telemetry(np.array([z]), activation)
    assert stats.saturated[0] == sum(expected)
    assert stats.active[0] == (not all(expected))


def test_sigmoid_statistics_by_hand() -> None:
    s = forward_telemetry(np.array([[-5.0, 0.0, 5.0, 4.0]]), "sigmoid")
    values = [1 / (1 + math.exp(5)), 0.5, 1 / (1 + math.exp(-5)), 1 / (1 + math.exp(-4))]
    mean = sum(values) / 4
    np.testing.assert_allclose(s.mean, [mean], rtol=1e-15)
    np.testing.assert_allclose(s.std, [math.sqrt(sum((v - mean) ** 2 for v in values) / 4)])
    assert values[2] > SIGMOID_HIGH > values[3]


def test_every_activation_has_a_saturation_rule() -> None:
    assert set(SATURATION_RULES) == set(ACTIVATION_NAMES)
    with pytest.raises(ValueError, match="no saturation rule"):
        saturated(np.zeros((1, 1)), "swish")


def test_softmax_needs_the_layer_activations() -> None:
    z = np.array([[1.0, 2.0], [3.0, 0.0]])
    with pytest.raises(ValueError, match="softmax"):
        forward_telemetry(z, "softmax")
    a = get_activation("softmax").forward(z)
    s = forward_telemetry(z[:1], "softmax", a=a[:1])
    np.testing.assert_allclose(s.mean, [a[0].mean()], rtol=1e-15)
    np.testing.assert_array_equal(s.saturated, [0])


def test_statistics_ignore_dropout() -> None:
    mask = np.array([[2.0, 0.0, 2.0, 0.0]] * 3)  # keep_prob 0.5
    masked = forward_shard(PARAMS, X, RELU, mask=mask, is_output=False)
    z, dropped = masked.z, masked.a
    assert not np.array_equal(dropped, np.maximum(z, 0))
    assert forward_telemetry(z, "relu", SMALL) == relu_stats()


def test_pooled_batches_equal_one_batch_of_all_samples() -> None:
    rng = np.random.default_rng(2)
    z = rng.standard_normal((5, 12)) * 3
    z[4] = -np.abs(z[4])  # never active
    z[3, 6] = 1.0  # active on one sample only, in the second batch
    z[3, np.arange(12) != 6] = -1.0
    whole = forward_telemetry(z, "relu")
    pooled = pool_forward(
        [forward_telemetry(z[:, i:j], "relu") for i, j in [(0, 5), (5, 9), (9, 12)]]
    )
    assert pooled.count == 12
    np.testing.assert_allclose(pooled.mean, whole.mean, rtol=0, atol=1e-15)
    np.testing.assert_allclose(pooled.std, whole.std, rtol=1e-14)
    np.testing.assert_array_equal(pooled.saturated, whole.saturated)
    np.testing.assert_array_equal(pooled.active, [True, True, True, True, False])
    assert pooled.activations == whole.activations
    np.testing.assert_array_equal(pooled.z_min, whole.z_min)  # exactly: a min of minima
    np.testing.assert_array_equal(pooled.z_max, whole.z_max)
    np.testing.assert_allclose(pooled.z_mean, whole.z_mean, rtol=0, atol=1e-15)


def test_pooled_std_survives_a_mean_far_above_the_spread() -> None:
    # A nearly constant saturated unit: sum-of-squares minus squared mean would lose the
    # spread entirely (1e-18 variance under values of 1).
    rng = np.random.default_rng(4)
    a = 0.9999 + 1e-9 * rng.standard_normal((1, 300))
    parts = [
        forward_telemetry(a[:, i : i + 100], "linear", a=a[:, i : i + 100]) for i in (0, 100, 200)
    ]
    np.testing.assert_allclose(pool_forward(parts).std, [a.std()], rtol=1e-6)


def test_pooling_needs_the_same_units() -> None:
    with pytest.raises(ValueError, match="same units"):
        pool_forward([relu_stats(), forward_telemetry(np.zeros((1, 2)), "relu")])


def test_document_round_trip_and_version() -> None:
    s = forward_telemetry(np.array([[np.nan, 1.0], [np.inf, 0.0]]), "linear")
    doc = s.to_document()
    assert doc["sum"] == ["nan", "inf"]
    assert doc["z_min"] == ["nan", 0.0] and doc["z_max"] == ["nan", "inf"]
    assert ForwardStats.from_document(doc) == s
    with pytest.raises(ValueError, match="version"):
        ForwardStats.from_document({**doc, "v": 99})


def test_records_are_immutable() -> None:
    s = relu_stats()
    with pytest.raises(ValueError):
        s.sum[0] = 1.0
    assert s != forward_telemetry(np.zeros((3, 4)), "relu", SMALL)
