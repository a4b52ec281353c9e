"""InMemoryBarriers: the barrier port on a dict; an arrival is atomic under a lock."""

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from functions.ports import NO_OUTPUT, Arrival, Barriers, BarrierTimeline, ShardOutput
from messages.limits import MAX_BARRIER_NOTES


@dataclass
class _Barrier:
    arrived: set[int] = field(default_factory=set)
    payloads: dict[int, bytes] = field(default_factory=dict)
    s3_keys: dict[int, str] = field(default_factory=dict)
    values: dict[int, float] = field(default_factory=dict)
    telemetry: dict[int, str] = field(default_factory=dict)
    spans: dict[int, str] = field(default_factory=dict)
    message_ids: dict[int, str] = field(default_factory=dict)
    params: dict[int, bytes] = field(default_factory=dict)
    ordinals: dict[int, int] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)

    def view(self, expected: int, claimed: bool) -> Arrival:
        return Arrival(
            claimed=claimed,
            arrived=frozenset(self.arrived),
            complete=len(self.arrived) >= expected,
            payloads=dict(self.payloads),
            s3_keys=dict(self.s3_keys),
            values=dict(self.values),
            telemetry=dict(self.telemetry),
            message_ids=dict(self.message_ids),
        )


class InMemoryBarriers(Barriers):
    def __init__(self) -> None:
        self.items: dict[str, _Barrier] = {}
        self._lock = threading.Lock()

    def arrive(
        self, key: str, shard: int, expected: int, output: ShardOutput = NO_OUTPUT
    ) -> Arrival:
        with self._lock:
            barrier = self.items.setdefault(key, _Barrier())
            if shard in barrier.arrived:
                return barrier.view(expected, claimed=False)
            barrier.arrived.add(shard)
            barrier.ordinals[shard] = len(barrier.arrived)
            if output.payload is not None:
                barrier.payloads[shard] = bytes(output.payload)
            if output.s3_key is not None:
                barrier.s3_keys[shard] = output.s3_key
            if output.value is not None:
                barrier.values[shard] = float(output.value)
            if output.telemetry is not None:
                barrier.telemetry[shard] = str(output.telemetry)
            if output.span is not None:
                barrier.spans[shard] = str(output.span)
            if output.message_id is not None:
                barrier.message_ids[shard] = str(output.message_id)
            if output.params is not None:
                barrier.params[shard] = bytes(output.params)
            return barrier.view(expected, claimed=True)

    def read(self, key: str, expected: int) -> Arrival:
        with self._lock:
            return self.items.get(key, _Barrier()).view(expected, claimed=False)

    def shard_params(self, key: str, shard: int) -> bytes | None:
        with self._lock:
            barrier = self.items.get(key)
            return None if barrier is None else barrier.params.get(shard)

    def note(self, key: str, span: dict[str, Any]) -> None:
        with self._lock:
            notes = self.items.setdefault(key, _Barrier()).notes
            if len(notes) < MAX_BARRIER_NOTES:
                notes.append(dict(span))

    def timelines(self, keys: Sequence[str], shards: int) -> dict[str, BarrierTimeline]:
        with self._lock:
            return {
                key: BarrierTimeline(
                    arrivals=dict(b.spans),
                    ordinals=dict(b.ordinals),
                    notes=tuple(dict(n) for n in b.notes),
                )
                for key in keys
                if (b := self.items.get(key)) is not None
            }
