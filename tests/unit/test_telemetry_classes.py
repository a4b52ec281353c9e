"""Per-class counts at the loss stage against hand-counted confusion matrices."""

import numpy as np
import pytest

from functions.nn.data import accuracy
from functions.telemetry import TELEMETRY_VERSION, ClassCounts, class_counts, merge_class_counts


def test_sigmoid_output_by_hand() -> None:
    y = np.array([[1.0, 0.0, 1.0, 1.0, 0.0]])
    a = np.array([[0.9, 0.6, 0.4, 0.51, 0.5]])  # 0.5 itself is class 0, as in accuracy()
    c = class_counts(y, a, "sigmoid")
    np.testing.assert_array_equal(c.confusion, [[1, 1], [1, 2]])
    np.testing.assert_array_equal(c.true, [2, 3])
    np.testing.assert_array_equal(c.predicted, [2, 3])
    np.testing.assert_array_equal(c.correct, [1, 2])
    assert c.accuracy == accuracy(y, a, "sigmoid") == 0.6


def test_softmax_output_by_hand() -> None:
    y = np.eye(3)[:, [0, 1, 2, 2, 1, 0]]
    guesses = [0, 2, 2, 1, 1, 1]
    a = np.full((3, 6), 0.1)
    a[guesses, np.arange(6)] = 0.8
    c = class_counts(y, a, "softmax")
    np.testing.assert_array_equal(c.confusion, [[1, 1, 0], [0, 1, 1], [0, 1, 1]])
    np.testing.assert_array_equal(c.true, [2, 2, 2])
    np.testing.assert_array_equal(c.predicted, [1, 3, 2])
    np.testing.assert_array_equal(c.correct, [1, 1, 1])
    assert c.accuracy == accuracy(y, a, "softmax") == 0.5


def test_batches_add_up() -> None:
    rng = np.random.default_rng(1)
    y = np.eye(4)[:, rng.integers(0, 4, 30)]
    a = rng.random((4, 30))
    merged = merge_class_counts([class_counts(y[:, :10], a[:, :10], "softmax"),
                                 class_counts(y[:, 10:], a[:, 10:], "softmax")])  # fmt: skip
    assert merged == class_counts(y, a, "softmax")
    assert merged.confusion.sum() == 30


def test_rejects_regression_and_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="regression"):
        class_counts(np.zeros((1, 3)), np.zeros((1, 3)), "linear")
    with pytest.raises(ValueError, match="must be"):
        class_counts(np.zeros((1, 3)), np.zeros((1, 4)), "sigmoid")
    with pytest.raises(ValueError, match="k x k"):
        ClassCounts(np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="one number of classes"):
        merge_class_counts([ClassCounts(np.eye(2)), ClassCounts(np.eye(3))])


def test_document_round_trip() -> None:
    c = class_counts(np.eye(3)[:, [0, 1, 2]], np.eye(3)[:, [0, 2, 2]], "softmax")
    doc = c.to_document()
    assert doc == {"v": TELEMETRY_VERSION, "confusion": [[1, 0, 0], [0, 0, 1], [0, 0, 1]]}
    assert ClassCounts.from_document(doc) == c
