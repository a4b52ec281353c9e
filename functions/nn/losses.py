"""Losses: cost (mean over the m columns) and the per-sample gradient dA."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from functions.nn.activations import Activation, get_activation
from functions.nn.exceptions import UnknownLossError
from functions.nn.types import Array

# Keeps log(a) and 1/a finite when an output saturates to exactly 0 or 1.
_EPS = 1e-12


class Loss(ABC):
    """A loss L(y, a); ``z`` (the logits) lets paired losses stay stable."""

    name: ClassVar[str]

    @abstractmethod
    def cost(self, y: Array, a: Array, z: Array | None = None) -> float:
        """Mean loss over the m columns."""

    @abstractmethod
    def grad(self, y: Array, a: Array, z: Array | None = None) -> Array:
        """dL/da per sample (not divided by m)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class BinaryCrossEntropy(Loss):
    """Cross-entropy of sigmoid outputs; assumes a = sigmoid(z)."""

    name = "binary_cross_entropy"

    def cost(self, y: Array, a: Array, z: Array | None = None) -> float:
        m = y.shape[1]
        if z is not None:
            # -y log s(z) - (1-y) log(1-s(z)) == softplus(z) - y z, finite for any z.
            return float(np.sum(np.logaddexp(0.0, z) - y * z) / m)
        ac = np.clip(a, _EPS, 1.0 - _EPS)
        return float(-np.sum(y * np.log(ac) + (1.0 - y) * np.log(1.0 - ac)) / m)

    def grad(self, y: Array, a: Array, z: Array | None = None) -> Array:
        ac = np.clip(a, _EPS, 1.0 - _EPS)
        return -(y / ac) + (1.0 - y) / (1.0 - ac)


class CategoricalCrossEntropy(Loss):
    """Cross-entropy of softmax outputs (units on axis 0); assumes a = softmax(z)."""

    name = "categorical_cross_entropy"

    def cost(self, y: Array, a: Array, z: Array | None = None) -> float:
        m = y.shape[1]
        if z is not None:
            shifted = z - np.max(z, axis=0, keepdims=True)
            log_a = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
        else:
            log_a = np.log(np.clip(a, _EPS, 1.0))
        return float(-np.sum(y * log_a) / m)

    def grad(self, y: Array, a: Array, z: Array | None = None) -> Array:
        return -y / np.clip(a, _EPS, 1.0)


class MeanSquaredError(Loss):
    """(1/m) * sum 0.5 (a - y)^2, so that dA = a - y."""

    name = "mean_squared_error"

    def cost(self, y: Array, a: Array, z: Array | None = None) -> float:
        return float(0.5 * np.sum((a - y) ** 2) / y.shape[1])

    def grad(self, y: Array, a: Array, z: Array | None = None) -> Array:
        return a - y


_REGISTRY: dict[str, type[Loss]] = {
    cls.name: cls for cls in (BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError)
}
LOSS_NAMES: tuple[str, ...] = tuple(_REGISTRY)
_PAIRED = {"sigmoid": BinaryCrossEntropy, "softmax": CategoricalCrossEntropy}
# (activation, loss) pairs whose output dZ is A - Y, whatever the activation's derivative.
FUSED_PAIRS = frozenset(
    {("sigmoid", BinaryCrossEntropy.name), ("softmax", CategoricalCrossEntropy.name)}
)


def get_loss(name: str) -> Loss:
    """The loss called ``name``; raises UnknownLossError otherwise."""
    try:
        return _REGISTRY[name]()
    except (KeyError, TypeError) as exc:
        raise UnknownLossError(name, LOSS_NAMES) from exc


def loss_for_output(activation_name: str) -> Loss:
    """sigmoid -> BCE, softmax -> CCE, any other (valid) activation -> MSE."""
    get_activation(activation_name)  # reject typos rather than silently using MSE
    return _PAIRED.get(activation_name, MeanSquaredError)()


def output_delta(loss: Loss, activation: Activation, y: Array, a: Array, z: Array) -> Array:
    """dZ of the output layer; the fused a - y where the pair allows it."""
    if (activation.name, loss.name) in FUSED_PAIRS:
        return a - y
    return activation.backward(z, a, loss.grad(y, a, z))


__all__ = [
    "FUSED_PAIRS",
    "LOSS_NAMES",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "Loss",
    "MeanSquaredError",
    "get_loss",
    "loss_for_output",
    "output_delta",
]
