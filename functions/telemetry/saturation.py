"""When a unit counts as saturated on a sample: its local slope g'(z) is (nearly) zero, so
almost no gradient passes through it. A unit that is never unsaturated on any sample of a
window (a batch, an epoch) is *dead* for that window.

- sigmoid: a < 0.01 or a > 0.99. There g'(z) = a(1 - a) < 0.0099, under 4 % of its peak 0.25.
- tanh: |a| > 0.99. There g'(z) = 1 - a^2 < 0.0199, under 2 % of its peak 1.
- relu: a == 0 (z <= 0), where the slope is exactly 0.
- leaky_relu: a <= 0 (z <= 0): the leaky side, slope 0.01; a unit that stays there learns
  100 times slower and computes a linear function, so it counts as dead too.
- linear, softmax: never. Their outputs feed the loss directly (softmax with cross-entropy has
  dZ = A - Y), so small slopes there do not stop learning.

All of these read A alone: the sign of leaky_relu's a is the sign of z.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SIGMOID_LOW = 0.01
SIGMOID_HIGH = 0.99
TANH_LIMIT = 0.99


def _never(a: np.ndarray) -> np.ndarray:
    return np.zeros(a.shape, dtype=bool)


def _not_positive(a: np.ndarray) -> np.ndarray:
    return a <= 0.0


_RULES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": lambda a: (a < SIGMOID_LOW) | (a > SIGMOID_HIGH),
    "tanh": lambda a: np.abs(a) > TANH_LIMIT,
    "relu": _not_positive,
    "leaky_relu": _not_positive,
    "linear": _never,
    "softmax": _never,
}
SATURATION_RULES: tuple[str, ...] = tuple(_RULES)
# The activations whose units can be dead (the others' rule is never).
SATURATING: tuple[str, ...] = tuple(name for name, rule in _RULES.items() if rule is not _never)


def saturated(a: np.ndarray, activation: str) -> np.ndarray:
    """Boolean array like ``a``: where the unit is saturated (see the module docstring)."""
    try:
        rule = _RULES[activation]
    except KeyError:
        raise ValueError(
            f"no saturation rule for activation {activation!r} (known: {SATURATION_RULES})"
        ) from None
    return rule(a)
