"""The layer contract: a shard of rows computes exactly its slice of the whole layer."""

import numpy as np
import pytest

from functions.nn import (
    ACTIVATION_NAMES,
    LayerSpec,
    dense_backward,
    dense_forward,
    get_activation,
    hidden_delta,
    initialize_layer,
)
from functions.nn.types import Array

SHARDS = [(0, 1), (1, 4), (4, 5), (5, 7)]  # uneven contiguous row ranges of a 7-unit layer


def layer_and_input() -> tuple[Array, Array, Array, np.random.Generator]:
    rng = np.random.default_rng(11)
    w, _ = initialize_layer("he", 7, 4, seed=9, layer=2)
    b = rng.standard_normal((7, 1))
    return w, b, rng.standard_normal((4, 6)), rng


@pytest.mark.parametrize("name", [n for n in ACTIVATION_NAMES if n != "softmax"])
def test_forward_shard_equals_slice(name: str) -> None:
    w, b, a_prev, rng = layer_and_input()
    spec = LayerSpec(7, name)
    mask = (rng.random((7, 6)) < 0.8) / 0.8
    full = dense_forward({"W": w, "b": b}, a_prev, spec, mask=mask)
    for i, j in SHARDS:
        rows = dense_forward({"W": w[i:j], "b": b[i:j]}, a_prev, spec, mask=mask[i:j])
        # BLAS may take another path for fewer rows: equal up to round-off, not bits.
        np.testing.assert_allclose(rows.z, full.z[i:j], rtol=0, atol=1e-12)
        np.testing.assert_allclose(rows.a, full.a[i:j], rtol=0, atol=1e-12)
    # A retried shard reproduces its bytes exactly.
    first = dense_forward({"W": w[1:4], "b": b[1:4]}, a_prev, spec, mask=mask[1:4])
    again = {"W": w[1:4].copy(), "b": b[1:4].copy()}
    retry = dense_forward(again, a_prev.copy(), spec, mask=mask[1:4].copy())
    assert first.a.tobytes() == retry.a.tobytes()


def test_backward_shards_reassemble_the_layer() -> None:
    w, _, a_prev, rng = layer_and_input()
    dz = rng.standard_normal((7, 6))
    dw_full, db_full, da_full = dense_backward(dz, a_prev, w, lambd=0.3, m=6)
    da_sum = np.zeros_like(a_prev)
    for i, j in SHARDS:
        dw, db, da = dense_backward(dz[i:j], a_prev, w[i:j], lambd=0.3, m=6)
        np.testing.assert_allclose(dw, dw_full[i:j], rtol=0, atol=1e-15)
        np.testing.assert_allclose(db, db_full[i:j], rtol=0, atol=1e-15)
        assert da is not None
        da_sum += da
    assert da_full is not None
    np.testing.assert_allclose(da_sum, da_full, rtol=0, atol=1e-12)
    np.testing.assert_allclose(da_sum, w.T @ dz, rtol=0, atol=1e-12)


def test_dense_backward_formulas() -> None:
    dz = np.array([[1.0, -1.0, 2.0]])
    a_prev = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]])
    w = np.array([[0.5, -2.0]])
    dw, db, da = dense_backward(dz, a_prev, w, lambd=0.6, m=3, need_da_prev=False)
    # dz a_prev^T = [1 - 2 + 6, 0 - 1 - 2] = [5, -3]; / 3 plus (0.6/3) w
    np.testing.assert_allclose(dw, [[5 / 3 + 0.1, -1.0 - 0.4]])
    np.testing.assert_allclose(db, [[2 / 3]])
    assert da is None
    _, _, da = dense_backward(dz, a_prev, w, lambd=0.0, m=3)
    np.testing.assert_allclose(da, [[0.5, -0.5, 1.0], [-2.0, 2.0, -4.0]])


def test_hidden_delta_masks_then_differentiates_the_unmasked_activation() -> None:
    z = np.array([[0.5, -1.0], [2.0, 0.3]])
    da = np.array([[1.0, 2.0], [3.0, 4.0]])
    mask = np.array([[1.25, 0.0], [0.0, 1.25]])
    a = np.tanh(z)  # the derivative uses g(z), not the masked activation
    expected = da * mask * (1 - a**2)
    np.testing.assert_allclose(hidden_delta(da, z, get_activation("tanh"), mask), expected)
    np.testing.assert_allclose(hidden_delta(da, z, get_activation("tanh")), da * (1 - a**2))
