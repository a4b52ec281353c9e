"""Numbers as the page's JSON holds them: a few significant digits, non-finite as null."""

import math
from collections.abc import Iterable

import numpy as np

DIGITS = 4  # enough to draw; a document of the cat network's 501 telemetry steps stays small


def figure(value: float, digits: int = DIGITS) -> float | None:
    """One number rounded to ``digits`` significant digits; None (JSON null) for NaN and inf."""
    value = float(value)
    if not math.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")


def figures(values: Iterable[float] | np.ndarray, digits: int = DIGITS) -> list[float | None]:
    return [figure(v, digits) for v in np.asarray(values, dtype=np.float64).ravel().tolist()]


def evenly(count: int, limit: int) -> list[int]:
    """At most ``limit`` indices of ``range(count)``, evenly spread, first and last included:
    long runs are drawn from a sample of their telemetry steps."""
    if count <= limit:
        return list(range(count))
    picked = np.linspace(0, count - 1, limit).round().astype(int)
    return sorted(set(picked.tolist()))
