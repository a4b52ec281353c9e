"""LayerSpec: the width, activation and normalization of one dense layer, checked when made."""

from __future__ import annotations

from dataclasses import dataclass

from functions.nn.activations import get_activation
from functions.nn.batchnorm import BETA, RUNNING, TRAINED, BatchNorm
from functions.nn.exceptions import NNError

BIAS = "b"


@dataclass(frozen=True)
class LayerSpec:
    units: int
    activation: str
    norm: BatchNorm | None = None  # batch normalization of Z before the activation

    def __post_init__(self) -> None:
        if isinstance(self.units, bool) or not isinstance(self.units, int) or self.units < 1:
            raise NNError(f"a layer needs a positive integer number of units, got {self.units!r}")
        get_activation(self.activation)  # raises UnknownActivationError

    @property
    def trained(self) -> tuple[str, ...]:
        """The arrays the optimizer updates: W and b, or W, gamma and beta (beta does the
        bias's work, so a normalized layer has none)."""
        return ("W", *TRAINED) if self.norm else ("W", BIAS)

    @property
    def bias_name(self) -> str:
        """The array added to each unit just before its activation: b, or beta."""
        return BETA if self.norm else BIAS

    @property
    def names(self) -> tuple[str, ...]:
        """Every array of the layer's parameters, the running averages included."""
        return (*self.trained, *RUNNING) if self.norm else self.trained


__all__ = ["BIAS", "LayerSpec"]
