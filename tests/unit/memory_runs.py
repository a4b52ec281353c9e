"""Small training runs on the in-memory stack, shared by the protocol tests."""

from typing import Any

import numpy as np

from functions.memory import InMemoryStack
from functions.training.split import split_training_data
from lnn.bench.workload import max_abs_diff
from lnn.client import StackClient
from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference
from lnn.first_layer import FirstLayer
from messages.train_request import TrainConfig

Params = list[dict[str, np.ndarray]]
RUN = "run-1"
# config()'s network with both hidden layers batch-normalized (the output layer may not be).
BATCH_NORMED_TOY = [
    {"units": 4, "activation": "relu", "batch_norm": True},
    {"units": 3, "activation": "tanh", "batch_norm": True},
    {"units": 1, "activation": "sigmoid"},
]


def toy_data(n_features: int = 3, m: int = 24, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_features, m))
    y = (x[0:1] + 0.5 * x[1:2] > 0).astype(np.float64)
    return x, y


def config(**overrides: Any) -> TrainConfig:
    """Two sharded hidden layers, mini-batches, dropout, L2 and Adam: every code path."""
    options: dict[str, Any] = dict(
        dataset="toy",
        layers=[
            {"units": 4, "activation": "relu"},
            {"units": 3, "activation": "tanh"},
            {"units": 1, "activation": "sigmoid"},
        ],
        epochs=2,
        batch_size=10,
        shards=2,
        lr=0.05,
        optimizer="adam",
        dropout=0.8,
        l2=0.1,
        holdout=0.25,
        seed=5,
    )
    options.update(overrides)
    return TrainConfig(**options)


def train(stack: InMemoryStack, cfg: TrainConfig, x: np.ndarray, y: np.ndarray) -> InMemoryStack:
    stack.submit(cfg, x, y, RUN)
    stack.run()
    return stack


def reference_result(cfg: TrainConfig, x: np.ndarray, y: np.ndarray) -> TrainingResult:
    split = split_training_data(x, y, holdout=cfg.holdout, seed=cfg.seed)
    return train_reference(cfg, split)


def reference_params(cfg: TrainConfig, x: np.ndarray, y: np.ndarray) -> Params:
    return reference_result(cfg, x, y).params


def assert_same_first_layer(got: FirstLayer, expected: FirstLayer, tolerance: float) -> None:
    """The same picture steps, with W1 within ``tolerance``. Both are float32 copies of
    float64 arrays: values within ``tolerance`` may still round one float32 step apart."""
    assert sorted(got) == sorted(expected)
    for step, w in got.items():
        np.testing.assert_allclose(
            w, expected[step], rtol=float(np.finfo(np.float32).eps), atol=tolerance
        )


def max_difference(a: Params, b: Params) -> float:
    """Largest absolute difference over every array; the layers must hold the same names."""
    assert [sorted(layer) for layer in a] == [sorted(layer) for layer in b]
    return max_abs_diff(a, b)


def running_averages_moved(params: Params) -> bool:
    """Whether every batch-normalized layer's running averages left their start (0 and 1):
    a model they are compared in, byte for byte, then says something about them."""
    normalized = [layer for layer in params if "running_mean" in layer]
    return bool(normalized) and all(
        np.all(layer["running_mean"] != 0.0) and np.all(layer["running_var"] != 1.0)
        for layer in normalized
    )


class MemoryClient(StackClient):
    """The user's side of an in-memory stack: StackClient's own methods over its ports."""

    def __init__(self, stack: InMemoryStack) -> None:  # no AWS behind it
        self.store, self.ledger = stack.store, stack.ledger
        self.barriers, self.bus = stack.barriers, stack.bus
