"""Predictions of a trained network, and the layer spec's validation."""

import numpy as np
import pytest

from functions.nn import LayerSpec, NNError, UnknownActivationError, get_activation
from functions.nn.predict import predict_labels, predict_proba
from functions.training.gradcheck import seeded_case
from functions.training.passes import ShardedLayers

SPECS = [LayerSpec(6, "relu"), LayerSpec(4, "tanh"), LayerSpec(3, "softmax")]


def test_predictions_are_the_training_forward_pass_without_dropout() -> None:
    case = seeded_case(SPECS, features=5, samples=8, keep_prob=0.8, seed=2)
    proba = predict_proba(case.params, case.x, SPECS)
    plain = ShardedLayers(SPECS, 2).forward(case.params, case.x)
    softmax = get_activation("softmax")
    np.testing.assert_allclose(proba, softmax.forward(plain.zs[-1]), rtol=0, atol=1e-15)
    dropped = ShardedLayers(SPECS, 2, masks=case.masks).forward(case.params, case.x)
    assert not np.allclose(proba, softmax.forward(dropped.zs[-1]))
    np.testing.assert_allclose(proba.sum(axis=0), 1.0)


def test_predict_labels() -> None:
    sig = np.array([[0.2, 0.5, 0.51, 0.9]])
    labels = predict_labels(sig, "sigmoid")
    assert labels.shape == (4,) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])
    soft = np.array([[0.1, 0.7], [0.6, 0.2], [0.3, 0.1]])
    np.testing.assert_array_equal(predict_labels(soft, "softmax"), [1, 0])
    values = np.array([[1.5, -2.0], [0.3, 0.4]])
    np.testing.assert_array_equal(predict_labels(values, "linear"), values)


def test_bad_layers_are_rejected() -> None:
    case = seeded_case(SPECS, features=5, samples=8, keep_prob=1.0, seed=2)
    with pytest.raises(UnknownActivationError):
        LayerSpec(3, "rleu")
    with pytest.raises(NNError, match="units"):
        LayerSpec(0, "relu")
    with pytest.raises(NNError, match="layers"):
        predict_proba(case.params[:2], case.x, SPECS)
