"""LayerSpec: the width and activation of one dense layer, checked when it is made."""

from __future__ import annotations

from dataclasses import dataclass

from functions.nn.activations import get_activation
from functions.nn.exceptions import NNError


@dataclass(frozen=True)
class LayerSpec:
    units: int
    activation: str

    def __post_init__(self) -> None:
        if isinstance(self.units, bool) or not isinstance(self.units, int) or self.units < 1:
            raise NNError(f"a layer needs a positive integer number of units, got {self.units!r}")
        get_activation(self.activation)  # raises UnknownActivationError


__all__ = ["LayerSpec"]
