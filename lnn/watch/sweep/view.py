"""SweepView: what the live sweep page shows, fed by the sweep's loop (``update``) and read
by the page's server from its own threads. One version, moved by each update and whenever a
trial's report appears to link to; a poll that holds the current version gets only it."""

import json
import threading
import uuid
from pathlib import Path
from typing import Any

from lnn.sweep.types import SweepRecord
from lnn.watch.sweep.document import sweep_document
from lnn.watch.sweep.trials import Histories, reports_written


class SweepView:
    def __init__(self, sweep_dir: Path) -> None:
        self.sweep_dir = sweep_dir  # where the trials' reports are, and the server's files
        # Names this view to a page's polls: a page left open from another sweep on the
        # same port holds a version of that sweep's view.
        self.id = uuid.uuid4().hex
        self._lock = threading.Lock()
        self._version = 0
        self._record: SweepRecord | None = None
        self._histories: Histories = {}
        self._linked: frozenset[int] = frozenset()
        self._cached: tuple[int, dict[str, Any]] | None = None

    def update(self, record: SweepRecord, histories: Histories) -> None:
        """The sweep as it is now; ``histories[i]`` is trial i's so far (kept, not copied:
        pass lists the caller no longer changes)."""
        with self._lock:
            self._record = record
            self._histories = histories
            self._version += 1

    @property
    def version(self) -> int:
        with self._lock:
            return self._version

    def document(self) -> dict[str, Any]:
        """The page's document, rebuilt only after a change: ``sweep`` is absent until the
        first update."""
        with self._lock:
            self._check_links()
            if self._cached is None or self._cached[0] != self._version:
                built = (
                    {}
                    if self._record is None
                    else sweep_document(self._record, self._histories, self._linked)
                )
                self._cached = (self._version, built)
            return {"version": self._version, "view": self.id, **self._cached[1]}

    def _check_links(self) -> None:
        # A trial's report is written after its end: the version moves when one appears.
        if self._record is None:
            return
        linked = reports_written(self.sweep_dir, self._record, ended_only=True)
        if linked != self._linked:
            self._linked = linked
            self._version += 1

    def poll_body(self, since: int | None, held_view: str | None) -> bytes:
        """The document; for a page that holds version ``since`` of this very view and it is
        still current, only the version."""
        document = self.document()
        if since == document["version"] and held_view == self.id:
            body: dict[str, Any] = {"version": document["version"], "view": self.id}
        else:
            body = document
        return json.dumps(body, separators=(",", ":"), allow_nan=False).encode()
