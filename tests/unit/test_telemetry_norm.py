"""A batch-normalized layer's telemetry: gamma before the step's update, the batch mean and
biased variance its step normalized with; merged exactly across shards (each shard's own
rows) and pooled over batches as sums; absent, not zeros, for a dense layer."""

import json

import numpy as np
import pytest
from telemetry_nets import random_layer

from functions.nn.batchnorm import BatchNorm
from functions.nn.layers import LayerSpec
from functions.nn.optimizers import make_optimizer
from functions.telemetry import LayerTelemetry, TelemetryRecord, merge_batches, merge_shards
from functions.telemetry.verdicts import dead_units
from functions.training.shards import shard_ranges
from functions.training.step import shard_gradients, update_shard
from functions.training.telemetry import hidden_forward, shard_telemetry

TORCH_NORM = BatchNorm(momentum=0.1, epsilon=1e-5)  # torch's BatchNorm1d defaults

SPEC = LayerSpec(6, "relu", TORCH_NORM)


def bn_params(units: int, fan_in: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = {"W": rng.normal(size=(units, fan_in)), **TORCH_NORM.initial(units)}
    params["gamma"] = rng.uniform(0.5, 2.0, size=(units, 1))
    params["beta"] = rng.normal(size=(units, 1))
    return params


def bn_step(
    params: dict[str, np.ndarray], x: np.ndarray, da: np.ndarray, rows: tuple[int, int]
) -> LayerTelemetry:
    """A shard's step of rows ``rows``, Z cut from the whole layer's so that every shard
    sees the very bits the whole layer does (the telemetry's own exactness)."""
    z = params["W"] @ x
    lo, hi = rows
    mine = {name: value[lo:hi] for name, value in params.items()}
    spec = LayerSpec(hi - lo, SPEC.activation, SPEC.norm)
    grads = shard_gradients(
        mine, a_prev=x, z=z[lo:hi], grad=da[lo:hi], grad_kind="da", spec=spec, mask=None,
        l2=0.0, need_da_prev=False,
    )  # fmt: skip
    update = update_shard(
        mine, {}, grads, spec=spec, optimizer=make_optimizer("gd"), lr=0.5, step=1
    )
    assert grads.stats is not None
    forward = hidden_forward(z[lo:hi], SPEC.activation, grads)
    return shard_telemetry(1, SPEC, rows, forward, mine, grads, update)


def test_a_step_records_gamma_before_the_update_and_the_batch_statistics() -> None:
    _, _, x, da = random_layer(6, 4, 9, seed=1)
    params = bn_params(6, 4, seed=1)
    t = bn_step(params, x, da, (0, 6))
    z = params["W"] @ x
    assert t.norm is not None and t.bias_name == "beta"
    np.testing.assert_array_equal(t.norm.mean("gamma"), params["gamma"].ravel())
    np.testing.assert_allclose(t.norm.mean("batch_mean"), z.mean(axis=1), rtol=1e-14)
    np.testing.assert_allclose(t.norm.mean("batch_var"), z.var(axis=1), rtol=1e-12)
    np.testing.assert_array_equal(t.backward.mean("bias"), params["beta"].ravel())
    # Z_tilde (the forward figures' Z) is centred on beta whatever Z's own mean.
    np.testing.assert_allclose(t.forward.z_mean, params["beta"].ravel(), atol=1e-12)
    assert LayerTelemetry.from_document(json.loads(json.dumps(t.to_document()))) == t


@pytest.mark.parametrize("shards", [2, 3, 6])  # 6: one unit per shard
def test_shards_merge_to_the_whole_layer_bit_for_bit(shards: int) -> None:
    _, _, x, da = random_layer(6, 4, 9, seed=shards)
    params = bn_params(6, 4, seed=shards)
    whole = bn_step(params, x, da, (0, 6))
    merged = merge_shards([bn_step(params, x, da, r) for r in shard_ranges(6, shards)])
    # A unit's batch statistics and Z_tilde are its row's alone: the same bits in any shard.
    assert merged.norm == whole.norm and merged.forward == whole.forward
    if shards < 6:
        assert merged.to_document() == whole.to_document()
    else:  # a one-row dW = dZ A_prev^T is a matrix-vector product, which BLAS rounds its way
        for name in ("grad_norm", "update_norm", "bias_grad"):
            np.testing.assert_allclose(
                merged.backward.mean(name), whole.backward.mean(name), rtol=1e-14
            )


def test_batches_pool_as_sums_and_the_merges_commute() -> None:
    _, _, x, da = random_layer(6, 4, 15, seed=4)
    params = bn_params(6, 4, seed=4)
    batches = [slice(0, 6), slice(6, 12), slice(12, 15)]
    ranges = shard_ranges(6, 3)
    grid = [[bn_step(params, x[:, s], da[:, s], r) for r in ranges] for s in batches]
    shards_first = merge_batches([merge_shards(row) for row in grid])
    batches_first = merge_shards([merge_batches([row[k] for row in grid]) for k in range(3)])
    assert shards_first == batches_first
    norm = shards_first.norm
    assert norm is not None and norm.steps == 3
    z = params["W"] @ x
    # The window's figures are means over its steps: of each batch's own variance, not the
    # variance of the window's samples pooled.
    per_batch = np.mean([z[:, s].var(axis=1) for s in batches], axis=0)
    np.testing.assert_allclose(norm.mean("batch_var"), per_batch, rtol=1e-12)
    assert not np.allclose(norm.mean("batch_var"), z.var(axis=1))


def test_a_dense_layers_document_has_no_norm_and_an_older_one_still_reads() -> None:
    _, _, x, da = random_layer(6, 4, 9, seed=2)
    t = bn_step(bn_params(6, 4, seed=2), x, da, (0, 6))
    doc = TelemetryRecord(0, 0, 1, t).to_document()
    assert set(doc["norm"]) == {"v", "steps", "gamma_sum", "batch_mean_sum", "batch_var_sum"}
    without = {key: value for key, value in doc.items() if key != "norm"}
    older = TelemetryRecord.from_document(json.loads(json.dumps(without)))
    assert older.telemetry.norm is None and older.telemetry.bias_name == "b"
    assert "norm" not in older.to_document()


def test_a_batch_normalized_layer_mixes_with_no_dense_one() -> None:
    _, _, x, da = random_layer(6, 4, 9, seed=3)
    t = bn_step(bn_params(6, 4, seed=3), x, da, (0, 6))
    dense = LayerTelemetry(1, "relu", 6, 0, 6, t.forward, t.backward)
    with pytest.raises(ValueError, match="one layer"):
        merge_batches([t, dense])


def test_a_dead_units_verdict_names_beta_in_a_batch_normalized_layer() -> None:
    _, _, x, da = random_layer(6, 4, 9, seed=5)
    params = bn_params(6, 4, seed=5)
    params["beta"][0] = -50.0  # Z_tilde = gamma Z_norm + beta < 0 on every sample: dead
    hidden = TelemetryRecord(0, 0, 1, bn_step(params, x, da, (0, 6)))
    t = hidden.telemetry
    output = TelemetryRecord(0, 0, 1, LayerTelemetry(2, "sigmoid", 6, 0, 6, t.forward, t.backward))
    found = dead_units([hidden, output])
    verdict = found.layer_verdicts(1)[0]
    assert verdict.dead and "beta -50" in verdict.reason and "bias" not in verdict.reason
    # The Z it names is what the activation saw: Z_tilde, not the Z batch norm normalized.
    assert "Z̃ ≤ 0 on every sample (max Z̃ " in verdict.reason
    strip = found.strips[0]
    assert strip.bias_name == "beta" and strip.norm is not None
    np.testing.assert_array_equal(strip.norm["gamma"][:, 0], params["gamma"].ravel())
