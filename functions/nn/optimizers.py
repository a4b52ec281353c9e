"""Parameter updates with explicit state, so a shard can save it in an .npz.

``update`` is pure: it returns new params and state and never mutates its inputs.
Conventions follow the deeplearning.ai course (EMA moments, Adam bias correction).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from functions.nn.exceptions import NNError, UnknownOptimizerError
from functions.nn.types import Array, StateDict

Moments = dict[str, Array]


class Optimizer(ABC):
    name: ClassVar[str]
    # Per-parameter moments kept in the state, e.g. ("v", "s") -> keys "v_W", "s_W".
    moments: ClassVar[tuple[str, ...]] = ()

    def init_state(self, params: Mapping[str, Array]) -> StateDict:
        """Zero moments shaped like each parameter ({} for plain gradient descent)."""
        return {f"{m}_{k}": np.zeros(np.shape(p)) for k, p in params.items() for m in self.moments}

    def update(
        self,
        params: Mapping[str, Array],
        grads: Mapping[str, Array],
        state: Mapping[str, Array],
        *,
        lr: float,
        step: int,
    ) -> tuple[dict[str, Array], StateDict]:
        """(new params, new state); ``step`` is the 1-based global update count."""
        if step < 1:
            raise NNError(f"optimizer step is 1-based, got {step}")
        new_params: dict[str, Array] = {}
        new_state: StateDict = {}
        for k, p in params.items():
            try:
                g = grads[k]
                old = {m: state[f"{m}_{k}"] for m in self.moments}
            except KeyError as exc:
                raise NNError(f"{self.name}: missing gradient or state {exc}") from exc
            new_params[k], new = self._apply(p, g, old, lr, step)
            new_state.update({f"{m}_{k}": v for m, v in new.items()})
        return new_params, new_state

    @abstractmethod
    def _apply(
        self, p: Array, g: Array, old: Moments, lr: float, step: int
    ) -> tuple[Array, Moments]:
        """One parameter's new value and its new moments (new arrays only)."""


def _check_beta(name: str, value: float) -> None:
    if not 0.0 <= value < 1.0:
        raise NNError(f"{name} must be in [0, 1), got {value}")


def _check_epsilon(value: float) -> None:
    if not value > 0.0:
        raise NNError(f"epsilon must be positive, got {value}")


@dataclass(frozen=True)
class GradientDescent(Optimizer):
    name = "gd"

    def _apply(
        self, p: Array, g: Array, old: Moments, lr: float, step: int
    ) -> tuple[Array, Moments]:
        return p - lr * g, {}


@dataclass(frozen=True)
class Momentum(Optimizer):
    beta1: float = 0.9
    name = "momentum"
    moments = ("v",)

    def __post_init__(self) -> None:
        _check_beta("beta1", self.beta1)

    def _apply(
        self, p: Array, g: Array, old: Moments, lr: float, step: int
    ) -> tuple[Array, Moments]:
        v = self.beta1 * old["v"] + (1.0 - self.beta1) * g
        return p - lr * v, {"v": v}


@dataclass(frozen=True)
class RMSprop(Optimizer):
    beta2: float = 0.999
    epsilon: float = 1e-8
    name = "rmsprop"
    moments = ("s",)

    def __post_init__(self) -> None:
        _check_beta("beta2", self.beta2)
        _check_epsilon(self.epsilon)

    def _apply(
        self, p: Array, g: Array, old: Moments, lr: float, step: int
    ) -> tuple[Array, Moments]:
        s = self.beta2 * old["s"] + (1.0 - self.beta2) * g * g
        return p - lr * g / (np.sqrt(s) + self.epsilon), {"s": s}


@dataclass(frozen=True)
class Adam(Optimizer):
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    name = "adam"
    moments = ("v", "s")

    def __post_init__(self) -> None:
        _check_beta("beta1", self.beta1)
        _check_beta("beta2", self.beta2)
        _check_epsilon(self.epsilon)

    def _apply(
        self, p: Array, g: Array, old: Moments, lr: float, step: int
    ) -> tuple[Array, Moments]:
        v = self.beta1 * old["v"] + (1.0 - self.beta1) * g
        s = self.beta2 * old["s"] + (1.0 - self.beta2) * g * g
        v_hat = v / (1.0 - self.beta1**step)
        s_hat = s / (1.0 - self.beta2**step)
        return p - lr * v_hat / (np.sqrt(s_hat) + self.epsilon), {"v": v, "s": s}


OPTIMIZER_NAMES: tuple[str, ...] = ("gd", "momentum", "rmsprop", "adam")


def make_optimizer(
    name: str, *, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8
) -> Optimizer:
    """The optimizer called ``name``, given only the hyperparameters it uses."""
    if name == "gd":
        return GradientDescent()
    if name == "momentum":
        return Momentum(beta1=beta1)
    if name == "rmsprop":
        return RMSprop(beta2=beta2, epsilon=epsilon)
    if name == "adam":
        return Adam(beta1=beta1, beta2=beta2, epsilon=epsilon)
    raise UnknownOptimizerError(name, OPTIMIZER_NAMES)


__all__ = [
    "OPTIMIZER_NAMES",
    "Adam",
    "GradientDescent",
    "Momentum",
    "Optimizer",
    "RMSprop",
    "make_optimizer",
]
