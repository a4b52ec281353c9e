"""Barriers: a layer's fan-in, where arriving is the idempotency claim."""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from functions.ports.types import NO_OUTPUT, Arrival, BarrierTimeline, ShardOutput


class Barriers(ABC):
    """One barrier per (run, phase, epoch, batch, direction, layer).

    ``arrive`` adds a shard to the barrier only if it is not there yet, in one atomic
    step, numbers the arrival and stores the shard's small output with it; a second
    arrival of the same shard changes nothing and reports what it found (``claimed``
    False).
    """

    @abstractmethod
    def arrive(
        self, key: str, shard: int, expected: int, output: ShardOutput = NO_OUTPUT
    ) -> Arrival:
        """Claim ``shard``'s arrival, storing ``output`` with it if the claim succeeds."""

    @abstractmethod
    def read(self, key: str, expected: int) -> Arrival:
        """The barrier as it stands (strongly consistent), without arriving."""

    @abstractmethod
    def shard_params(self, key: str, shard: int) -> bytes | None:
        """The parameter version ``shard``'s arrival carries (strongly consistent); None
        if it has not arrived or carried none."""

    @abstractmethod
    def note(self, key: str, span: dict[str, Any]) -> None:
        """Append a span document to the barrier's notes (creating the item if need be),
        unless it has messages.limits.MAX_BARRIER_NOTES already: notes are best effort, and
        the item's room is not theirs to fill."""

    @abstractmethod
    def timelines(self, keys: Sequence[str], shards: int) -> dict[str, BarrierTimeline]:
        """The timeline of each barrier that exists among ``keys``, none of which has more
        than ``shards`` shards (eventually consistent: for readers after the fact, not for
        the protocol)."""
