"""Optimizers against hand-computed updates (course conventions), purity and state."""

import math

import numpy as np
import pytest

from functions.nn import OPTIMIZER_NAMES, NNError, UnknownOptimizerError, make_optimizer
from functions.nn.optimizers import Adam

LR = 0.1
GRADS = (0.5, -0.25, 1.0)  # dW for steps 1..3; db is always 0


def run_three_steps(name: str) -> list[tuple[float, float]]:
    """(W, b) after each of three updates from W = 1, b = 0."""
    opt = make_optimizer(name)
    params = {"W": np.array([[1.0]]), "b": np.array([[0.0]])}
    state = opt.init_state(params)
    out = []
    for step, g in enumerate(GRADS, start=1):
        grads = {"W": np.array([[g]]), "b": np.array([[0.0]])}
        params, state = opt.update(params, grads, state, lr=LR, step=step)
        out.append((float(params["W"][0, 0]), float(params["b"][0, 0])))
    return out


def assert_steps(name: str, expected_w: list[float]) -> None:
    got = run_three_steps(name)
    assert [w for w, _ in got] == pytest.approx(expected_w, rel=1e-12)
    assert [b for _, b in got] == [0.0, 0.0, 0.0]  # zero gradient never moves b


def test_gradient_descent_three_steps() -> None:
    # W -= 0.1 g: 1 - 0.05, then + 0.025, then - 0.1
    assert_steps("gd", [0.95, 0.975, 0.875])


def test_momentum_three_steps() -> None:
    # v1 = 0.1*0.5 = 0.05               W = 1 - 0.005      = 0.995
    # v2 = 0.9*0.05 + 0.1*(-0.25) = 0.02 W = 0.995 - 0.002  = 0.993
    # v3 = 0.9*0.02 + 0.1*1 = 0.118     W = 0.993 - 0.0118 = 0.9812
    assert_steps("momentum", [0.995, 0.993, 0.9812])


def test_rmsprop_three_steps() -> None:
    # s1 = 0.001*0.25                      = 0.00025
    # s2 = 0.999*0.00025 + 0.001*0.0625    = 0.00031225
    # s3 = 0.999*0.00031225 + 0.001*1      = 0.00131193775
    w1 = 1.0 - 0.1 * 0.5 / (math.sqrt(0.00025) + 1e-8)
    w2 = w1 - 0.1 * -0.25 / (math.sqrt(0.00031225) + 1e-8)
    w3 = w2 - 0.1 * 1.0 / (math.sqrt(0.00131193775) + 1e-8)
    assert_steps("rmsprop", [w1, w2, w3])
    assert w1 == pytest.approx(-2.16228, abs=1e-5)  # 1 - 0.05 / 0.0158114


def test_adam_three_steps() -> None:
    # v: 0.05, 0.02, 0.118 (as momentum); s: as rmsprop.
    # bias corrections: 1 - 0.9^t = 0.1, 0.19, 0.271; 1 - 0.999^t = 0.001, 0.001999, 0.002997001
    # step 1: v_hat = 0.5, s_hat = 0.25, so the first move is lr * 0.5 / 0.5
    w1 = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8)
    w2 = w1 - 0.1 * (0.02 / 0.19) / (math.sqrt(0.00031225 / 0.001999) + 1e-8)
    w3 = w2 - 0.1 * (0.118 / 0.271) / (math.sqrt(0.00131193775 / 0.002997001) + 1e-8)
    assert_steps("adam", [w1, w2, w3])
    assert w1 == pytest.approx(0.9, abs=1e-8)


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_update_is_pure_and_state_is_serializable(name: str) -> None:
    opt = make_optimizer(name)
    params = {"W": np.array([[1.0, -2.0]]), "b": np.array([[0.5]])}
    grads = {"W": np.array([[0.1, 0.2]]), "b": np.array([[-0.3]])}
    state = opt.init_state(params)
    inputs = (params, grads, state)
    snapshot = [{k: v.copy() for k, v in d.items()} for d in inputs]
    new_params, new_state = opt.update(params, grads, state, lr=0.01, step=1)
    for before, after in zip(snapshot, inputs, strict=True):
        assert before.keys() == after.keys()
        for k in before:
            np.testing.assert_array_equal(after[k], before[k])
    assert set(new_state) == set(state)
    assert all(new_state[k].shape == state[k].shape for k in state)
    assert not np.array_equal(new_params["W"], params["W"])


def test_init_state_keys() -> None:
    params = {"W": np.ones((2, 3)), "b": np.ones((2, 1))}
    assert make_optimizer("gd").init_state(params) == {}
    assert set(make_optimizer("momentum").init_state(params)) == {"v_W", "v_b"}
    assert set(make_optimizer("rmsprop").init_state(params)) == {"s_W", "s_b"}
    adam = make_optimizer("adam").init_state(params)
    assert set(adam) == {"v_W", "v_b", "s_W", "s_b"}
    assert adam["s_W"].shape == (2, 3) and not adam["s_W"].any()


def test_hyperparameters_are_passed_through() -> None:
    opt = make_optimizer("adam", beta1=0.8, beta2=0.99, epsilon=1e-6)
    assert opt == Adam(beta1=0.8, beta2=0.99, epsilon=1e-6)
    params = {"W": np.array([[0.0]])}
    mom = make_optimizer("momentum", beta1=0.5)
    new, state = mom.update(params, {"W": np.array([[2.0]])}, mom.init_state(params), lr=1, step=1)
    assert state["v_W"][0, 0] == 1.0 and new["W"][0, 0] == -1.0  # v = 0.5*2


def test_bad_input_is_rejected() -> None:
    with pytest.raises(UnknownOptimizerError, match="adam"):
        make_optimizer("sgd")
    with pytest.raises(NNError, match="beta1"):
        make_optimizer("momentum", beta1=1.0)
    with pytest.raises(NNError, match="epsilon"):
        make_optimizer("rmsprop", epsilon=0.0)
    adam = make_optimizer("adam")
    params = {"W": np.zeros((1, 1))}
    with pytest.raises(NNError, match="1-based"):
        adam.update(params, params, adam.init_state(params), lr=0.1, step=0)
    with pytest.raises(NNError, match="v_W"):
        adam.update(params, params, {}, lr=0.1, step=1)
