"""The sweep's record as its scheduler changes it: one trial's fields at a time, the best
trial named again at every save, each save going to whoever follows and to every store
(epochs alone at most every PROGRESS_SAVE_S)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from lnn.sweep.ranking import best_trial
from lnn.sweep.store import SweepStore
from lnn.sweep.types import SweepRecord
from messages.status import HistoryEntry

__all__ = ["Changed", "Histories", "RecordKeeper"]

# Each trial's history so far, by trial index (the trials that have one).
Histories = Mapping[int, Sequence[HistoryEntry]]
# Called after each save with the record and the histories read so far (the live page).
Changed = Callable[[SweepRecord, Histories], None]
# A change of epochs alone reaches the stores at most this often (on a stack each store is a
# PutObject): a status, verdict or result at once.
PROGRESS_SAVE_S = 5.0


class RecordKeeper:
    def __init__(
        self, record: SweepRecord, stores: Sequence[SweepStore], on_change: Changed | None
    ) -> None:
        self.record, self.stores, self.on_change = record, stores, on_change
        self.histories: dict[int, list[HistoryEntry]] = {}
        self._unsaved = True  # something besides epochs changed since the stores' last write
        self._stored_at = 0.0

    def _update(self, index: int, **fields: object) -> None:
        if set(fields) - {"epochs_done"}:
            self._unsaved = True
        trials = list(self.record.trials)
        trials[index] = trials[index].model_copy(update=fields)
        self.record = self.record.model_copy(update={"trials": trials})

    def _save(self) -> None:
        # Named at every save, so that a reader never sees every trial final and no best.
        best = best_trial(self.record.trials, self.record.metric)
        self.record = self.record.model_copy(update={"best": best, "updated_at": datetime.now(UTC)})
        now = time.monotonic()
        if self._unsaved or now - self._stored_at >= PROGRESS_SAVE_S:
            for store in self.stores:
                store.save(self.record)
            self._unsaved, self._stored_at = False, now
        if self.on_change is not None:
            self.on_change(self.record, self.histories)
