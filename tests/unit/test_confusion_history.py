"""Each evaluation's confusion matrices: computed with the accuracies, stored in the history
the same on the in-memory stack as in the reference engine, and small enough for DynamoDB."""

import numpy as np
import pytest
from memory_runs import RUN, config, toy_data, train

from functions.aws.ledger import _history_sort_key, _serialize, partition_key
from functions.memory import InMemoryStack
from functions.telemetry import class_counts
from functions.training.evaluation import pass_sums
from functions.training.layout import EvalPass, Segment
from functions.training.split import split_training_data
from lnn.engines.reference import train_reference
from lnn.estimate.dynamodb import item_size
from messages.limits import TELEMETRY_MAX_CLASSES
from messages.status import HistoryEntry
from messages.tasks import EvalMetrics

CASES = {
    "sigmoid": {"eval_every": 1},
    "softmax": {
        "layers": [
            {"units": 5, "activation": "leaky_relu"},
            {"units": 3, "activation": "softmax"},
        ],
        "shards": 3,
    },
}


def _data(overrides: dict) -> tuple[np.ndarray, np.ndarray]:
    x, y = toy_data(m=40)
    if "layers" in overrides:  # three classes from the two features' signs
        label = (x[0] > 0).astype(int) + (x[1] > 0.5).astype(int)
        y = np.eye(3)[label].T
    return x, y


@pytest.mark.parametrize("overrides", list(CASES.values()), ids=list(CASES))
def test_the_stack_stores_the_reference_engines_confusion_history(overrides: dict) -> None:
    x, y = _data(overrides)
    cfg = config(epochs=3, **overrides)
    stack = train(InMemoryStack(), cfg, x, y)
    split = split_training_data(x, y, holdout=cfg.holdout, seed=cfg.seed)
    reference = train_reference(cfg, split).history
    stored = stack.ledger.history(RUN)
    assert [e.model_dump() for e in stored] == [e.model_dump() for e in reference]
    evaluated = [e for e in stored if e.train_accuracy is not None]
    assert evaluated and all(e.dev_confusion is not None for e in evaluated)
    k = max(2, y.shape[0])
    sizes = {"train": split.x_train.shape[1], "dev": split.x_dev.shape[1]}
    for entry in evaluated:
        for name, accuracy in (("train", entry.train_accuracy), ("dev", entry.dev_accuracy)):
            matrix = np.array(getattr(entry, f"{name}_confusion"))
            assert matrix.shape == (k, k) and matrix.sum() == sizes[name]
            assert np.trace(matrix) / matrix.sum() == pytest.approx(accuracy, abs=1e-12)
        assert entry.test_confusion is None  # the run has no test split
    # Epochs without an evaluation keep neither accuracies nor matrices.
    assert all(e.train_confusion is None for e in stored if e.train_accuracy is None)


def evaluate_outputs(
    z: np.ndarray, y: np.ndarray, sizes: tuple[int, int, int], activation: str, **l2: float
) -> EvalMetrics:
    """One evaluation pass over train, dev and test side by side."""
    names = ("train", "dev", "test")
    segments = tuple(Segment(n, 0, 1, size) for n, size in zip(names, sizes, strict=True) if size)
    return pass_sums(z, y, EvalPass(segments), activation).metrics(activation, **l2)


def test_an_evaluation_counts_like_telemetrys_class_counts() -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(size=(4, 30))
    y = np.eye(4)[rng.integers(0, 4, 30)].T
    result = evaluate_outputs(z, y, (20, 6, 4), "softmax", l2=0.0, weight_sq_sum=0.0)
    a = np.exp(z) / np.exp(z).sum(axis=0)
    for matrix, cols in (
        (result.train_confusion, slice(0, 20)),
        (result.dev_confusion, slice(20, 26)),
        (result.test_confusion, slice(26, 30)),
    ):
        assert matrix is not None
        expected = class_counts(y[:, cols], a[:, cols], "softmax").confusion
        assert np.array_equal(np.array(matrix), expected)


def test_no_matrices_for_a_regression_or_beyond_the_classes_counted() -> None:
    z = np.zeros((1, 5))
    linear = evaluate_outputs(z, z, (5, 0, 0), "linear", l2=0.0, weight_sq_sum=0.0)
    assert linear.train_confusion is None and linear.train_accuracy is None
    k = TELEMETRY_MAX_CLASSES + 1
    y = np.eye(k)[:, np.arange(2 * k) % k]
    wide = evaluate_outputs(
        np.zeros((k, 2 * k)), y, (2 * k, 0, 0), "softmax", l2=0, weight_sq_sum=0
    )
    assert wide.train_accuracy is not None and wide.train_confusion is None


def _item_bytes(entry: HistoryEntry) -> int:
    keys = {"pk": partition_key("r" * 32), "sk": _history_sort_key(entry.epoch)}
    return item_size(_serialize({**keys, **entry.model_dump(mode="json", exclude_none=True)}))


def test_history_items_stay_small_in_dynamodb() -> None:
    """messages/status.py states these sizes next to HistoryEntry."""

    def matrix(k: int, samples: int) -> list[list[int]]:
        # Counts spread over every cell: the most digits, the largest item.
        return np.full((k, k), samples // (k * k)).tolist()

    bare = HistoryEntry(epoch=20, cost=0.1234567, train_accuracy=0.9, dev_accuracy=0.8)
    digits = bare.model_copy(
        update={f"{s}_confusion": matrix(10, n) for s, n in (("train", 1400), ("dev", 400))}
        | {"test_confusion": matrix(10, 400)}
    )
    assert _item_bytes(bare) <= 130
    assert _item_bytes(digits) <= 1300  # about 26 KB for 20 evaluations
    k = TELEMETRY_MAX_CLASSES
    widest = bare.model_copy(
        update={f"{s}_confusion": matrix(k, 10**9) for s in ("train", "dev", "test")}
    )
    assert _item_bytes(widest) < 16_000  # DynamoDB holds 400 KB


def test_a_history_entry_refuses_a_matrix_that_is_not_square() -> None:
    with pytest.raises(ValueError, match="k x k"):
        HistoryEntry(epoch=1, cost=0.5, train_confusion=[[1, 2], [3, 4, 5]])
    with pytest.raises(ValueError, match="differ in size"):
        HistoryEntry(
            epoch=1, cost=0.5, train_confusion=[[1, 0], [0, 1]], dev_confusion=[[1] * 3] * 3
        )
