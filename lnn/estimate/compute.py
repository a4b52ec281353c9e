"""Compute seconds, robust to a busy machine.

Calls and units are counted exactly, so the cost of a step is exact by difference of two
runs. Compute is timed, and the difference of two short runs' compute carries the noise of
their whole fixed part (loading the data, the first step): on a loaded machine a step's
compute came out negative. So each invocation, and each invocation's share of the critical
path, is given a kind (its function, memory and the calls it made, in order); the counts of
each kind are differenced exactly, and each kind is costed at the median compute of its
occurrences, which the one-off first step or evaluation does not move.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from lnn.estimate.pricebook import BANDS, PriceBook
from lnn.estimate.tally import Tally

_COUNT = "n."  # Tally prefix of the occurrences of a kind
_LAMBDA = "lambda"  # kinds of whole invocations (their Lambda duration)
PATH = "path"  # kinds of critical-path shares, one set per band
_SEP = "|"


def lambda_kind(memory_mb: int, function: str, calls: Sequence[str]) -> str:
    return _SEP.join((_LAMBDA, str(memory_mb), function, ",".join(calls)))


def path_kind(band: str, function: str, calls: Sequence[str], *, publishes: bool) -> str:
    share = "to-publish" if publishes else "whole"
    return _SEP.join((f"{PATH}.{band}", function, share, ",".join(calls)))


@dataclass(frozen=True)
class Samples:
    """Compute seconds of each kind's occurrences, by kind."""

    values: dict[str, list[float]] = field(default_factory=dict)

    def __add__(self, other: Samples) -> Samples:
        pooled: dict[str, list[float]] = defaultdict(list)
        for source in (self.values, other.values):
            for kind, seconds in source.items():
                pooled[kind].extend(seconds)
        return Samples(dict(pooled))

    def median(self, kind: str) -> float:
        seconds = self.values.get(kind)
        return statistics.median(seconds) if seconds else 0.0


def record(values: dict[str, float], samples: dict[str, list[float]], kind: str, s: float) -> None:
    values[_COUNT + kind] += 1
    samples[kind].append(s)


def _billed_seconds(seconds: float, book: PriceBook) -> float:
    """Lambda duration as billed: per started unit (a hair over a unit is float round-off)."""
    unit = book.units.lambda_duration_ms / 1000
    return math.ceil(seconds / unit - 1e-9) * unit


def gb_seconds(memory_mb: int, seconds: float, book: PriceBook) -> float:
    return memory_mb / 1024 * _billed_seconds(seconds, book)


def calls_latency(calls: Iterable[str], band: str, book: PriceBook) -> float:
    """The calls ("service.Operation") at their services' latency in ``band``."""
    return sum(book.call_seconds(name.partition(".")[0], band) for name in calls)


def _lambda_of(kind: str) -> tuple[int, list[str]]:
    _, memory, _, calls = kind.split(_SEP)
    return int(memory), [c for c in calls.split(",") if c]


def robust(part: Tally, samples: Samples, book: PriceBook) -> Tally:
    """``part`` (a difference of runs) with its compute, the critical path's compute and the
    Lambda GB-seconds made from its counts of each kind at their median compute."""
    counts = part.with_prefix(_COUNT)
    values = dict(part.values)
    lambdas = {k: n for k, n in counts.items() if k.startswith(_LAMBDA + _SEP)}
    values["compute"] = sum(n * samples.median(k) for k, n in lambdas.items())
    for band in BANDS:
        gb_s = 0.0
        for kind, n in lambdas.items():
            memory, calls = _lambda_of(kind)
            seconds = samples.median(kind) + calls_latency(calls, band, book)
            gb_s += n * gb_seconds(memory, seconds, book)
        values[f"units.lambda_gb_second.{band}"] = gb_s
        prefix = f"{PATH}.{band}{_SEP}"
        path = sum(n * samples.median(k) for k, n in counts.items() if k.startswith(prefix))
        values[f"path.compute.{band}"] = path
        values[f"path.{band}"] = values.get(f"path.messaging.{band}", 0.0) + (
            values.get(f"path.calls.{band}", 0.0) + path
        )
    return Tally(values)


def pooled(samples: Mapping[str, Samples], labels: Iterable[str]) -> Samples:
    total = Samples()
    for label in labels:
        total = total + samples[label]
    return total
