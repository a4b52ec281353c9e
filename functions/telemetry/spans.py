"""Spans: what one delivery of one task did, and when (the message timeline).

A span is written by the function that handled the delivery, on writes it makes anyway
(functions/protocol/telemetry.py says where), and read back by ``lnn trace``, the live page and
the report. The file form (``--out DIR/spans.jsonl``) is JSON Lines, one span per line, in
the field order below (docs/telemetry.md, "Spans").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

Outcome = Literal["claimed", "completed", "duplicate", "healed", "failed", "dead_lettered"]
# What each outcome means, in the words the watch page's legend shows.
OUTCOME_MEANINGS: dict[Outcome, str] = {
    "claimed": "arrived at its barrier; another shard's arrival completed it",
    "completed": "its arrival completed the barrier, and it published the next stage",
    "duplicate": "found its shard already arrived: dropped, nothing published",
    "healed": (
        "a redelivery of the message that claimed (its first delivery may have died before "
        "it published, or SQS delivered it twice): published again"
    ),
    "failed": "raised; SQS redelivers it (or, at the last delivery, the run failed)",
    "dead_lettered": "reached its dead-letter queue; the run failed with the reason",
}
OUTCOMES: tuple[Outcome, ...] = tuple(OUTCOME_MEANINGS)
FUNCTION_OF_DIRECTION = {"fwd": "neuron", "bwd": "neuron", "loss": "loss"}


def lane_of(function: str, layer: int, shard: int) -> str:
    """A track's name: a neuron shard's own, else the function's (one loss stage)."""
    if function == "neuron":
        return f"neuron L{layer} s{shard}"
    return function


@dataclass(frozen=True)
class Span:
    function: str
    phase: str
    direction: str
    epoch: int
    batch: int
    layer: int
    shard: int
    start: float  # Unix seconds, the handler's clock
    end: float
    delivery: int  # the SQS receive count of the record
    outcome: Outcome
    detail: str | None = None

    @property
    def lane(self) -> str:
        """The track it belongs to: one per function and shard."""
        return lane_of(self.function, self.layer, self.shard)

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Span:
        outcome = doc["outcome"]
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown span outcome {outcome!r}")
        detail = doc.get("detail")
        return cls(
            function=str(doc["function"]),
            phase=str(doc["phase"]),
            direction=str(doc["direction"]),
            epoch=int(doc["epoch"]),
            batch=int(doc["batch"]),
            layer=int(doc["layer"]),
            shard=int(doc["shard"]),
            start=float(doc["start"]),
            end=float(doc["end"]),
            delivery=int(doc["delivery"]),
            outcome=outcome,
            detail=None if detail is None else str(detail),
        )


def ordered(spans: Iterable[Span]) -> list[Span]:
    """By start time, then lane: the order of the file and of the trace."""
    return sorted(spans, key=lambda s: (s.start, s.lane, s.end))


def dumps_spans(spans: Iterable[Span]) -> str:
    return "".join(
        json.dumps(s.to_document(), separators=(",", ":"), allow_nan=False) + "\n"
        for s in ordered(spans)
    )


def loads_spans(text: str) -> list[Span]:
    return [Span.from_document(json.loads(line)) for line in text.splitlines() if line]
