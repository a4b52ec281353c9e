"""Tally: named quantities of a run (calls, billed units, seconds), added and scaled as one.

Everything the estimate projects is a sum over a run's calls and hops, so a run's tally is
linear in its steps: two runs of different lengths give the cost of a step by difference.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Tally(Mapping[str, float]):
    values: dict[str, float] = field(default_factory=dict)

    def __getitem__(self, key: str) -> float:
        return self.values.get(key, 0.0)

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.values))

    def __len__(self) -> int:
        return len(self.values)

    def __add__(self, other: Tally) -> Tally:
        keys = self.values.keys() | other.values.keys()
        return Tally({k: self[k] + other[k] for k in keys})

    def __sub__(self, other: Tally) -> Tally:
        return self + other * -1.0

    def __mul__(self, factor: float) -> Tally:
        return Tally({k: v * factor for k, v in self.values.items()})

    __rmul__ = __mul__

    def with_prefix(self, prefix: str) -> dict[str, float]:
        """The entries under ``prefix`` with the prefix taken off, e.g. "calls." -> by op."""
        return {k[len(prefix) :]: v for k, v in sorted(self.values.items()) if k.startswith(prefix)}


def _tally_of(counts: Mapping[str, float]) -> Tally:
    return Tally({k: float(v) for k, v in counts.items()})
