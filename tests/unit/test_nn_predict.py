"""Predictions of a trained network, and the layer spec's validation."""

import numpy as np
import pytest

from functions.nn import LayerSpec, NNError, UnknownActivationError, get_activation
from functions.nn import predict as predict_module
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


def test_predictions_in_chunks_of_columns_equal_the_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A wide layer over many points is evaluated a chunk of columns at a time (bounded
    memory: the plots' 200 x 200 grid through 4096 units), with the same numbers."""
    specs = [LayerSpec(64, "relu"), LayerSpec(16, "tanh"), LayerSpec(3, "softmax")]
    case = seeded_case(specs, features=2, samples=1000, keep_prob=1.0, seed=3)
    whole = predict_proba(case.params, case.x, specs)
    widths: list[int] = []
    forward = predict_module.dense_forward

    def counted(params: dict, a: np.ndarray, spec: LayerSpec) -> object:
        widths.append(a.shape[1])
        return forward(params, a, spec)

    monkeypatch.setattr(predict_module, "dense_forward", counted)
    # 64 units x 8 bytes x 100 columns: the widest layer's activations of 100 points.
    chunked = predict_proba(case.params, case.x, specs, chunk_bytes=64 * 8 * 100)
    assert widths == [100] * 30  # ten chunks, three layers each
    np.testing.assert_allclose(chunked, whole, rtol=0, atol=1e-12)
    widths.clear()
    odd = predict_proba(case.params, case.x, specs, chunk_bytes=64 * 8 * 300)
    assert sorted(set(widths)) == [100, 300]  # the last chunk holds the rest
    np.testing.assert_allclose(odd, whole, rtol=0, atol=1e-12)
    assert predict_proba(case.params, case.x, specs, chunk_bytes=1).shape == whole.shape
