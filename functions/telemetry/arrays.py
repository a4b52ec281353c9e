"""Read-only numpy fields for frozen telemetry records, and their JSON-safe encoding."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any, ClassVar

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


class UnitSums(ArrayRecord):
    """A record of per-unit figures, each summed over ``steps`` steps and stored as
    FIGURE_sum (one entry per unit); its subclasses name their figures in ``UNIT_FIGURES``."""

    UNIT_FIGURES: ClassVar[tuple[str, ...]]
    steps: int

    @classmethod
    def sums(cls) -> tuple[str, ...]:
        return tuple(f"{figure}_sum" for figure in cls.UNIT_FIGURES)

    def _freeze_sums(self) -> None:
        """Each sum as a private read-only float64 array, all of one length."""
        for name in self.sums():
            object.__setattr__(self, name, frozen(getattr(self, name), np.float64))
        if self.steps < 1:
            raise ValueError(f"need steps >= 1, got {self.steps}")
        if len({getattr(self, name).shape for name in self.sums()}) != 1:
            raise ValueError("every per-unit sum needs one entry per unit")

    @property
    def units(self) -> int:
        return getattr(self, self.sums()[0]).size

    def mean(self, figure: str) -> np.ndarray:
        """Per unit, the mean over the steps of one of UNIT_FIGURES, e.g. ``mean("gamma")``."""
        if figure not in self.UNIT_FIGURES:
            raise ValueError(f"{figure!r} is not one of {self.UNIT_FIGURES}")
        return getattr(self, f"{figure}_sum") / self.steps


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
