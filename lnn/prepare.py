"""From a loaded dataset (samples in rows, raw labels) to the column-major targets a network's
output layer expects, checked against the architecture so mismatches fail before training."""

from dataclasses import dataclass

import numpy as np

from functions.nn.data import feature_dtype, one_hot
from functions.nn.types import Array
from functions.training.checks import TrainingDataError, check_training_data
from functions.training.split import DataSplit, SplitSource, split_sources, split_training_data
from lnn.datasets import Dataset
from messages.train_request import TrainConfig


class DataMismatchError(ValueError):
    """The data does not fit the network (its targets, its output layer), or the trainer
    would refuse it; the message is one line."""


@dataclass(frozen=True)
class PreparedData:
    """Column-major training (and optional test) arrays: x is (n_features, m)."""

    x: Array
    y: Array
    x_test: Array | None
    y_test: Array | None


def _encode_targets(labels: np.ndarray, *, units: int, activation: str, n_classes: int) -> Array:
    """Raw labels (m,) -> targets (units, m) for the output layer."""
    labels = np.asarray(labels)
    if n_classes == 0 and activation in ("sigmoid", "softmax"):
        raise DataMismatchError(
            f"the dataset's targets are continuous (regression) but the output layer is "
            f"{units}:{activation}; use 1:linear"
        )
    if activation == "softmax" or (units > 1 and n_classes > 0):
        if n_classes > units:
            raise DataMismatchError(
                f"the dataset has {n_classes} classes but the output layer has {units} units; "
                f"use {n_classes}:softmax"
            )
        return one_hot(labels.astype(np.int64), units)
    if units != 1:
        raise DataMismatchError(
            f"the output layer has {units} units but the targets have one column; "
            f"use 1:{activation}"
        )
    if activation == "sigmoid" and n_classes > 2:
        raise DataMismatchError(
            f"the dataset has {n_classes} classes; a 1:sigmoid output needs 2, "
            f"use {n_classes}:softmax"
        )
    return labels.astype(np.float64).reshape(1, -1)


def prepare(dataset: Dataset, layers: list[dict[str, object]]) -> PreparedData:
    output = layers[-1]
    units, activation = int(output["units"]), str(output["activation"])

    def targets(labels: np.ndarray) -> Array:
        return _encode_targets(
            labels, units=units, activation=activation, n_classes=dataset.n_classes
        )

    x_test = y_test = None
    if dataset.x_test is not None and dataset.y_test is not None:
        x_test = np.ascontiguousarray(dataset.x_test.T, dtype=feature_dtype(dataset.x_test))
        y_test = targets(dataset.y_test)
    data = PreparedData(
        x=np.ascontiguousarray(dataset.x_train.T, dtype=feature_dtype(dataset.x_train)),
        y=targets(dataset.y_train),
        x_test=x_test,
        y_test=y_test,
    )
    _check_prepared(data, activation)
    return data


def _check_prepared(data: PreparedData, activation: str) -> None:
    """DataMismatchError for data the trainer would refuse: the same check, run here so
    that no engine uploads or trains on it."""
    try:
        check_training_data(data.x, data.y, activation=activation)
        check_training_data(data.x_test, data.y_test, activation=activation, suffix="_test")
    except TrainingDataError as exc:
        raise DataMismatchError(str(exc)) from exc


def sources(data: PreparedData, config: TrainConfig) -> dict[str, SplitSource]:
    """The run's train/dev/test splits as columns of ``data``, as a client uploads them."""
    return split_sources(
        data.x,
        data.y,
        holdout=config.holdout,
        seed=config.seed,
        x_test=data.x_test,
        y_test=data.y_test,
    )


def split(data: PreparedData, *, holdout: float, seed: int) -> DataSplit:
    """The run's train/dev/test columns, as the trainer Lambda will split them."""
    return split_training_data(
        data.x, data.y, holdout=holdout, seed=seed, x_test=data.x_test, y_test=data.y_test
    )
