"""Every layer's activations, for a few samples and over the input plane: the same numbers as
the training's forward pass, and the output's plane is predict_plane's."""

import numpy as np
import pytest

from functions.nn import LayerSpec, NNError
from functions.nn.predict import (
    activations_plane,
    layer_activations,
    plane_grid,
    predict_plane,
)
from functions.training.gradcheck import seeded_case
from functions.training.passes import ShardedLayers

SPECS = [LayerSpec(6, "relu"), LayerSpec(5, "tanh"), LayerSpec(3, "softmax")]


def _by_hand(params: list, x: np.ndarray) -> list[np.ndarray]:
    """relu, tanh, softmax written out: A[l] = g(W[l] A[l-1] + b[l])."""
    (w1, b1), (w2, b2), (w3, b3) = ((layer["W"], layer["b"]) for layer in params)
    a1 = np.maximum(w1 @ x + b1, 0.0)
    a2 = np.tanh(w2 @ a1 + b2)
    z3 = w3 @ a2 + b3
    e = np.exp(z3 - z3.max(axis=0))
    return [a1, a2, e / e.sum(axis=0)]


def test_each_layers_activations_are_the_training_forward_pass() -> None:
    case = seeded_case(SPECS, features=2, samples=9, keep_prob=1.0, seed=4)
    layers = layer_activations(case.params, case.x, SPECS)
    assert [a.shape for a in layers] == [(6, 9), (5, 9), (3, 9)]
    for got, want in zip(layers, _by_hand(case.params, case.x), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    # the trainer's sharded pass: its pre-activations give the same hidden activations
    trained = ShardedLayers(SPECS, 2).forward(case.params, case.x)
    np.testing.assert_allclose(layers[0], np.maximum(trained.zs[0], 0.0), rtol=0, atol=1e-12)
    with pytest.raises(NNError, match="layers"):
        layer_activations(case.params[:2], case.x, SPECS)


def test_the_plane_holds_each_units_activation_at_each_grid_point() -> None:
    case = seeded_case(SPECS, features=2, samples=30, keep_prob=1.0, seed=5)
    xs, ys, planes = activations_plane(case.params, case.x, SPECS, 7)
    assert [p.shape for p in planes] == [(6, 7, 7), (5, 7, 7), (3, 7, 7)]
    # the grid spans the data and a little beyond, on both axes
    assert xs[0] < case.x[0].min() and xs[-1] > case.x[0].max()
    assert ys[0] < case.x[1].min() and ys[-1] > case.x[1].max()
    for row, column in [(0, 0), (2, 5), (6, 6)]:  # row: the second feature
        point = np.array([[xs[column]], [ys[row]]])
        for plane, want in zip(planes, _by_hand(case.params, point), strict=True):
            np.testing.assert_allclose(plane[:, row, column], want[:, 0], rtol=0, atol=1e-12)


def test_the_output_layers_plane_is_predict_plane() -> None:
    specs = [LayerSpec(4, "tanh"), LayerSpec(1, "sigmoid")]
    case = seeded_case(specs, features=2, samples=20, keep_prob=1.0, seed=6)
    xs, ys, planes = activations_plane(case.params, case.x, specs, 11)
    pxs, pys, proba = predict_plane(case.params, case.x, specs, 11)
    np.testing.assert_array_equal(xs, pxs)
    np.testing.assert_array_equal(ys, pys)
    np.testing.assert_allclose(planes[-1], proba, rtol=0, atol=1e-15)
    gx, gy, grid = plane_grid(case.x, 11)
    assert grid.shape == (2, 121) and grid[0, 1] == gx[1] and grid[1, 11] == gy[1]
