"""Which queue to poll next: the network moves one layer at a time, so follow it."""

from __future__ import annotations

import itertools
import time
from collections.abc import Collection, Iterable, Sequence
from typing import TypeVar

_MAX_FOLLOWERS = 3

T = TypeVar("T")


class HopPredictor:
    """Learns which queue had messages right after which, to keep empty receives few."""

    def __init__(self, max_starvation_s: float = 1.0) -> None:
        self.max_starvation_s = max_starvation_s
        self._followers: dict[object, list[str]] = {}
        self._recency: dict[str, int] = {}
        self._clock = itertools.count()
        self._last: str | None = None
        self._before_last: str | None = None
        self._last_full = False
        self._streak = 0
        self._swept_at = time.monotonic()

    def hit(self, key: str, *, full: bool) -> None:
        """`key` delivered records; `full` when its receive was full (more may wait)."""
        if self._last is not None:
            # A layer queue carries both directions: layer 4 follows layer 3 when the network
            # came from layer 2, layer 2 when it came from 4. So learn with two queues of
            # context. A queue can follow itself: layer 1's last backward stage starts the
            # next step's forward stage on layer 1.
            for context in ((self._before_last, self._last), self._last):
                followers = self._followers.setdefault(context, [])
                if key in followers:
                    followers.remove(key)
                followers.insert(0, key)
                del followers[_MAX_FOLLOWERS:]
            self._before_last = self._last
        self._last, self._last_full = key, full
        self._recency[key] = next(self._clock)

    def guesses(self, known: Collection[str]) -> list[str]:
        """Keys likely to hold the next messages, best first."""
        if self._last is None:
            return []
        keys = [self._last] if self._last_full else []
        keys += self._followers.get((self._before_last, self._last), [])
        keys += self._followers.get(self._last, [])
        return [k for k in dict.fromkeys(keys) if k in known]

    def sweep_due(self, n_keys: int) -> bool:
        """True once guesses were right n_keys times in a row over max_starvation_s.

        Then every queue is polled, so that a busy chain cannot starve the others.
        """
        overdue = time.monotonic() - self._swept_at >= self.max_starvation_s
        return overdue and self._streak >= n_keys

    def guessed_right(self) -> None:
        self._streak += 1

    def swept(self) -> None:
        self._streak = 0
        self._swept_at = time.monotonic()

    def sweep_order(self, items: Iterable[tuple[str, T]], first: Sequence[str] = ()) -> list[T]:
        """Items with keys in `first` leading, then by when they last delivered (recent first)."""
        lead = {key: i for i, key in enumerate(first)}

        def rank(kv: tuple[str, T]) -> tuple[int, int]:
            return lead.get(kv[0], len(lead)), -self._recency.get(kv[0], -1)

        return [item for _, item in sorted(items, key=rank)]
