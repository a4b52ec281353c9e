"""InMemoryBarriers: the barrier port on a dict; an arrival is atomic under a lock."""

import threading
from dataclasses import dataclass, field

from functions.ports import Arrival, Barriers


@dataclass
class _Barrier:
    arrived: set[int] = field(default_factory=set)
    payloads: dict[int, bytes] = field(default_factory=dict)
    s3_keys: dict[int, str] = field(default_factory=dict)
    values: dict[int, float] = field(default_factory=dict)
    published: bool = False

    def view(self, expected: int, claimed: bool) -> Arrival:
        return Arrival(
            claimed=claimed,
            arrived=frozenset(self.arrived),
            complete=len(self.arrived) >= expected,
            published=self.published,
            payloads=dict(self.payloads),
            s3_keys=dict(self.s3_keys),
            values=dict(self.values),
        )


class InMemoryBarriers(Barriers):
    def __init__(self) -> None:
        self.items: dict[str, _Barrier] = {}
        self._lock = threading.Lock()

    def arrive(
        self,
        key: str,
        shard: int,
        expected: int,
        *,
        payload: bytes | None = None,
        s3_key: str | None = None,
        value: float | None = None,
    ) -> Arrival:
        with self._lock:
            barrier = self.items.setdefault(key, _Barrier())
            if shard in barrier.arrived:
                return barrier.view(expected, claimed=False)
            barrier.arrived.add(shard)
            if payload is not None:
                barrier.payloads[shard] = bytes(payload)
            if s3_key is not None:
                barrier.s3_keys[shard] = s3_key
            if value is not None:
                barrier.values[shard] = float(value)
            return barrier.view(expected, claimed=True)

    def read(self, key: str, expected: int) -> Arrival:
        with self._lock:
            return self.items.get(key, _Barrier()).view(expected, claimed=False)

    def mark_published(self, key: str) -> None:
        with self._lock:
            self.items.setdefault(key, _Barrier()).published = True
