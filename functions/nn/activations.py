"""Activation functions g(z) and their backward pass dz = da * g'(z)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from functions.nn.exceptions import UnknownActivationError
from functions.nn.types import Array


class Activation(ABC):
    """Element-wise (or, for softmax, per-column) nonlinearity."""

    name: ClassVar[str]

    @abstractmethod
    def forward(self, z: Array) -> Array:
        """a = g(z)."""

    @abstractmethod
    def backward(self, z: Array, a: Array, da: Array) -> Array:
        """dz = da * g'(z); ``a`` is forward(z), passed so it can be reused."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    name = "sigmoid"

    def forward(self, z: Array) -> Array:
        # exp(-|z|) never overflows, and each branch is exact on its side of 0.
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def backward(self, z: Array, a: Array, da: Array) -> Array:
        return da * a * (1.0 - a)


class Tanh(Activation):
    name = "tanh"

    def forward(self, z: Array) -> Array:
        return np.tanh(z)

    def backward(self, z: Array, a: Array, da: Array) -> Array:
        return da * (1.0 - a * a)


class ReLU(Activation):
    name = "relu"

    def forward(self, z: Array) -> Array:
        return np.maximum(z, 0.0)

    def backward(self, z: Array, a: Array, da: Array) -> Array:
        return np.where(z > 0, da, 0.0)


class LeakyReLU(Activation):
    name = "leaky_relu"
    slope: ClassVar[float] = 0.01

    def forward(self, z: Array) -> Array:
        return np.where(z > 0, z, self.slope * z)

    def backward(self, z: Array, a: Array, da: Array) -> Array:
        return np.where(z > 0, da, self.slope * da)


class Linear(Activation):
    name = "linear"

    def forward(self, z: Array) -> Array:
        return np.array(z, dtype=np.float64, copy=True)

    def backward(self, z: Array, a: Array, da: Array) -> Array:
        return np.array(da, dtype=np.float64, copy=True)


class Softmax(Activation):
    """Softmax over axis 0 (the units of a layer), one distribution per column."""

    name = "softmax"

    def forward(self, z: Array) -> Array:
        e = np.exp(z - np.max(z, axis=0, keepdims=True))
        return e / np.sum(e, axis=0, keepdims=True)

    def backward(self, z: Array, a: Array, da: Array) -> Array:
        # Jacobian-vector product: J = diag(a) - a a^T per column.
        return a * (da - np.sum(da * a, axis=0, keepdims=True))


_REGISTRY: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Linear, Softmax)
}
ACTIVATION_NAMES: tuple[str, ...] = tuple(_REGISTRY)


def get_activation(name: str) -> Activation:
    """The activation called ``name``; raises UnknownActivationError otherwise."""
    try:
        return _REGISTRY[name]()
    except (KeyError, TypeError) as exc:
        raise UnknownActivationError(name, ACTIVATION_NAMES) from exc


__all__ = [
    "ACTIVATION_NAMES",
    "Activation",
    "LeakyReLU",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "get_activation",
]
