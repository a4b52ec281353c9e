"""Counters the LambdaRunner keeps about its work."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class FunctionStats:
    """Per function: records delivered (duplicates not counted), failed, batches, errors."""

    records: int = 0
    failed: int = 0
    batches: int = 0
    invocations: int = 0
    handler_errors: int = 0
    timeouts_exceeded: int = 0
    process_deaths: int = 0


@dataclass
class RunnerStats:
    """Totals over all mappings plus one FunctionStats per function name."""

    functions: dict[str, FunctionStats] = field(default_factory=dict)
    receives: int = 0
    empty_receives: int = 0
    duplicates_injected: int = 0
    dead_lettered: int = 0

    def function(self, name: str) -> FunctionStats:
        return self.functions.setdefault(name, FunctionStats())

    @property
    def records(self) -> int:
        return sum(f.records for f in self.functions.values())

    @property
    def failed(self) -> int:
        return sum(f.failed for f in self.functions.values())

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
