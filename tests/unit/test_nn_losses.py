"""Losses: values, stability at saturation, pairing and the fused output delta."""

import numpy as np
import pytest

from functions.nn import (
    LOSS_NAMES,
    UnknownActivationError,
    UnknownLossError,
    get_activation,
    get_loss,
    loss_for_output,
    output_delta,
)


def test_binary_cross_entropy_value_with_and_without_logits() -> None:
    z = np.array([[0.0, np.log(3.0)]])  # sigmoid -> 0.5, 0.75
    a = np.array([[0.5, 0.75]])
    y = np.array([[1.0, 0.0]])
    expected = (-np.log(0.5) - np.log(0.25)) / 2
    bce = get_loss("binary_cross_entropy")
    assert bce.cost(y, a, z) == pytest.approx(expected, rel=1e-14)
    assert bce.cost(y, a) == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(bce.grad(y, a, z), [[-2.0, 4.0]], rtol=1e-10)


def test_categorical_cross_entropy_value() -> None:
    z = np.array([[0.0, 2.0], [np.log(3.0), 0.0]])  # column 0: softmax = (0.25, 0.75)
    a = get_activation("softmax").forward(z)
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    expected = (-np.log(0.75) - np.log(np.exp(2.0) / (np.exp(2.0) + 1.0))) / 2
    cce = get_loss("categorical_cross_entropy")
    assert cce.cost(y, a, z) == pytest.approx(expected, rel=1e-14)
    assert cce.cost(y, a) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(cce.grad(y, a, z)[:, 0], [0.0, -1.0 / 0.75])


def test_mean_squared_error_value_and_grad() -> None:
    a = np.array([[1.0, 2.0], [0.0, -1.0]])
    y = np.array([[0.0, 2.0], [2.0, 0.0]])
    mse = get_loss("mean_squared_error")
    assert mse.cost(y, a, a) == pytest.approx(0.5 * (1 + 0 + 4 + 1) / 2)
    np.testing.assert_array_equal(mse.grad(y, a, a), a - y)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(("activation", "units"), [("sigmoid", 1), ("softmax", 3)])
def test_cross_entropies_are_finite_for_saturated_outputs(activation: str, units: int) -> None:
    z = np.array([[1000.0, -1000.0, 1000.0, -1000.0]] * units)
    z[0] *= -1
    y = np.zeros_like(z)
    y[-1] = 1.0  # labels disagree with the saturated prediction in some columns
    act, loss = get_activation(activation), loss_for_output(activation)
    a = act.forward(z)
    cost = loss.cost(y, a, z)
    assert np.isfinite(cost) and cost > 100.0  # confidently wrong costs a lot
    assert np.isfinite(loss.cost(y, a))
    assert np.all(np.isfinite(loss.grad(y, a, z)))
    assert np.all(np.isfinite(output_delta(loss, act, y, a, z)))


def test_bce_cost_at_saturation_equals_the_logit() -> None:
    bce = get_loss("binary_cross_entropy")
    z = np.array([[1000.0, -1000.0]])
    y = np.array([[0.0, 1.0]])
    assert bce.cost(y, get_activation("sigmoid").forward(z), z) == pytest.approx(1000.0)


def test_loss_for_output_pairs_and_rejects_typos() -> None:
    assert loss_for_output("sigmoid").name == "binary_cross_entropy"
    assert loss_for_output("softmax").name == "categorical_cross_entropy"
    assert loss_for_output("linear").name == "mean_squared_error"
    assert loss_for_output("tanh").name == "mean_squared_error"
    with pytest.raises(UnknownActivationError):
        loss_for_output("softmx")


def test_unknown_loss_lists_valid_names() -> None:
    with pytest.raises(UnknownLossError, match="mean_squared_error"):
        get_loss("hinge")
    assert set(LOSS_NAMES) == {
        "binary_cross_entropy",
        "categorical_cross_entropy",
        "mean_squared_error",
    }


@pytest.mark.parametrize(("activation", "units"), [("sigmoid", 1), ("softmax", 3)])
def test_fused_delta_equals_the_chain_rule(activation: str, units: int) -> None:
    rng = np.random.default_rng(5)
    z = rng.standard_normal((units, 6))
    labels = rng.integers(0, units, 6) if units > 1 else np.array([0, 1, 1, 0, 1, 0])
    y = np.eye(units)[:, labels] if units > 1 else labels[None, :].astype(float)
    act, loss = get_activation(activation), loss_for_output(activation)
    a = act.forward(z)
    np.testing.assert_allclose(output_delta(loss, act, y, a, z), a - y)
    np.testing.assert_allclose(act.backward(z, a, loss.grad(y, a, z)), a - y, atol=1e-12)


def test_unfused_delta_uses_the_activation_derivative() -> None:
    z = np.array([[0.5, -0.2]])
    tanh, mse = get_activation("tanh"), get_loss("mean_squared_error")
    a, y = np.tanh(z), np.array([[1.0, 0.0]])
    np.testing.assert_allclose(output_delta(mse, tanh, y, a, z), (a - y) * (1 - a**2))
