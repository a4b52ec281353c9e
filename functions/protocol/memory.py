"""What a function keeps between invocations in one process (a warm Lambda container).

Only an optimization: every entry can be rebuilt from durable state, so a process that
dies loses time, never correctness. Each cache is bounded and keyed by what identifies its
object; the in-memory stack drops a whole ProcessMemory to play a fresh container.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

V = TypeVar("V")

ARRAY_CACHE_BYTES = 512 * 1024 * 1024
PLAN_CACHE_RUNS = 64
BATCH_CACHE_ENTRIES = 4  # the x and y of the last two batches
Z_CACHE_ENTRIES = 256


class LruCache(Generic[V]):
    """Least recently used first out, once the entries' total size passes ``capacity``
    (size 1 per entry unless ``size_of`` says otherwise)."""

    def __init__(self, capacity: int, size_of: Callable[[Any], int] = lambda _: 1) -> None:
        self._capacity = capacity
        self._size_of = size_of
        self._size = 0
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def pop(self, key: Hashable) -> V | None:
        with self._lock:
            item = self._items.pop(key, None)
            if item is None:
                return None
            self._size -= item[1]
            return item[0]

    def put(self, key: Hashable, value: V) -> V:
        size = self._size_of(value)
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, size)
                self._size += size
                while self._size > self._capacity and self._items:
                    _, (_, dropped) = self._items.popitem(last=False)
                    self._size -= dropped
        return value

    def __len__(self) -> int:
        return len(self._items)


def nbytes(value: Any) -> int:
    """Bytes held by an array, a dict of arrays, or a JSON-like document (roughly)."""
    if hasattr(value, "nbytes"):
        return int(value.nbytes)
    if isinstance(value, dict):
        return sum(nbytes(v) for v in value.values()) or 64
    return 64


@dataclass
class ProcessMemory:
    """The caches of one process: decoded objects, run plans, batch columns, forward Zs."""

    objects: LruCache[Any] = field(default_factory=lambda: LruCache(ARRAY_CACHE_BYTES, nbytes))
    plans: LruCache[Any] = field(default_factory=lambda: LruCache(PLAN_CACHE_RUNS))
    batches: LruCache[Any] = field(default_factory=lambda: LruCache(BATCH_CACHE_ENTRIES))
    z: LruCache[Any] = field(default_factory=lambda: LruCache(Z_CACHE_ENTRIES))
