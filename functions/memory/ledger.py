"""InMemoryRunLedger: run records in a dict; each write checks its Expect under a lock."""

import copy
import threading
from typing import Any

from functions.ports import Change, RunLedger


class InMemoryRunLedger(RunLedger):
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.histories: dict[str, dict[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _insert(self, item: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        with self._lock:
            found = self.items.get(item["run_id"])
            if found is not None:
                return False, copy.deepcopy(found)
            self.items[item["run_id"]] = copy.deepcopy(item)
            return True, copy.deepcopy(item)

    def _update(self, run_id: str, change: Change) -> tuple[bool, dict[str, Any]]:
        with self._lock:
            item = self.items.get(run_id)
            if item is None:
                return False, {}
            if change.expect is not None and not change.expect.holds(item):
                return False, copy.deepcopy(item)
            item.update(copy.deepcopy(dict(change.sets)))
            for name in change.removes:
                item.pop(name, None)
            return True, copy.deepcopy(item)

    def _get(self, run_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self.items.get(run_id)
            return None if found is None else copy.deepcopy(found)

    def _put_history(self, run_id: str, entry: dict[str, Any]) -> None:
        with self._lock:
            self.histories.setdefault(run_id, {})[entry["epoch"]] = copy.deepcopy(entry)

    def _history(self, run_id: str, after: int) -> list[dict[str, Any]]:
        with self._lock:
            entries = self.histories.get(run_id, {})
            return [copy.deepcopy(entries[e]) for e in sorted(entries) if e > after]

    def _all(self) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(item) for item in self.items.values()]
