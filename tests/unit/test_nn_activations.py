"""Activations: values, derivatives against finite differences, stability, registry."""

import pickle

import numpy as np
import pytest

from functions.nn import ACTIVATION_NAMES, UnknownActivationError, get_activation
from functions.nn.exceptions import NNError

Z = np.array([[-2.0, -0.5, 0.3], [1.5, 0.7, -1.2], [0.2, -3.0, 2.5]])


def test_registry_names() -> None:
    assert ACTIVATION_NAMES == ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")
    for name in ACTIVATION_NAMES:
        assert get_activation(name).name == name


def test_unknown_activation_lists_valid_names() -> None:
    with pytest.raises(UnknownActivationError) as info:
        get_activation("sigmod")
    assert isinstance(info.value, NNError) and isinstance(info.value, ValueError)
    message = str(info.value)
    assert "'sigmod'" in message
    assert all(name in message for name in ACTIVATION_NAMES)
    clone = pickle.loads(pickle.dumps(info.value))
    assert str(clone) == message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sigmoid", 1.0 / (1.0 + np.exp(-Z))),
        ("tanh", np.tanh(Z)),
        ("relu", np.where(Z > 0, Z, 0.0)),
        ("leaky_relu", np.where(Z > 0, Z, 0.01 * Z)),
        ("linear", Z),
        ("softmax", np.exp(Z) / np.exp(Z).sum(axis=0)),
    ],
)
def test_forward_values(name: str, expected: np.ndarray) -> None:
    np.testing.assert_allclose(get_activation(name).forward(Z), expected, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_backward_matches_finite_differences(name: str) -> None:
    act = get_activation(name)
    da = np.array([[0.3, -1.1, 0.8], [0.5, 0.2, -0.4], [-0.9, 0.6, 1.3]])
    eps = 1e-6
    numeric = np.zeros_like(Z)
    # d/dz of sum(da * g(z)) is exactly dz = da * g'(z) (a J^T v product for softmax).
    for idx in np.ndindex(Z.shape):
        zp, zm = Z.copy(), Z.copy()
        zp[idx] += eps
        zm[idx] -= eps
        numeric[idx] = (np.sum(da * act.forward(zp)) - np.sum(da * act.forward(zm))) / (2 * eps)
    np.testing.assert_allclose(act.backward(Z, act.forward(Z), da), numeric, rtol=1e-7, atol=1e-9)


def test_softmax_columns_are_distributions_even_for_huge_logits() -> None:
    z = np.array([[1000.0, -1000.0, 0.0], [999.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]])
    a = get_activation("softmax").forward(z)
    assert np.all(np.isfinite(a))
    np.testing.assert_allclose(a.sum(axis=0), 1.0, rtol=1e-15)
    np.testing.assert_allclose(a[:, 2], 1.0 / 3.0)
    assert a[0, 0] == pytest.approx(1.0 / (1.0 + np.exp(-1.0)))


@pytest.mark.filterwarnings("error")
def test_sigmoid_is_stable_without_overflow_warnings() -> None:
    z = np.array([[-1000.0, -745.0, -40.0, 0.0, 40.0, 745.0, 1000.0]])
    a = get_activation("sigmoid").forward(z)
    assert np.all(np.isfinite(a))
    assert a[0, 0] == 0.0 and a[0, -1] == 1.0 and a[0, 3] == 0.5
    assert a[0, 2] == pytest.approx(np.exp(-40.0), rel=1e-12)


def test_relu_family_at_zero_and_backward_masks_negatives() -> None:
    z = np.array([[-1.0, 0.0, 2.0]])
    ones = np.ones_like(z)
    relu, leaky = get_activation("relu"), get_activation("leaky_relu")
    np.testing.assert_array_equal(relu.backward(z, relu.forward(z), ones), [[0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(leaky.backward(z, leaky.forward(z), ones), [[0.01, 0.01, 1.0]])
