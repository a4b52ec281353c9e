"""Each flag fires on a layer made to show it, and a healthy network raises none."""

import numpy as np
from telemetry_nets import random_layer, shard_step

from functions.telemetry import (
    DEAD_FRACTION,
    LayerTelemetry,
    backward_telemetry,
    flags,
    forward_telemetry,
)

RNG_SEED = 12


def layer(
    activation: str,
    z: np.ndarray,
    *,
    number: int = 1,
    update_scale: float = 1e-3,
    grad_scale: float = 1.0,
) -> LayerTelemetry:
    """A layer whose Z is ``z``, whose weights move by ``update_scale`` of themselves and whose
    gradient elements are about ``grad_scale``."""
    units = z.shape[0]
    rng = np.random.default_rng(RNG_SEED + number)
    w = rng.standard_normal((units, 4))
    b = np.zeros((units, 1))
    dw = grad_scale * rng.standard_normal((units, 4))
    backward = backward_telemetry(w, b, w * (1 + update_scale), b, dw, b, np.zeros_like(z))
    return LayerTelemetry(
        number, activation, units, 0, units, forward_telemetry(z, activation), backward
    )


def healthy(number: int, activation: str = "relu") -> LayerTelemetry:
    return layer(activation, np.random.default_rng(number).standard_normal((4, 10)), number=number)


def kinds(layers: list[LayerTelemetry]) -> list[tuple[int, str]]:
    return [(f.layer, f.kind) for f in flags(layers)]


def test_a_healthy_network_raises_nothing() -> None:
    assert flags([healthy(1), healthy(2), healthy(3, "sigmoid")]) == []


def test_dead_units_are_flagged_and_named() -> None:
    z = np.random.default_rng(0).standard_normal((4, 10))
    z[[0, 2, 3]] = -np.abs(z[[0, 2, 3]])
    (flag,) = flags([layer("relu", z), healthy(2, "sigmoid")])
    assert (flag.kind, flag.units, flag.threshold) == ("dead", (0, 2, 3), DEAD_FRACTION)
    assert flag.value == 0.75
    z[2, 0] = 1.0  # two of four dead is not more than half
    assert flags([layer("relu", z), healthy(2, "sigmoid")]) == []


def test_saturated_sigmoid_and_tanh_layers_are_flagged_not_relu() -> None:
    z = np.full((4, 10), 6.0)
    z[:, :4] = 0.0  # saturated on 60 % of the pairs, and no unit dead
    output = healthy(2, "sigmoid")
    assert kinds([layer("sigmoid", z), output]) == [(1, "saturated")]
    assert kinds([layer("tanh", z), output]) == [(1, "saturated")]
    relu_zeros = np.where(z == 0.0, 1.0, -6.0)  # a == 0 on 60 % of the pairs, as relu layers do
    assert kinds([layer("relu", relu_zeros), output]) == []


def test_output_layer_is_not_flagged_for_confidence() -> None:
    certain = layer("sigmoid", np.full((1, 10), 9.0), number=2)
    assert certain.dead_units == (0,)
    assert kinds([healthy(1), certain]) == []


def test_update_ratios_outside_the_band() -> None:
    z = np.random.default_rng(3).standard_normal((4, 10))
    assert kinds([layer("relu", z, update_scale=1e-7), healthy(2)]) == [(1, "update_ratio_low")]
    assert kinds([layer("relu", z, update_scale=0.5), healthy(2)]) == [(1, "update_ratio_high")]
    assert kinds([layer("relu", z, update_scale=0.05), healthy(2)]) == []


def test_vanishing_and_exploding_gradients_against_the_next_layer() -> None:
    z = np.random.default_rng(3).standard_normal((4, 10))
    tiny = layer("relu", z, grad_scale=1e-5)
    assert kinds([tiny, healthy(2)]) == [(1, "vanishing")]
    assert kinds([layer("relu", z, grad_scale=1e4), healthy(2)]) == [(1, "exploding")]
    (flag,) = flags([tiny, healthy(2)])
    assert flag.value < 1e-3


def test_a_diverged_layer_is_flagged_once() -> None:
    w, b, x, da = random_layer(3, 2, 5, seed=1)
    x[0, 0] = np.nan
    assert kinds([shard_step(w, b, x, da, "tanh"), healthy(2)]) == [(1, "nonfinite")]
