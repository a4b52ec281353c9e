"""Warnings a practitioner would want flagged in a per-layer table, with fixed thresholds.

- ``nonfinite``: a NaN or infinity anywhere in the layer's figures (the run diverged).
- ``dead``: more than DEAD_FRACTION of a hidden layer's units saturated on every sample of the
  window (see ``saturation``); the flag lists them.
- ``saturated``: a sigmoid or tanh hidden layer saturated on more than SATURATED_FRACTION of
  its (unit, sample) pairs. Not for relu-like layers, where a == 0 on about half the samples is
  how they work; their failure mode is ``dead``.
- ``update_ratio_low`` / ``update_ratio_high``: ||update of W|| / ||W|| outside
  [UPDATE_RATIO_LOW, UPDATE_RATIO_HIGH]; around 1e-3 is the usual healthy value, far below the
  layer barely learns, far above it is being rewritten each step.
- ``vanishing`` / ``exploding``: the RMS of a layer's dW over that of the next layer (nearer
  the output) below VANISHING_RATIO or above EXPLODING_RATIO.

The output layer gets no ``dead`` or ``saturated`` flag: an output unit saturated on every
sample is a confident classifier, and under cross-entropy its gradient does not vanish.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from functions.telemetry.layer import LayerTelemetry

DEAD_FRACTION = 0.5
SATURATED_FRACTION = 0.5
UPDATE_RATIO_LOW = 1e-5
UPDATE_RATIO_HIGH = 1e-1
VANISHING_RATIO = 1e-3
EXPLODING_RATIO = 1e3
_SATURATING = frozenset({"sigmoid", "tanh"})


@dataclass(frozen=True)
class Flag:
    """``value`` crossed ``threshold`` in layer ``layer``; ``units`` names the units concerned
    where the flag is about some of them (dead units)."""

    layer: int
    kind: str
    value: float
    threshold: float
    message: str
    units: tuple[int, ...] = ()


def _layer_flags(t: LayerTelemetry, *, is_output: bool) -> list[Flag]:
    found: list[Flag] = []
    if not t.finite:
        found.append(Flag(t.layer, "nonfinite", float("nan"), 0.0, "NaN or inf in the layer"))
        return found  # every other figure of a diverged layer is noise
    if not is_output and t.dead_fraction > DEAD_FRACTION:
        found.append(
            Flag(
                t.layer,
                "dead",
                t.dead_fraction,
                DEAD_FRACTION,
                f"{len(t.dead_units)} of {t.stop - t.start} units dead",
                t.dead_units,
            )
        )
    if not is_output and t.activation in _SATURATING and t.saturated_fraction > SATURATED_FRACTION:
        found.append(
            Flag(
                t.layer,
                "saturated",
                t.saturated_fraction,
                SATURATED_FRACTION,
                f"{t.saturated_fraction:.0%} of activations saturated",
            )
        )
    ratio = t.update_ratio
    if ratio < UPDATE_RATIO_LOW:
        found.append(
            Flag(t.layer, "update_ratio_low", ratio, UPDATE_RATIO_LOW, "updates tiny vs weights")
        )
    elif ratio > UPDATE_RATIO_HIGH:
        found.append(
            Flag(t.layer, "update_ratio_high", ratio, UPDATE_RATIO_HIGH, "updates large vs weights")
        )
    return found


def _gradient_flag(t: LayerTelemetry, next_layer: LayerTelemetry) -> Flag | None:
    if not (t.finite and next_layer.finite) or next_layer.grad_rms == 0.0:
        return None
    ratio = t.grad_rms / next_layer.grad_rms
    where = f"dW RMS {ratio:.1e} x layer {next_layer.layer}'s"
    if ratio < VANISHING_RATIO:
        return Flag(t.layer, "vanishing", ratio, VANISHING_RATIO, where)
    if ratio > EXPLODING_RATIO:
        return Flag(t.layer, "exploding", ratio, EXPLODING_RATIO, where)
    return None


def flags(layers: Sequence[LayerTelemetry]) -> list[Flag]:
    """Flags of a whole network's layer telemetry of one window, layers in order (1 .. L, the
    output layer last), by layer then in the order of the module docstring."""
    found: list[Flag] = []
    for t in layers:
        found.extend(_layer_flags(t, is_output=t is layers[-1]))
    for t, next_layer in pairwise(layers):
        gradient = _gradient_flag(t, next_layer)
        if gradient is not None:
            found.append(gradient)
    return sorted(found, key=lambda f: f.layer)
