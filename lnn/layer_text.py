"""A network's layers as a user writes them: ``"20:relu,7:relu,1:sigmoid"``. One syntax for
``--layers`` (lnn.cli.options) and for the layers a sweep searches (lnn.sweep.search)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from messages.vocabulary import ACTIVATION_NAMES

__all__ = ["LayersTextError", "layers_text", "parse_layers"]

_LAYER = re.compile(r"^\s*(\d+)\s*:\s*([a-z_]+)\s*(?::\s*([a-z_]+)\s*)?$")
BATCH_NORM_OPTION = "bn"  # "20:relu:bn": batch norm before the activation


class LayersTextError(ValueError):
    """Layers text that does not parse; the message names the layer and what was expected."""


class _Layer(Protocol):
    units: int
    activation: str
    batch_norm: bool


def parse_layers(text: str) -> list[dict[str, object]]:
    """``"20:relu:bn,1:sigmoid"`` -> ``[{"units": 20, "activation": "relu", "batch_norm":
    True}, {"units": 1, "activation": "sigmoid"}]``."""
    layers: list[dict[str, object]] = []
    for position, part in enumerate(text.split(","), start=1):
        match = _LAYER.match(part)
        if not match:
            raise LayersTextError(
                f"layer {position} is {part.strip()!r}; expected UNITS:ACTIVATION or "
                f'UNITS:ACTIVATION:{BATCH_NORM_OPTION} as in "20:relu:bn,7:relu,1:sigmoid"'
            )
        units, activation, option = int(match.group(1)), match.group(2), match.group(3)
        if option is not None and option != BATCH_NORM_OPTION:
            raise LayersTextError(
                f"layer {position} has unknown option {option!r} "
                f"({BATCH_NORM_OPTION!r}, batch norm, is the one there is)"
            )
        if activation not in ACTIVATION_NAMES:
            raise LayersTextError(
                f"layer {position} has unknown activation {activation!r} "
                f"(choose from {', '.join(ACTIVATION_NAMES)})"
            )
        layer: dict[str, object] = {"units": units, "activation": activation}
        if option is not None:
            layer["batch_norm"] = True
        layers.append(layer)
    return layers


def layers_text(layers: Iterable[_Layer]) -> str:
    """The option text of parsed layers (a TrainConfig's): the inverse of parse_layers."""
    return ",".join(
        f"{layer.units}:{layer.activation}" + (f":{BATCH_NORM_OPTION}" if layer.batch_norm else "")
        for layer in layers
    )
