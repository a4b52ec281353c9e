"""Parsing of option values shared by several commands."""

import re

from lnn.cli.errors import UsageError

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")
_LAYER = re.compile(r"^\s*(\d+)\s*:\s*([a-z_]+)\s*$")


def parse_layers(text: str) -> list[dict[str, object]]:
    """``"20:relu,7:relu,1:sigmoid"`` -> ``[{"units": 20, "activation": "relu"}, ...]``."""
    layers = []
    for position, part in enumerate(text.split(","), start=1):
        match = _LAYER.match(part)
        if not match:
            raise UsageError(
                f"--layers: layer {position} is {part.strip()!r}; expected UNITS:ACTIVATION "
                'as in "20:relu,7:relu,1:sigmoid"'
            )
        units, activation = int(match.group(1)), match.group(2)
        if activation not in ACTIVATIONS:
            raise UsageError(
                f"--layers: layer {position} has unknown activation {activation!r} "
                f"(choose from {', '.join(ACTIVATIONS)})"
            )
        layers.append({"units": units, "activation": activation})
    return layers


def parse_chaos(text: str | None) -> int:
    """``--chaos duplicate=N``: how many extra deliveries of every message."""
    if not text:
        return 0
    key, _, value = text.partition("=")
    if key.strip() != "duplicate" or not value.strip().isdigit():
        raise UsageError(f"--chaos: expected duplicate=N, got {text!r}")
    return int(value)
