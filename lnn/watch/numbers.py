"""Numbers as the page shows them: its JSON's (a few significant digits, non-finite as null)
and the labels a learner reads."""

import math
import re
from collections.abc import Iterable

import numpy as np

DIGITS = 4  # enough to draw; a document of the cat network's 501 telemetry steps stays small
# A layer's units drawn at most, its first: in the network diagram, the dead-units strips, the
# weight pictures and each sample's path (the page reads it from the network section).
UNITS_DRAWN = 64


def figure(value: float, digits: int = DIGITS) -> float | None:
    """One number rounded to ``digits`` significant digits; None (JSON null) for NaN and inf."""
    value = float(value)
    if not math.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")


def figures(values: Iterable[float] | np.ndarray, digits: int = DIGITS) -> list[float | None]:
    return [figure(v, digits) for v in np.asarray(values, dtype=np.float64).ravel().tolist()]


def short_exponent(text: str) -> str:
    """``1.86e-09`` -> ``1.86e-9``: the exponent without its padding."""
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + m.group(1).replace("+", "") + m.group(2), text)


def readable(value: float) -> str:
    """A bin edge as a course learner reads a number: one significant digit, decimals down to
    0.001 and powers of ten below (``0.03``, ``0.001``, ``5e-4``, ``1e-6``), whole numbers from 1
    (``8``, ``256``). Edges a factor of two apart never round to the same label."""
    magnitude = abs(value)
    exponent = int(f"{magnitude:.0e}".split("e")[1])  # of the rounded value
    if exponent >= 0:
        text = f"{magnitude:.0f}"
    elif exponent >= -3:
        text = f"{magnitude:.1g}"
    else:
        text = short_exponent(f"{magnitude:.0e}")
    return f"-{text}" if value < 0 else text
