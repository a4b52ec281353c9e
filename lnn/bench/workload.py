"""The benchmarked workload: the course's 4-layer cat network on the cat images."""

from dataclasses import dataclass

import numpy as np

from functions.nn.types import Params
from functions.training.split import DataSplit, split_training_data
from lnn.datasets import load_dataset
from lnn.prepare import PreparedData, prepare
from messages.train_request import TrainConfig

CAT_LAYERS: list[dict[str, object]] = [
    {"units": units, "activation": activation}
    for units, activation in ((20, "relu"), (7, "relu"), (5, "relu"), (1, "sigmoid"))
]
_CAT_LR = 0.0075


@dataclass(frozen=True)
class CatData:
    data: PreparedData
    split: DataSplit
    shards: int = 1  # per layer, for the message-passing engines
    classes: tuple[str, ...] = ()  # the dataset's names of its labels (non-cat, cat)

    def config(self, epochs: int) -> TrainConfig:
        # One evaluation, after the last epoch: the numpy loop it is timed against evaluates
        # nothing, so the engines' time is their training steps.
        return TrainConfig(
            dataset="cat",
            layers=CAT_LAYERS,
            epochs=epochs,
            lr=_CAT_LR,
            seed=1,
            shards=self.shards,
            eval_every=0,
        )


def load_cat(shards: int = 1) -> CatData:
    """The cat images from $LNN_DATA_DIR; a missing file raises the dataset's one-line error."""
    dataset = load_dataset("cat")
    data = prepare(dataset, CAT_LAYERS)
    split = split_training_data(
        data.x, data.y, holdout=0.0, seed=1, x_test=data.x_test, y_test=data.y_test
    )
    return CatData(data, split, shards, dataset.classes)


@dataclass(frozen=True)
class MissingCat:
    """No cat data here ($LNN_DATA_DIR): a case that can go without it says so in one line;
    ``shards`` as CatData's."""

    reason: str
    shards: int = 1


def same_bytes(a: Params, b: Params) -> bool:
    """Two models byte for byte: the same arrays by name in each layer (W, b or W, gamma,
    beta and the running averages), each of the same bytes."""
    return [sorted(layer) for layer in a] == [sorted(layer) for layer in b] and all(
        layer_a[name].tobytes() == layer_b[name].tobytes()
        for layer_a, layer_b in zip(a, b, strict=True)
        for name in layer_a
    )


def max_abs_diff(a: Params, b: Params) -> float:
    """Largest absolute difference over every array of two models of the same shape."""
    return max(
        float(np.max(np.abs(layer_a[name] - layer_b[name])))
        for layer_a, layer_b in zip(a, b, strict=True)
        for name in layer_a
    )
