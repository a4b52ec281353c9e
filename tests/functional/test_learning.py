"""Acceptance: the reference engine learns what the course and scikit-learn say it should.

Marked `slow` for selection only (`-m slow`); pyproject's addopts deselect `localstack`, not
`slow`, so these run in CI by default.
"""

import statistics
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from functions.training.split import DataSplit
from lnn.cli.options import parse_layers
from lnn.datasets import load_dataset
from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference
from lnn.prepare import prepare, split
from messages.train_request import TrainConfig

pytestmark = pytest.mark.slow


def fit(
    dataset: str, layers: str, *, data_options: dict | None = None, **hyper: object
) -> tuple[TrainingResult, DataSplit]:
    """What `lnn train --engine reference` does, minus the files."""
    data = load_dataset(dataset, **(data_options or {}))
    config = TrainConfig(dataset=dataset, layers=parse_layers(layers), **hyper)
    prepared = prepare(data, [layer.model_dump() for layer in config.layers])
    columns = split(prepared, holdout=config.holdout, seed=config.seed)
    return train_reference(config, columns), columns


def test_cat_four_layers_as_in_the_course(course_cat: Path) -> None:
    # The course's [12288, 20, 7, 5, 1], lr 0.0075, 2,500 full-batch epochs, and its
    # initialization for this network, randn / sqrt(n_in): our "xavier". It needs the
    # real images (see tests/conftest.py); they are read from $LNN_DATA_DIR.
    layers, init = "20:relu,7:relu,5:relu,1:sigmoid", "xavier"
    runs = {
        seed: fit("cat", layers, lr=0.0075, epochs=2500, init=init, seed=seed)[0]
        for seed in range(5)
    }
    table = {seed: (r.train_accuracy, r.test_accuracy) for seed, r in runs.items()}
    assert all(train >= 0.98 for train, _ in table.values()), (init, table)
    assert statistics.median(test for _, test in table.values()) >= 0.72, (init, table)


def test_flower_one_hidden_tanh_layer() -> None:
    result, _ = fit("flower", "4:tanh,1:sigmoid", lr=1.2, epochs=2000)
    assert result.train_accuracy >= 0.88


def test_breast_cancer_matches_scikit_learn_logistic_regression() -> None:
    # --l2 1 makes our cost (1/m)(sum of log losses) + (1/2m)|W|^2, which is scikit-learn's
    # default objective (C=1, intercept unpenalized) divided by m: both aim at one minimizer.
    # Unpenalized, this nearly separable data has no finite optimum and the answer would
    # depend on when each solver stops.
    result, split = fit("breast_cancer", "1:sigmoid", holdout=0.2, lr=1.0, epochs=2000, l2=1.0)
    sklearn = LogisticRegression(C=1.0, max_iter=10_000)
    sklearn.fit(split.x_train.T, split.y_train[0])
    assert split.x_dev is not None and split.y_dev is not None
    assert abs(result.dev_accuracy - sklearn.score(split.x_dev.T, split.y_dev[0])) <= 0.01
    w, b = result.params[0]["W"], result.params[0]["b"]
    np.testing.assert_allclose(w[0], sklearn.coef_[0], atol=0.05)
    assert b[0, 0] == pytest.approx(sklearn.intercept_[0], abs=0.05)


def test_digits_softmax_with_adam() -> None:
    result, _ = fit(
        "digits",
        "32:relu,10:softmax",
        holdout=0.2,
        optimizer="adam",
        lr=0.01,
        batch_size=64,
        epochs=30,
    )
    assert result.dev_accuracy >= 0.95


def test_moons_mini_batch_adam() -> None:
    result, _ = fit(
        "moons",
        "5:relu,2:relu,1:sigmoid",
        data_options={"samples": 300, "noise": 0.2},
        optimizer="adam",
        lr=0.01,
        batch_size=64,
        epochs=300,
    )
    assert result.train_accuracy >= 0.93
