"""Shards merge into the layer a single shard computes; batches pool into an epoch; the two
merges commute; the barrier document is small."""

import json

import numpy as np
import pytest
from telemetry_nets import random_layer, shard_step, sliced_step

from functions.telemetry import LayerTelemetry, merge_batches, merge_shards
from functions.training.shards import shard_ranges


@pytest.mark.parametrize("shards", [1, 2, 3])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_shards_merge_to_the_single_shard_layer(shards: int, activation: str) -> None:
    w, b, x, da = random_layer(7, 5, 11, seed=shards)
    whole = shard_step(w, b, x, da, activation)
    parts = [shard_step(w, b, x, da, activation, rows=r) for r in shard_ranges(7, shards)]
    merged = merge_shards(parts)
    assert merged.whole and (merged.start, merged.stop) == (0, 7)
    # Counts and histograms exactly; floats up to the round-off of a shard's own matmul,
    # which BLAS may block differently for fewer rows.
    np.testing.assert_array_equal(merged.forward.saturated, whole.forward.saturated)
    assert merged.forward.activations == whole.forward.activations
    assert merged.backward.weights == whole.backward.weights
    np.testing.assert_allclose(merged.forward.sum, whole.forward.sum, rtol=0, atol=1e-12)
    np.testing.assert_allclose(merged.forward.m2, whole.forward.m2, rtol=0, atol=1e-12)
    for name in ("z_min", "z_max", "z_sum"):
        np.testing.assert_allclose(
            getattr(merged.forward, name), getattr(whole.forward, name), rtol=0, atol=1e-12
        )
    for name in ("weight_norm", "grad_norm", "update_norm", "bias", "bias_grad", "bias_update"):
        np.testing.assert_allclose(
            merged.backward.mean(name), whole.backward.mean(name), rtol=0, atol=1e-12
        )


@pytest.mark.parametrize("shards", [1, 2, 3])
def test_telemetry_of_a_shards_rows_is_bit_identical(shards: int) -> None:
    # Same Z, dZ and W rows in, same bits out: nothing in telemetry depends on the sharding.
    w, b, x, da = random_layer(7, 5, 11, seed=9)
    whole = shard_step(w, b, x, da, "relu")
    parts = [sliced_step(w, b, x, da, "relu", r) for r in shard_ranges(7, shards)]
    assert merge_shards(parts) == whole


def test_merges_commute_and_pool_an_epoch() -> None:
    w, b, x, da = random_layer(6, 4, 15, seed=4)
    batches = [slice(0, 6), slice(6, 12), slice(12, 15)]
    ranges = shard_ranges(6, 3)
    grid = [[shard_step(w, b, x[:, s], da[:, s], "relu", rows=r) for r in ranges] for s in batches]
    shards_first = merge_batches([merge_shards(row) for row in grid])
    batches_first = merge_shards([merge_batches([row[k] for row in grid]) for k in range(3)])
    assert shards_first == batches_first
    assert shards_first.forward.count == 15 and shards_first.backward.steps == 3


def test_dead_means_no_active_sample_in_any_batch() -> None:
    w, b, x, da = random_layer(4, 3, 8, seed=6)
    b[1] = -100.0  # never active
    x_pos = np.abs(x)
    w[2] = np.abs(w[2])
    b[2] = 0.0
    x_pos[:, :4] = 0.0
    x_pos[:, 4:] = 1.0  # unit 2: z = 0 on the first batch, > 0 on the second
    first = shard_step(w, b, x_pos[:, :4], da[:, :4], "relu")
    second = shard_step(w, b, x_pos[:, 4:], da[:, 4:], "relu")
    assert 2 in first.dead_units and 2 not in second.dead_units
    epoch = merge_batches([first, second])
    assert 1 in epoch.dead_units and 2 not in epoch.dead_units
    assert epoch.dead_fraction == len(epoch.dead_units) / 4


def test_dead_units_are_numbered_in_the_layer() -> None:
    w, b, x, da = random_layer(5, 3, 6, seed=1)
    b[3] = -100.0
    shard = shard_step(w, b, x, da, "relu", rows=(2, 5))
    assert shard.dead_units == (3,)
    assert not shard.whole


def test_merge_checks() -> None:
    w, b, x, da = random_layer(6, 3, 5, seed=2)
    a, c = (
        shard_step(w, b, x, da, "relu", rows=(0, 2)),
        shard_step(w, b, x, da, "relu", rows=(4, 6)),
    )
    with pytest.raises(ValueError, match="contiguous"):
        merge_shards([a, c])
    with pytest.raises(ValueError, match="contiguous"):
        merge_shards([shard_step(w, b, x, da, "relu", rows=(2, 4)), a])
    with pytest.raises(ValueError, match="one layer"):
        merge_shards([a, shard_step(w, b, x, da, "relu", rows=(2, 6), layer=2)])
    with pytest.raises(ValueError, match="same rows"):
        merge_batches([a, c])
    with pytest.raises(ValueError, match="nothing"):
        merge_batches([])
    with pytest.raises(ValueError, match="outside"):
        LayerTelemetry(1, "relu", 1, 0, 2, a.forward, a.backward)
    with pytest.raises(ValueError, match="units"):
        LayerTelemetry(1, "relu", 6, 0, 3, a.forward, a.backward)


def test_document_of_a_20_unit_shard_is_a_few_kilobytes_and_round_trips() -> None:
    # The cat network's first layer: 20 units, 12,288 inputs; a 64-sample batch.
    rng = np.random.default_rng(0)
    w = rng.standard_normal((20, 12_288)) / np.sqrt(12_288)
    x = rng.random((12_288, 64))
    t = shard_step(w, np.zeros((20, 1)), x, rng.standard_normal((20, 64)) * 1e-2, "relu")
    text = json.dumps(t.to_document(), separators=(",", ":"), allow_nan=False)
    assert len(text.encode()) < 8_000
    assert LayerTelemetry.from_document(json.loads(text)) == t
