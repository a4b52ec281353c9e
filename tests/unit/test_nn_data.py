"""The data plan: encoding, hold-out split, mini-batches and accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from functions.nn.data import (
    accuracy,
    batch_order,
    epoch_permutation,
    fixed_batches,
    minibatch_indices,
    n_batches,
    one_hot,
    stratified_split,
)


def test_one_hot_is_classes_by_samples() -> None:
    encoded = one_hot(np.array([2, 0, 1, 2]), 3)
    assert encoded.dtype == np.float64
    np.testing.assert_array_equal(encoded, [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]])


@pytest.mark.parametrize("labels", [[0, 3], [-1, 0], [0.5, 1.0]])
def test_one_hot_rejects_labels_outside_the_classes(labels: list[float]) -> None:
    with pytest.raises(ValueError):
        one_hot(np.array(labels), 3)


def test_stratified_split_keeps_class_proportions() -> None:
    labels = np.repeat([0, 1, 2], [100, 50, 10])
    train, holdout = stratified_split(labels, 0.2, seed=3)
    assert np.bincount(labels[holdout]).tolist() == [20, 10, 2]
    assert np.bincount(labels[train]).tolist() == [80, 40, 8]


def test_stratified_split_is_disjoint_sorted_and_covering() -> None:
    labels = np.random.default_rng(0).integers(0, 4, 97)
    train, holdout = stratified_split(labels, 0.3, seed=1)
    assert np.intersect1d(train, holdout).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, holdout])), np.arange(97))
    assert np.all(np.diff(train) > 0) and np.all(np.diff(holdout) > 0)


def test_stratified_split_is_deterministic_per_seed() -> None:
    labels = np.tile([0, 1], 50)
    first = stratified_split(labels, 0.25, seed=5)
    again = stratified_split(labels, 0.25, seed=5)
    other = stratified_split(labels, 0.25, seed=6)
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[1], other[1])


def test_stratified_split_takes_one_from_each_small_class() -> None:
    labels = np.array([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2])
    train, holdout = stratified_split(labels, 0.1, seed=0)
    assert sorted(labels[holdout].tolist()) == [0, 1]
    assert 2 in labels[train]  # a singleton class stays in training


def test_zero_fraction_keeps_everything_for_training() -> None:
    train, holdout = stratified_split(np.array([0, 1, 1]), 0.0, seed=0)
    np.testing.assert_array_equal(train, [0, 1, 2])
    assert holdout.size == 0


def test_continuous_targets_get_a_plain_seeded_split() -> None:
    targets = np.random.default_rng(2).normal(size=50)
    train, holdout = stratified_split(targets, 0.2, seed=4)
    assert holdout.size == 10 and train.size == 40
    np.testing.assert_array_equal(holdout, stratified_split(targets, 0.2, seed=4)[1])


def test_split_rejects_a_fraction_outside_zero_to_one() -> None:
    with pytest.raises(ValueError):
        stratified_split(np.array([0, 1]), 1.0, seed=0)


def test_full_batch_is_one_unshuffled_batch() -> None:
    for batch_size in (0, 10, 64):
        (batch,) = minibatch_indices(10, batch_size, seed=1, epoch=3)
        np.testing.assert_array_equal(batch, np.arange(10))
    assert n_batches(10, 0) == n_batches(10, 10) == 1


def test_minibatches_cover_every_sample_once_and_are_visited_in_a_new_order_each_epoch() -> None:
    epochs = [minibatch_indices(103, 16, seed=7, epoch=e) for e in range(3)]
    for batches in epochs:
        assert sorted(b.size for b in batches) == [7] + [16] * 6
        np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(103))
    # The batches are drawn once (each is one stored object); the epochs visit them in turn.
    stored = {tuple(b) for b in epochs[0]}
    assert all({tuple(b) for b in batches} == stored for batches in epochs)
    orders = [[tuple(b) for b in batches] for batches in epochs]
    assert orders[0] != orders[1] != orders[2]
    assert n_batches(103, 16) == 7


def test_minibatches_follow_the_keyed_permutations() -> None:
    stored = fixed_batches(20, 8, seed=9)
    expected = np.random.default_rng([9, 0]).permutation(20)
    np.testing.assert_array_equal(np.concatenate(stored), expected)
    np.testing.assert_array_equal(epoch_permutation(20, seed=9, epoch=0), expected)
    order = np.random.default_rng([9, 4]).permutation(3)
    np.testing.assert_array_equal(batch_order(3, seed=9, epoch=4), order)
    visited = minibatch_indices(20, 8, seed=9, epoch=4)
    np.testing.assert_array_equal(
        np.concatenate(visited), np.concatenate([stored[i] for i in order])
    )
    np.testing.assert_array_equal(batch_order(3, seed=9, epoch=0), np.arange(3))


def test_sigmoid_accuracy_thresholds_at_one_half() -> None:
    y = np.array([[1, 0, 1, 0]])
    proba = np.array([[0.9, 0.2, 0.4, 0.51]])
    result = accuracy(y, proba, "sigmoid")
    assert isinstance(result, float) and result == 0.5


def test_softmax_accuracy_compares_argmax_with_the_one_hot() -> None:
    y = one_hot(np.array([0, 2, 1]), 3)
    proba = np.array([[0.7, 0.1, 0.3], [0.2, 0.1, 0.3], [0.1, 0.8, 0.4]])
    assert accuracy(y, proba, "softmax") == pytest.approx(2 / 3)
    assert accuracy(np.array([0, 2, 1]), proba, "softmax") == pytest.approx(2 / 3)


def test_accuracy_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError):
        accuracy(np.array([[1, 0, 1]]), np.array([[0.5, 0.5]]), "sigmoid")
