"""Keyed randomness: same key, same numbers; whole-layer draws sliced per shard."""

import numpy as np
import pytest

from functions.nn import (
    INIT_SCHEMES,
    NNError,
    UnknownInitializerError,
    dropout_mask,
    dropout_rng,
    init_rng,
    initialize_layer,
    permutation_rng,
)


def test_same_key_same_stream_different_key_different_stream() -> None:
    assert init_rng(1, 2).random() == init_rng(1, 2).random()
    assert init_rng(1, 2).random() != init_rng(1, 3).random()
    assert init_rng(1, 2).random() != init_rng(2, 2).random()
    assert dropout_rng(1, 0, 0, 1).random() != dropout_rng(1, 0, 1, 1).random()
    np.testing.assert_array_equal(
        permutation_rng(4, 2).permutation(9), permutation_rng(4, 2).permutation(9)
    )
    assert not np.array_equal(
        permutation_rng(4, 2).permutation(9), permutation_rng(4, 3).permutation(9)
    )
    # the global generator is never touched
    np.random.seed(0)
    expected = np.random.random()
    np.random.seed(0)
    initialize_layer("he", 3, 3, seed=1, layer=1)
    dropout_mask(seed=1, epoch=0, batch=0, layer=1, shape=(3, 3), keep_prob=0.5)
    assert np.random.random() == expected


def test_negative_keys_are_rejected() -> None:
    with pytest.raises(NNError):
        init_rng(-1, 1)


def test_initialize_layer_is_keyed_and_scaled() -> None:
    w, b = initialize_layer("he", 6, 8, seed=5, layer=2)
    again, _ = initialize_layer("he", 6, 8, seed=5, layer=2)
    other, _ = initialize_layer("he", 6, 8, seed=5, layer=3)
    np.testing.assert_array_equal(w, again)
    assert not np.array_equal(w, other)
    assert w.shape == (6, 8) and b.shape == (6, 1) and not b.any()
    normals = init_rng(5, 2).standard_normal((6, 8))
    np.testing.assert_array_equal(w, normals * np.sqrt(2 / 8))
    xavier, _ = initialize_layer("xavier", 6, 8, seed=5, layer=2)
    np.testing.assert_array_equal(xavier, normals * np.sqrt(1 / 8))
    small, _ = initialize_layer("random", 6, 8, seed=5, layer=2)
    np.testing.assert_array_equal(small, normals * 0.01)
    zeros, _ = initialize_layer("zeros", 6, 8, seed=5, layer=2)
    assert zeros.shape == (6, 8) and not zeros.any()
    assert INIT_SCHEMES == ("he", "xavier", "random", "zeros")


def test_shards_slice_the_whole_layer_draw() -> None:
    full, _ = initialize_layer("he", 7, 4, seed=5, layer=1)
    shards = [(0, 2), (2, 5), (5, 7)]
    # Each shard draws the whole layer on its own and keeps its rows.
    pieces = [initialize_layer("he", 7, 4, seed=5, layer=1)[0][i:j] for i, j in shards]
    np.testing.assert_array_equal(np.vstack(pieces), full)
    # Drawing only the shard's rows would give different weights.
    own_draw, _ = initialize_layer("he", 3, 4, seed=5, layer=1)
    assert not np.array_equal(own_draw, full[2:5])


def test_unknown_initializer_lists_valid_names() -> None:
    with pytest.raises(UnknownInitializerError, match="xavier"):
        initialize_layer("glorot", 2, 2, seed=0, layer=1)
    with pytest.raises(NNError):
        initialize_layer("he", 0, 2, seed=0, layer=1)


def test_dropout_mask_is_inverted_keyed_and_sliceable() -> None:
    key = {"seed": 3, "epoch": 2, "batch": 1, "layer": 2}
    mask = dropout_mask(**key, shape=(50, 40), keep_prob=0.8)
    np.testing.assert_array_equal(mask, dropout_mask(**key, shape=(50, 40), keep_prob=0.8))
    assert set(np.unique(mask)) == {0.0, 1.25}
    assert 0.75 < np.count_nonzero(mask) / mask.size < 0.85
    expected = (dropout_rng(3, 2, 1, 2).random((50, 40)) < 0.8) / 0.8
    np.testing.assert_array_equal(mask, expected)
    other = dropout_mask(**{**key, "batch": 2}, shape=(50, 40), keep_prob=0.8)
    assert not np.array_equal(mask, other)
    np.testing.assert_array_equal(dropout_mask(**key, shape=(2, 3), keep_prob=1.0), np.ones((2, 3)))
    with pytest.raises(NNError, match="keep_prob"):
        dropout_mask(**key, shape=(2, 3), keep_prob=0.0)
