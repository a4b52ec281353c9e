"""A network's layers as a user writes them: ``"20:relu,7:relu,1:sigmoid"``. One syntax for
``--layers`` (lnn.cli.options) and for the layers a sweep searches (lnn.sweep.search)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from messages.vocabulary import ACTIVATION_NAMES

__all__ = ["LayersTextError", "layers_text", "parse_layers"]

_LAYER = re.compile(r"^\s*(\d+)\s*:\s*([a-z_]+)\s*$")


class LayersTextError(ValueError):
    """Layers text that does not parse; the message names the layer and what was expected."""


class _Layer(Protocol):
    units: int
    activation: str


def parse_layers(text: str) -> list[dict[str, object]]:
    """``"20:relu,1:sigmoid"`` -> ``[{"units": 20, "activation": "relu"}, ...]``."""
    layers = []
    for position, part in enumerate(text.split(","), start=1):
        match = _LAYER.match(part)
        if not match:
            raise LayersTextError(
                f"layer {position} is {part.strip()!r}; expected UNITS:ACTIVATION "
                'as in "20:relu,7:relu,1:sigmoid"'
            )
        units, activation = int(match.group(1)), match.group(2)
        if activation not in ACTIVATION_NAMES:
            raise LayersTextError(
                f"layer {position} has unknown activation {activation!r} "
                f"(choose from {', '.join(ACTIVATION_NAMES)})"
            )
        layers.append({"units": units, "activation": activation})
    return layers


def layers_text(layers: Iterable[_Layer]) -> str:
    """The option text of parsed layers (a TrainConfig's): the inverse of parse_layers."""
    return ",".join(f"{layer.units}:{layer.activation}" for layer in layers)
