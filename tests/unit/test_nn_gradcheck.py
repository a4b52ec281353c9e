"""Acceptance: backprop equals two-sided finite differences for every layer combination."""

import itertools

import numpy as np
import pytest

from functions.nn import (
    LayerSpec,
    Params,
    dropout_mask,
    forward_network,
    gradient_check,
    initialize_layer,
)
from functions.nn.activations import Tanh
from functions.nn.types import Array

M = 7
HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu")
OUTPUTS = (("sigmoid", 1), ("softmax", 3), ("linear", 2))


Case = tuple[Params, Array, Array, list[LayerSpec], list[Array | None] | None]


def make_case(hidden: str, output: str, units: int, dropout: bool) -> Case:
    specs = [LayerSpec(5, hidden), LayerSpec(3, hidden), LayerSpec(units, output)]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, M))
    params: Params = []
    n_in = 4
    for layer, spec in enumerate(specs, start=1):
        w, b = initialize_layer("xavier", spec.units, n_in, seed=3, layer=layer)
        params.append((w, b + 0.1))
        n_in = spec.units
    if output == "sigmoid":
        y = (rng.random((1, M)) > 0.5).astype(float)
    elif output == "softmax":
        y = np.eye(3)[:, rng.integers(0, 3, M)]
    else:
        y = rng.standard_normal((2, M))
    masks: list[Array | None] | None = None
    if dropout:
        masks = [
            dropout_mask(seed=1, epoch=0, batch=0, layer=i, shape=(s.units, M), keep_prob=0.8)
            for i, s in enumerate(specs[:-1], start=1)
        ] + [None]
    return params, x, y, specs, masks


@pytest.mark.parametrize(
    ("hidden", "output", "units", "lambd", "dropout"),
    [
        (h, o, u, lambd, d)
        for h, (o, u), lambd, d in itertools.product(HIDDEN, OUTPUTS, (0.0, 0.7), (False, True))
    ],
)
def test_gradient_check(hidden: str, output: str, units: int, lambd: float, dropout: bool) -> None:
    params, x, y, specs, masks = make_case(hidden, output, units, dropout)
    # Finite differences straddling a ReLU kink would be meaningless; this data avoids them.
    assert min(np.abs(z).min() for z, _ in forward_network(params, x, specs, masks)) > 1e-4
    if dropout:
        assert masks is not None and any(
            (mask == 0).any() for mask in masks[:-1]
        )  # the mask really drops units
    result = gradient_check(params, x, y, specs, lambd=lambd, masks=masks)
    assert result.relative_difference < 1e-7, result
    assert result.n_parameters == 4 * 5 + 5 + 5 * 3 + 3 + 3 * units + units


def test_gradient_check_catches_a_wrong_derivative(monkeypatch: pytest.MonkeyPatch) -> None:
    params, x, y, specs, _ = make_case("tanh", "sigmoid", 1, dropout=False)
    # A plausible bug: tanh' written as 1 - a instead of 1 - a^2.
    monkeypatch.setattr(Tanh, "backward", lambda self, z, a, da: da * (1.0 - a))
    result = gradient_check(params, x, y, specs)
    assert result.relative_difference > 1e-2
    assert result.worst_parameter[0] in "Wb" and result.worst_parameter[1] in "12"


def test_gradient_check_names_the_worst_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    import functions.nn.network as network

    params, x, y, specs, _ = make_case("relu", "linear", 2, dropout=False)
    real = network.dense_backward

    def corrupt_w2_3_1(
        dz: Array, a_prev: Array, w: Array, *, lambd: float, m: int, need_da_prev: bool = True
    ) -> tuple[Array, Array, Array | None]:
        dw, db, da = real(dz, a_prev, w, lambd=lambd, m=m, need_da_prev=need_da_prev)
        if w.shape == (3, 5):
            dw = dw.copy()
            dw[2, 1] += 1.0
        return dw, db, da

    monkeypatch.setattr(network, "dense_backward", corrupt_w2_3_1)
    result = gradient_check(params, x, y, specs)
    assert result.worst_parameter == "W2[2,1]"
    assert result.relative_difference > 1e-3
