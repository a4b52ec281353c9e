"""Parameter, gradient and update figures against hand computations and the optimizer."""

import numpy as np
import pytest
from telemetry_nets import random_layer, shard_step

from functions.telemetry import FIGURES, BackwardStats, HistogramSpec, backward_telemetry
from functions.telemetry.backward import pool_backward

SMALL = HistogramSpec(-2, 2)
# Unit 0: W row (3, 4, 0), norm 5, moved by (0, .03, .04), norm .05. Unit 1: zero weights
# that stay zero. Unit 2: zero weights that move by (.6, .8, 0), norm 1.
W_OLD = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
W_NEW = np.array([[3.0, 4.03, 0.04], [0.0, 0.0, 0.0], [0.6, 0.8, 0.0]])
DW = np.array([[1.0, 2.0, 2.0], [0.0, 3.0, 4.0], [0.0, 0.0, 0.0]])
B_OLD = np.array([[0.5], [-1.0], [0.0]])
B_NEW = np.array([[0.25], [-1.0], [0.125]])
DB = np.array([[0.1], [0.2], [-0.3]])
DZ = np.array([[0.3, -0.3], [3.0, 0.0], [0.0, 0.0]])


def hand_stats() -> BackwardStats:
    return backward_telemetry(W_OLD, B_OLD, W_NEW, B_NEW, DW, DB, DZ, SMALL)


def test_figures_by_hand() -> None:
    s = hand_stats()
    assert (s.steps, s.fan_in, s.units) == (1, 3, 3)
    np.testing.assert_array_equal(s.mean("weight_norm"), [5.0, 0.0, 0.0])
    np.testing.assert_array_equal(s.mean("grad_norm"), [3.0, 5.0, 0.0])
    np.testing.assert_allclose(s.mean("update_norm"), [0.05, 0.0, 1.0], rtol=1e-12)
    np.testing.assert_array_equal(s.mean("bias"), [0.5, -1.0, 0.0])
    np.testing.assert_array_equal(s.mean("bias_grad"), [0.1, 0.2, -0.3])
    np.testing.assert_array_equal(s.mean("bias_update"), [-0.25, 0.0, 0.125])
    # 0/0 is no movement; movement of zero weights is an infinite ratio, not a crash.
    np.testing.assert_allclose(s.update_ratio, [0.01, 0.0, np.inf], rtol=1e-12)


def test_histograms_count_the_step_inputs() -> None:
    s = hand_stats()
    expected_w = np.zeros(SMALL.bins, dtype=np.int64)
    expected_w[[SMALL.zero_bin, 9, 10]] = [7, 1, 1]  # seven zeros, 3 in [2, 4), 4 in [4, inf)
    np.testing.assert_array_equal(s.weights.counts, expected_w)
    expected_dw = np.zeros(SMALL.bins, dtype=np.int64)
    expected_dw[[SMALL.zero_bin, 8, 9, 10]] = [4, 1, 3, 1]  # four zeros | 1 | 2, 2, 3 | 4
    np.testing.assert_array_equal(s.weight_grads.counts, expected_dw)
    expected_dz = np.zeros(SMALL.bins, dtype=np.int64)
    expected_dz[[4, SMALL.zero_bin, 6, 9]] = [1, 3, 1, 1]  # -.3 | three zeros | .3 | 3
    np.testing.assert_array_equal(s.deltas.counts, expected_dz)


def test_gradient_descent_moves_each_row_by_lr_times_its_gradient() -> None:
    w, b, x, da = random_layer(6, 4, 9, seed=8)
    t = shard_step(w, b, x, da, "tanh", lr=0.05)
    s = t.backward
    np.testing.assert_allclose(s.mean("update_norm"), 0.05 * s.mean("grad_norm"), rtol=1e-12)
    np.testing.assert_allclose(s.mean("bias_update"), -0.05 * s.mean("bias_grad"), rtol=1e-12)
    np.testing.assert_allclose(s.mean("weight_norm"), np.linalg.norm(w, axis=1), rtol=1e-15)
    np.testing.assert_array_equal(s.mean("bias"), b[:, 0])


def test_pooled_steps_are_sums_and_means_over_the_steps() -> None:
    other = backward_telemetry(2 * W_OLD, B_OLD, 2 * W_NEW, B_NEW, DW, 3 * DB, DZ, SMALL)
    pooled = pool_backward([hand_stats(), other, hand_stats()])
    assert pooled.steps == 3
    np.testing.assert_allclose(pooled.mean("weight_norm"), [20 / 3, 0.0, 0.0], rtol=1e-15)
    np.testing.assert_allclose(pooled.mean("bias_grad"), [0.5 / 3, 1.0 / 3, -1.5 / 3])
    assert pooled.weights.total == 27 and pooled.deltas.total == 18


def test_shapes_are_checked() -> None:
    with pytest.raises(ValueError, match="differ"):
        backward_telemetry(W_OLD, B_OLD, W_NEW[:2], B_NEW, DW, DB, DZ)
    with pytest.raises(ValueError, match="rows"):
        backward_telemetry(W_OLD, B_OLD, W_NEW, B_NEW, DW, DB[:2], DZ)
    with pytest.raises(ValueError, match="not one of"):
        hand_stats().mean("weight")
    with pytest.raises(ValueError, match="same units"):
        pool_backward(
            [
                hand_stats(),
                backward_telemetry(*(a[:1] for a in (W_OLD, B_OLD, W_NEW, B_NEW, DW, DB, DZ))),
            ]
        )


def test_document_round_trip() -> None:
    s = backward_telemetry(W_OLD, B_OLD, W_NEW * np.nan, B_NEW, DW, DB, DZ)
    doc = s.to_document()
    assert set(doc) == {"v", "steps", "fan_in", *(f"{f}_sum" for f in FIGURES)} | {
        "weights",
        "weight_grads",
        "deltas",
    }
    assert BackwardStats.from_document(doc) == s
    assert BackwardStats.from_document(doc) != hand_stats()
