"""Acceptance: the engines' sharded backprop equals two-sided finite differences for every
layer combination, with at least two shards per layer; and the check can fail."""

import itertools
from collections.abc import Callable

import numpy as np
import pytest

import functions.training.step as step
from functions.nn.activations import Tanh
from functions.nn.batchnorm import BatchNorm, BatchStatistics
from functions.nn.layers import LayerSpec
from functions.nn.types import Array, LayerParams
from functions.training.gradcheck import CheckCase, gradient_check, seeded_case
from functions.training.passes import ShardedLayers

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu")
# Two sigmoid units (independent binary labels) so that the output layer has two shards too.
OUTPUTS = (("sigmoid", 2), ("softmax", 3), ("linear", 2))
SHARDS = 2
EPSILON = 1e-7  # gradient_check's default
BatchNormBackward = Callable[
    [BatchNorm, Array, BatchStatistics, LayerParams], tuple[Array, Array, Array]
]
Corruption = Callable[[BatchNormBackward], BatchNormBackward]
NORM = BatchNorm(momentum=0.1, epsilon=1e-5)


def make_case(hidden: str, output: str, units: int, keep_prob: float) -> tuple[CheckCase, list]:
    specs = [LayerSpec(5, hidden), LayerSpec(3, hidden), LayerSpec(units, output)]
    return seeded_case(specs, features=4, samples=7, keep_prob=keep_prob, seed=3), specs


@pytest.mark.parametrize(
    ("hidden", "output", "units", "l2", "keep_prob"),
    [
        (h, o, u, l2, keep)
        for h, (o, u), l2, keep in itertools.product(HIDDEN, OUTPUTS, (0.0, 0.7), (1.0, 0.8))
    ],
)
def test_gradient_check(hidden: str, output: str, units: int, l2: float, keep_prob: float) -> None:
    case, specs = make_case(hidden, output, units, keep_prob)
    forward = ShardedLayers(specs, SHARDS, masks=case.masks).forward(case.params, case.x)
    # Finite differences straddling a ReLU kink would be meaningless. Nudging one entry of W_l
    # or b_l by eps moves Z_l by at most eps * max(1, |A_{l-1}|): this data stays well clear.
    for z, a_prev in zip(forward.zs, forward.inputs, strict=True):
        assert np.abs(z).min() > 10 * EPSILON * max(1.0, np.abs(a_prev).max())
    if keep_prob < 1:
        assert any((mask == 0).any() for mask in case.masks[:-1])  # the mask really drops units
    result = gradient_check(
        case.params, case.x, case.y, specs, shards=SHARDS, l2=l2, masks=case.masks
    )
    assert result.relative_difference < 1e-7, result
    assert result.n_parameters == 4 * 5 + 5 + 5 * 3 + 3 + 3 * units + units
    assert result.shards_per_layer == (2, 2, 2)


def test_a_single_unit_output_is_one_shard() -> None:
    specs = [LayerSpec(4, "relu"), LayerSpec(1, "sigmoid")]
    case = seeded_case(specs, features=3, samples=6, keep_prob=0.7, seed=5)
    result = gradient_check(case.params, case.x, case.y, specs, shards=3, l2=0.3, masks=case.masks)
    assert result.relative_difference < 1e-7 and result.shards_per_layer == (3, 1)


def test_gradient_check_catches_a_wrong_derivative(monkeypatch: pytest.MonkeyPatch) -> None:
    case, specs = make_case("tanh", "sigmoid", 2, keep_prob=1.0)
    # A plausible bug: tanh' written as 1 - a instead of 1 - a^2.
    monkeypatch.setattr(Tanh, "backward", lambda self, z, a, da: da * (1.0 - a))
    result = gradient_check(case.params, case.x, case.y, specs, shards=SHARDS)
    assert result.relative_difference > 1e-2
    assert result.worst_parameter[0] in "Wb" and result.worst_parameter[1] in "12"


def test_a_wrong_shard_gradient_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check reads the very dW the engines' shards compute: corrupt one shard's and it
    names the entry in the whole layer's coordinates."""
    case, specs = make_case("relu", "linear", 2, keep_prob=1.0)
    real = step.dense_backward

    def corrupt_second_shard_of_w2(
        dz: Array, a_prev: Array, w: Array, *, lambd: float, m: int, need_da_prev: bool = True
    ) -> tuple[Array, Array, Array | None]:
        dw, db, da = real(dz, a_prev, w, lambd=lambd, m=m, need_da_prev=need_da_prev)
        if w.shape == (1, 5):  # layer 2 (3 units) cut into rows [0, 2) and [2, 3)
            dw = dw.copy()
            dw[0, 1] += 1.0
        return dw, db, da

    monkeypatch.setattr(step, "dense_backward", corrupt_second_shard_of_w2)
    result = gradient_check(case.params, case.x, case.y, specs, shards=SHARDS)
    assert result.worst_parameter == "W2[2,1]"
    assert result.relative_difference > 1e-3


def _drop_projection(real: BatchNormBackward) -> BatchNormBackward:
    """A plausible bug: the variance's dependence on each sample left out of dZ."""

    def backward(
        self: BatchNorm, dz_tilde: Array, stats: BatchStatistics, params: LayerParams
    ) -> tuple[Array, Array, Array]:
        dz, dgamma, dbeta = real(self, dz_tilde, stats, params)
        projection = np.mean(dz_tilde * stats.z_norm, axis=1, keepdims=True)
        return dz + params["gamma"] * stats.inv_std * stats.z_norm * projection, dgamma, dbeta

    return backward


def _double_dgamma(real: BatchNormBackward) -> BatchNormBackward:
    """A plausible bug: dgamma off by a constant factor (a slip in its 1/m)."""

    def backward(
        self: BatchNorm, dz_tilde: Array, stats: BatchStatistics, params: LayerParams
    ) -> tuple[Array, Array, Array]:
        dz, dgamma, dbeta = real(self, dz_tilde, stats, params)
        return dz, 2.0 * dgamma, dbeta

    return backward


@pytest.mark.parametrize(("corrupt", "worst"), [(_drop_projection, "W"), (_double_dgamma, "gamma")])
def test_a_wrong_batch_norm_derivative_is_caught(
    monkeypatch: pytest.MonkeyPatch, corrupt: Corruption, worst: str
) -> None:
    specs = [
        LayerSpec(5, "tanh", NORM),
        LayerSpec(3, "relu", NORM),
        LayerSpec(2, "sigmoid"),
    ]
    case = seeded_case(specs, features=4, samples=7, keep_prob=1.0, seed=3)
    right = gradient_check(case.params, case.x, case.y, specs, shards=SHARDS)
    assert right.relative_difference < 1e-7, right
    monkeypatch.setattr(BatchNorm, "backward", corrupt(BatchNorm.backward))
    wrong = gradient_check(case.params, case.x, case.y, specs, shards=SHARDS)
    assert wrong.relative_difference > 1e-2, wrong  # right: under 1e-7
    assert wrong.worst_parameter.startswith(worst), wrong
