"""Side-by-side timing: two contenders run alternately in one process, medians compared."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Timed(Generic[T]):
    """Wall times of every repeat and the result of the last one."""

    seconds: list[float]
    result: T

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def time_interleaved(
    first: Callable[[], T], second: Callable[[], U], repeats: int
) -> tuple[Timed[T], Timed[U]]:
    """Run both ``repeats`` times, swapping who goes first each round (AB, BA, AB, ...), so a
    change in machine load or a warm cache favours neither side."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    first_s: list[float] = []
    second_s: list[float] = []
    for round_ in range(repeats):
        if round_ % 2 == 0:
            t1, r1 = _timed(first)
            t2, r2 = _timed(second)
        else:
            t2, r2 = _timed(second)
            t1, r1 = _timed(first)
        first_s.append(t1)
        second_s.append(t2)
    return Timed(first_s, r1), Timed(second_s, r2)
