"""The cat network written as the plain course loop: the yardstick the engines are timed against.

Deliberately independent of ``functions.training``: only the initial draw is shared, so that
a difference in the final models points at the engines' arithmetic, not at the starting point.
"""

from dataclasses import dataclass

import numpy as np

from functions.nn.types import Array, Params
from functions.training.config import initial_params
from messages.train_request import TrainConfig


class UnsupportedConfigError(ValueError):
    """The plain loop covers the course network only (ReLU hidden, sigmoid out, full-batch GD)."""


@dataclass(frozen=True)
class NumpyRun:
    params: Params
    costs: list[float]


def _check_supported(config: TrainConfig) -> None:
    hidden = {layer.activation for layer in config.layers[:-1]}
    output = config.layers[-1]
    problems = [
        "hidden layers must be relu" if hidden - {"relu"} else "",
        "the output must be 1:sigmoid"
        if (output.units, output.activation) != (1, "sigmoid")
        else "",
        "only full-batch plain gd" if config.batch_size or config.optimizer != "gd" else "",
        "no l2, dropout or lr decay" if config.l2 or config.dropout < 1 or config.lr_decay else "",
        "no batch norm" if any(layer.batch_norm for layer in config.layers) else "",
    ]
    reasons = [p for p in problems if p]
    if reasons:
        raise UnsupportedConfigError(f"numpy loop: {'; '.join(reasons)}")


def sigmoid(z: Array) -> Array:
    # 1 / (1 + exp(-z)) overflows for very negative z and rounds differently there than the
    # engines' formula; long runs amplify that last bit, so use the same exact-per-side form.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def train_numpy(config: TrainConfig, x: Array, y: Array) -> NumpyRun:
    """``config.epochs`` full-batch gradient-descent steps on x (n_x, m), y (1, m)."""
    _check_supported(config)
    params = initial_params(config, x.shape[0])
    weights = [layer["W"] for layer in params]
    biases = [layer["b"] for layer in params]
    depth, m, lr = len(weights), x.shape[1], config.lr
    costs = []
    for _ in range(config.epochs):
        inputs, zs = [x], []
        for layer in range(depth):
            z = weights[layer] @ inputs[-1] + biases[layer]
            zs.append(z)
            if layer < depth - 1:
                inputs.append(np.maximum(z, 0.0))
        a_out = sigmoid(zs[-1])
        costs.append(float(-np.sum(y * np.log(a_out) + (1 - y) * np.log(1 - a_out)) / m))
        # sigmoid + cross-entropy: dZ of the output is simply A - Y.
        dz = a_out - y
        for layer in reversed(range(depth)):
            dw = dz @ inputs[layer].T / m
            db = np.sum(dz, axis=1, keepdims=True) / m
            if layer > 0:
                dz = (weights[layer].T @ dz) * (zs[layer - 1] > 0)
            weights[layer] = weights[layer] - lr * dw
            biases[layer] = biases[layer] - lr * db
    return NumpyRun([{"W": w, "b": b} for w, b in zip(weights, biases, strict=True)], costs)
