"""Initial weights of a whole layer, drawn from the layer's keyed generator.

Shards take row slices of the result; drawing per shard would change the numbers.
"""

from __future__ import annotations

import math

import numpy as np

from functions.nn.exceptions import NNError, UnknownInitializerError
from functions.nn.rng import init_rng
from functions.nn.types import Array

# The default (he) first, as the CLI and the schema list them.
INIT_SCHEMES: tuple[str, ...] = ("he", "xavier", "random", "zeros")


def _scale(scheme: str, n_in: int) -> float:
    if scheme == "zeros":
        return 0.0
    if scheme == "random":
        return 0.01
    if scheme == "xavier":
        return math.sqrt(1.0 / n_in)
    if scheme == "he":
        return math.sqrt(2.0 / n_in)
    raise UnknownInitializerError(scheme, INIT_SCHEMES)


def initialize_layer(
    scheme: str, n_out: int, n_in: int, *, seed: int, layer: int
) -> tuple[Array, Array]:
    """(W, b) for one layer: W is (n_out, n_in) scaled normals, b is zeros (n_out, 1)."""
    if n_out < 1 or n_in < 1:
        raise NNError(f"layer {layer} needs positive sizes, got n_out={n_out}, n_in={n_in}")
    scale = _scale(scheme, n_in)
    b = np.zeros((n_out, 1))
    if scale == 0.0:
        return np.zeros((n_out, n_in)), b
    return init_rng(seed, layer).standard_normal((n_out, n_in)) * scale, b


__all__ = ["INIT_SCHEMES", "initialize_layer"]
