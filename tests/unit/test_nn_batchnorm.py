"""BatchNorm, the math of one normalized layer: the batch's statistics in training, the running
averages in evaluation, torch's running update, and a batch of one sample."""

import numpy as np
import pytest
from memory_runs import RUN, config, max_difference, reference_result, toy_data, train

from functions.memory import InMemoryStack
from functions.nn.batchnorm import RUNNING, TRAINED, BatchNorm
from functions.nn.exceptions import NNError
from functions.nn.layers import LayerSpec
from functions.nn.types import Array, LayerParams
from messages.status import RunStatus

TORCH_NORM = BatchNorm(momentum=0.1, epsilon=1e-5)  # torch's BatchNorm1d defaults

UNITS = 4


def layer_params(rng: np.random.Generator) -> LayerParams:
    column = (UNITS, 1)
    return {
        "gamma": rng.uniform(0.5, 2.0, column),
        "beta": rng.standard_normal(column),
        "running_mean": rng.standard_normal(column),
        "running_var": rng.uniform(0.5, 3.0, column),
    }


def batch(m: int, seed: int = 2) -> tuple[Array, LayerParams]:
    rng = np.random.default_rng(seed)
    # Rows of very different scales and offsets: normalizing must undo each row's own.
    z = rng.standard_normal((UNITS, m)) * np.array([[0.1], [1.0], [30.0], [5.0]]) + 7.0
    return z, layer_params(rng)


def test_training_forward_normalizes_each_row_then_scales_and_shifts() -> None:
    norm = TORCH_NORM
    z, params = batch(16)
    z_tilde, stats = norm.forward(z, params)
    np.testing.assert_allclose(np.mean(stats.z_norm, axis=1), 0.0, atol=1e-12)
    # Variance 1 up to eps: var / (var + eps), which the smallest row (scale 0.1) shows.
    expected_var = stats.var / (stats.var + norm.epsilon)
    np.testing.assert_allclose(np.var(stats.z_norm, axis=1, keepdims=True), expected_var)
    np.testing.assert_allclose(np.var(stats.z_norm, axis=1)[1:], 1.0, atol=1e-4)
    np.testing.assert_allclose(stats.mean, np.mean(z, axis=1, keepdims=True))
    np.testing.assert_allclose(stats.var, np.var(z, axis=1, keepdims=True))  # biased
    np.testing.assert_allclose(z_tilde, params["gamma"] * stats.z_norm + params["beta"])
    assert stats.m == 16


def test_each_row_is_normalized_alone() -> None:
    """A shard owning units 1-2 computes exactly those rows of the whole layer."""
    norm = TORCH_NORM
    z, params = batch(9)
    whole, _ = norm.forward(z, params)
    rows = {name: array[1:3] for name, array in params.items()}
    part, _ = norm.forward(z[1:3], rows)
    np.testing.assert_array_equal(part, whole[1:3])


def test_inference_uses_the_running_averages_not_the_batch() -> None:
    norm = BatchNorm(momentum=0.1, epsilon=1e-3)
    z, params = batch(8)
    expected = (z - params["running_mean"]) / np.sqrt(params["running_var"] + 1e-3)
    expected = params["gamma"] * expected + params["beta"]
    np.testing.assert_allclose(norm.inference(z, params), expected)
    # Each sample's output is its own: one column alone gives the same values.
    np.testing.assert_allclose(norm.inference(z[:, 3:4], params), expected[:, 3:4])
    # With the batch's own mean and biased variance as running values, it is the training pass.
    _, stats = norm.forward(z, params)
    as_batch = {**params, "running_mean": stats.mean, "running_var": stats.var}
    np.testing.assert_allclose(norm.inference(z, as_batch), norm.forward(z, params)[0])


@pytest.mark.parametrize("momentum", [0.1, 0.35, 1.0])
def test_running_update_is_torchs(momentum: float) -> None:
    norm = BatchNorm(momentum=momentum, epsilon=1e-5)
    z, params = batch(5)
    _, stats = norm.forward(z, params)
    running = norm.running(params, stats)
    assert sorted(running) == sorted(RUNNING)
    unbiased = np.var(z, axis=1, ddof=1, keepdims=True)
    mean = np.mean(z, axis=1, keepdims=True)
    np.testing.assert_allclose(
        running["running_mean"], (1 - momentum) * params["running_mean"] + momentum * mean
    )
    np.testing.assert_allclose(
        running["running_var"], (1 - momentum) * params["running_var"] + momentum * unbiased
    )
    # The course's form, v = beta v + (1 - beta) theta with beta = 1 - momentum, is the same.
    beta = 1 - momentum
    np.testing.assert_allclose(
        running["running_mean"], beta * params["running_mean"] + (1 - beta) * mean
    )


def test_a_batch_of_one_sample_is_finite_and_keeps_the_running_variance() -> None:
    norm = TORCH_NORM
    z, params = batch(1)
    z_tilde, stats = norm.forward(z, params)
    np.testing.assert_array_equal(stats.z_norm, 0.0)  # the sample is its own mean
    np.testing.assert_array_equal(z_tilde, params["beta"])
    dz_tilde = np.arange(1.0, UNITS + 1)[:, None]
    dz, dgamma, dbeta = norm.backward(dz_tilde, stats, params)
    for array in (z_tilde, dz, dgamma, dbeta):
        assert np.all(np.isfinite(array))
    np.testing.assert_array_equal(dz, 0.0)  # Z_tilde does not depend on Z
    np.testing.assert_array_equal(dbeta, dz_tilde)
    running = norm.running(params, stats)
    np.testing.assert_array_equal(running["running_var"], params["running_var"])
    np.testing.assert_allclose(running["running_mean"], 0.9 * params["running_mean"] + 0.1 * z)


def test_a_run_whose_last_batch_has_one_sample() -> None:
    """25 samples in batches of 8: every epoch ends on one sample. The run trains, its
    numbers stay finite, and the in-memory stack equals the reference engine."""
    x, y = toy_data(m=25)
    layers = [
        {"units": 5, "activation": "relu", "batch_norm": True},
        {"units": 3, "activation": "tanh", "batch_norm": True},
        {"units": 1, "activation": "sigmoid"},
    ]
    cfg = config(layers=layers, batch_size=8, holdout=0.0, epochs=3, dropout=1.0)
    reference = reference_result(cfg, x, y)
    assert all(np.all(np.isfinite(a)) for layer in reference.params for a in layer.values())
    assert all(np.isfinite(entry.cost) for entry in reference.history)
    stack = train(InMemoryStack(), cfg, x, y)
    record = stack.record(RUN)
    assert record is not None and record.status is RunStatus.SUCCEEDED, record
    params, _ = stack.model(RUN)
    assert max_difference(params, reference.params) <= 1e-9


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"momentum": 0.0}, "batch norm momentum must be in (0, 1], got 0.0"),
        ({"momentum": 1.5}, "batch norm momentum must be in (0, 1], got 1.5"),
        ({"epsilon": 0.0}, "batch norm epsilon must be positive, got 0.0"),
        ({"epsilon": -1e-5}, "batch norm epsilon must be positive, got -1e-05"),
    ],
)
def test_settings_out_of_range_are_refused(settings: dict, message: str) -> None:
    with pytest.raises(NNError) as raised:
        BatchNorm(**{"momentum": 0.1, "epsilon": 1e-5, **settings})
    assert str(raised.value) == message


def test_a_normalized_layer_trains_gamma_and_beta_instead_of_b() -> None:
    plain, normalized = LayerSpec(3, "relu"), LayerSpec(3, "relu", TORCH_NORM)
    assert plain.trained == plain.names == ("W", "b")
    assert normalized.trained == ("W", *TRAINED) == ("W", "gamma", "beta")
    assert normalized.names == ("W", "gamma", "beta", "running_mean", "running_var")
    initial = TORCH_NORM.initial(3)
    assert sorted(initial) == sorted((*TRAINED, *RUNNING))
    assert all(array.shape == (3, 1) for array in initial.values())
    np.testing.assert_array_equal(initial["gamma"], 1.0)
    np.testing.assert_array_equal(initial["running_var"], 1.0)
