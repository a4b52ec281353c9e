"""Read-only numpy fields for frozen telemetry records, and their JSON-safe encoding."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

import numpy as np
import numpy.typing as npt

# Bumped whenever a document's fields change meaning; readers refuse other versions rather than
# guess, because telemetry outlives the code that wrote it (runs are inspected later).
TELEMETRY_VERSION = 2  # 2: the forward record holds Z per unit (z_min, z_max, z_sum)


def frozen(values: npt.ArrayLike, dtype: type[np.generic]) -> np.ndarray:
    """A private read-only 1-D copy, so a frozen record cannot be changed through its arrays."""
    out = np.array(values, dtype=dtype).reshape(-1)
    out.setflags(write=False)
    return out


class ArrayRecord:
    """Value equality for frozen dataclasses holding numpy arrays (dataclasses' own ``__eq__``
    would compare arrays element-wise and fail on truth). NaN equals NaN so that a decoded
    record equals the one that was encoded, diverged runs included."""

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(
            _same(getattr(self, f.name), getattr(other, f.name))
            for f in fields(self)  # type: ignore[arg-type]
        )


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, np.ndarray):
        return (
            isinstance(right, np.ndarray)
            and left.dtype == right.dtype
            and left.shape == right.shape
            and bool(np.array_equal(left, right, equal_nan=left.dtype.kind == "f"))
        )
    return bool(left == right)


def encode_floats(values: np.ndarray) -> list[float | str]:
    """Floats as JSON numbers; NaN and infinities as the strings "nan", "inf", "-inf", which
    strict JSON parsers and DynamoDB accept and ``float()`` reads back."""
    if np.isfinite(values).all():
        return values.tolist()
    return [v if math.isfinite(v) else str(v) for v in values.tolist()]


def decode_floats(values: Iterable[float | str]) -> np.ndarray:
    return frozen([float(v) for v in values], np.float64)


def decode_ints(values: Iterable[int]) -> np.ndarray:
    return frozen([int(v) for v in values], np.int64)


def check_version(doc: Mapping[str, Any], what: str) -> None:
    version = doc.get("v")
    if version != TELEMETRY_VERSION:
        raise ValueError(
            f"{what} document has version {version!r}; this code reads {TELEMETRY_VERSION}"
        )
