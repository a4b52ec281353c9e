"""Values the ports hand to the protocol."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from messages.status import RunStatus

Route = str
"""Where a network task goes: a layer number ("1".."L") or "out" for the loss stage."""

OUTPUT_ROUTE: Route = "out"
Direction = Literal["fwd", "bwd", "loss"]


@dataclass(frozen=True)
class Arrival:
    """A barrier as one shard's arrival left it (or found it, for a duplicate)."""

    claimed: bool
    arrived: frozenset[int]
    complete: bool
    payloads: Mapping[int, bytes] = field(default_factory=dict)
    s3_keys: Mapping[int, str] = field(default_factory=dict)
    values: Mapping[int, float] = field(default_factory=dict)
    telemetry: Mapping[int, str] = field(default_factory=dict)
    message_ids: Mapping[int, str] = field(default_factory=dict)

    def publishes(self, shard: int, message_id: str) -> bool:
        """Whether the caller publishes the next stage: its arrival completed the barrier,
        or the barrier is complete and this is a redelivery of the message whose arrival
        claimed ``shard`` (its process may have died before it published; downstream
        claims make a second publish harmless). Any other duplicate does nothing."""
        if not self.complete:
            return False
        return self.claimed or self.message_ids.get(shard) == message_id


@dataclass(frozen=True)
class Expect:
    """What a run record must hold for a transition to apply.

    ``status`` must match, each ``equal`` field must equal its value and each ``below``
    field must be smaller than its value. Adapters translate it (a DynamoDB condition, a
    check under a lock); the protocol never sees how.
    """

    status: RunStatus | None = RunStatus.RUNNING
    equal: Mapping[str, int] = field(default_factory=dict)
    below: Mapping[str, int] = field(default_factory=dict)

    def holds(self, record: Mapping[str, object]) -> bool:
        if self.status is not None and record.get("status") != self.status.value:
            return False
        if any(record.get(name) != value for name, value in self.equal.items()):
            return False
        return all(
            isinstance(record.get(name), int) and record[name] < value  # type: ignore[operator]
            for name, value in self.below.items()
        )


@dataclass(frozen=True)
class ShardOutput:
    """What a shard leaves at its barrier: a small output inline (``payload``, .npy bytes)
    or the key of a large one, a number the stage after it sums (``value``), and on a
    telemetry step the shard's telemetry document (JSON text), which the arrival completing
    the barrier merges; ``span`` says when and on which delivery it ran
    (functions/protocol/telemetry.py); ``message_id`` names the message whose delivery claims
    the arrival (functions/protocol/delivery.py); ``params`` is a backward shard's new
    parameter version when it is small (functions/protocol/versions.py)."""

    payload: bytes | None = None
    s3_key: str | None = None
    value: float | None = None
    telemetry: str | None = None
    span: str | None = None
    message_id: str | None = None
    params: bytes | None = None


NO_OUTPUT = ShardOutput()


@dataclass(frozen=True)
class BarrierTimeline:
    """What a barrier item holds of the message timeline: each shard's arrival span and
    its place in the order of arrivals (from 1), and the notes of rare events (span
    documents), in the forms functions/protocol/telemetry.py writes."""

    arrivals: Mapping[int, str] = field(default_factory=dict)
    ordinals: Mapping[int, int] = field(default_factory=dict)
    notes: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Change:
    """One write to a run record: fields to set and fields to remove, applied only if
    ``expect`` holds (always, when None)."""

    sets: Mapping[str, Any]
    expect: Expect | None = None
    removes: tuple[str, ...] = ()
