"""Array aliases shared by the numpy math."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Shape = tuple[int, ...]
StateDict = dict[str, Array]
# One layer's arrays by name (or a shard's rows of them): "W" and "b" of a dense layer; "W",
# "gamma", "beta", "running_mean" and "running_var" of a batch-normalized one (LayerSpec.names).
LayerParams = Mapping[str, Array]
# [LayerParams_l] for l = 1..L, whole layers.
Params = list[LayerParams]

__all__ = ["Array", "IntArray", "LayerParams", "Params", "Shape", "StateDict"]
