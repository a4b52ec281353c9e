"""Which outputs a page reads as class probabilities, and how: a sigmoid or softmax output
gives P(class) per unit; a single sigmoid unit gives P(class 1), and 1 - P is class 0's, so
one unit stands for two classes. Other outputs (linear, relu, tanh, ...) are values, never P.
"""

import numpy as np

from functions.nn.layers import LayerSpec
from functions.nn.types import Array

PROBABILITY_OUTPUTS = frozenset({"sigmoid", "softmax"})

__all__ = [
    "PROBABILITY_OUTPUTS",
    "class_count",
    "class_probabilities",
    "gives_probabilities",
    "unit_classes",
]


def gives_probabilities(output: LayerSpec) -> bool:
    """Whether the output layer's values are probabilities of the classes."""
    return output.activation in PROBABILITY_OUTPUTS


def class_count(output: LayerSpec) -> int:
    """The classes a probability output tells apart: two for one sigmoid unit."""
    return max(2, output.units)


def unit_classes(output: LayerSpec) -> list[int]:
    """The class whose probability each output unit gives: class 1 for one sigmoid unit."""
    return [1] if output.units == 1 else list(range(output.units))


def class_probabilities(a: Array) -> Array:
    """(class_count, m) probabilities from a probability output's (units, m) values: one
    unit's P(class 1) gives P(class 0) = 1 - P first."""
    return np.vstack([1.0 - a, a]) if a.shape[0] == 1 else a
