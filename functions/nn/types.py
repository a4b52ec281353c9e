"""Array aliases shared by the numpy math."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Shape = tuple[int, ...]
ParamDict = Mapping[str, Array]
StateDict = dict[str, Array]
# [(W_l, b_l)] for l = 1..L, whole layers.
Params = list[tuple[Array, Array]]

__all__ = ["Array", "IntArray", "ParamDict", "Params", "Shape", "StateDict"]
