"""Whole-network helpers: validation, predictions, and a sharded step equal to the whole."""

import numpy as np
import pytest

from functions.nn import (
    LayerSpec,
    NNError,
    Params,
    UnknownActivationError,
    backward_network,
    dense_backward,
    dense_forward,
    dropout_mask,
    forward_network,
    get_activation,
    hidden_delta,
    initialize_layer,
    loss_for_output,
    network_cost,
    output_delta,
    predict_labels,
    predict_proba,
)
from functions.nn.types import Array

SPECS = [LayerSpec(6, "relu"), LayerSpec(4, "tanh"), LayerSpec(3, "softmax")]
SHARDS = {1: [(0, 1), (1, 4), (4, 6)], 2: [(0, 2), (2, 4)]}


def setup() -> tuple[Params, Array, Array, list[Array | None]]:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 8))
    y = np.eye(3)[:, rng.integers(0, 3, 8)]
    params: Params = []
    n_in = 5
    for layer, spec in enumerate(SPECS, start=1):
        params.append(initialize_layer("he", spec.units, n_in, seed=7, layer=layer))
        n_in = spec.units
    masks: list[Array | None] = [
        dropout_mask(seed=7, epoch=0, batch=0, layer=i, shape=(s.units, 8), keep_prob=0.8)
        for i, s in enumerate(SPECS[:-1], start=1)
    ] + [None]
    return params, x, y, masks


def test_sharded_step_equals_the_whole_network() -> None:
    params, x, y, masks = setup()
    loss = loss_for_output("softmax")
    caches = forward_network(params, x, SPECS, masks)
    expected = backward_network(params, x, y, SPECS, caches, loss=loss, lambd=0.5, masks=masks)

    # Forward layer by layer, each hidden layer as separate row shards, stacked at a barrier.
    acts, a = [x], x
    zs = []
    for layer, ((w, b), spec) in enumerate(zip(params, SPECS, strict=True), start=1):
        act = get_activation(spec.activation)
        ranges = SHARDS.get(layer, [(0, spec.units)])  # softmax output stays whole
        mask = masks[layer - 1]
        parts = [
            dense_forward(w[i:j], b[i:j], a, act, None if mask is None else mask[i:j])
            for i, j in ranges
        ]
        zs.append(np.vstack([z for z, _ in parts]))
        a = np.vstack([a_k for _, a_k in parts])
        acts.append(a)

    dz = output_delta(loss, get_activation("softmax"), y, acts[-1], zs[-1])
    for layer in (3, 2, 1):
        w = params[layer - 1][0]
        ranges = SHARDS.get(layer, [(0, w.shape[0])])
        outs = [dense_backward(dz[i:j], acts[layer - 1], w[i:j], lambd=0.5, m=8) for i, j in ranges]
        dw = np.vstack([o[0] for o in outs])
        db = np.vstack([o[1] for o in outs])
        np.testing.assert_allclose(dw, expected[layer - 1][0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(db, expected[layer - 1][1], rtol=0, atol=1e-12)
        if layer > 1:
            da_prev = sum(o[2] for o in outs)  # the barrier sums the shards' shares
            act = get_activation(SPECS[layer - 2].activation)
            dz = hidden_delta(da_prev, zs[layer - 2], act, masks[layer - 2])


def test_cost_includes_l2_and_predictions_ignore_dropout() -> None:
    params, x, y, masks = setup()
    loss = loss_for_output("softmax")
    plain = network_cost(params, x, y, SPECS, loss=loss)
    penalty = 0.4 / (2 * 8) * sum(float(np.sum(w**2)) for w, _ in params)
    assert network_cost(params, x, y, SPECS, loss=loss, lambd=0.4) == pytest.approx(plain + penalty)
    proba = predict_proba(params, x, SPECS)
    np.testing.assert_array_equal(proba, forward_network(params, x, SPECS)[-1][1])
    assert not np.allclose(proba, forward_network(params, x, SPECS, masks)[-1][1])


def test_predict_labels() -> None:
    sig = np.array([[0.2, 0.5, 0.51, 0.9]])
    labels = predict_labels(sig, "sigmoid")
    assert labels.shape == (4,) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])
    soft = np.array([[0.1, 0.7], [0.6, 0.2], [0.3, 0.1]])
    np.testing.assert_array_equal(predict_labels(soft, "softmax"), [1, 0])
    values = np.array([[1.5, -2.0], [0.3, 0.4]])
    np.testing.assert_array_equal(predict_labels(values, "linear"), values)


def test_bad_network_input_is_rejected() -> None:
    params, x, _, masks = setup()
    with pytest.raises(UnknownActivationError):
        LayerSpec(3, "rleu")
    with pytest.raises(NNError, match="units"):
        LayerSpec(0, "relu")
    with pytest.raises(NNError, match="output layer"):
        forward_network(params, x, SPECS, [*masks[:-1], np.ones((3, 8))])
    with pytest.raises(NNError, match="layers"):
        forward_network(params[:2], x, SPECS)
