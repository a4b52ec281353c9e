"""The live sweep page as a bench side: the view the page reads (fed at every change of
the sweep, with the running trials' histories read as they grow) and a page left open on
it, polling every PAGE_POLL_S from a thread of its own, as the page's server answers it."""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path

from lnn.sweep.keeper import Histories
from lnn.sweep.types import SweepRecord
from lnn.watch.page import PAGE_POLL_S
from lnn.watch.sweep import SweepView

__all__ = ["OpenSweepPage"]


class OpenSweepPage:
    """``changed`` is the scheduler's on_change; polls and bytes are what the page got."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="lnn-bench-sweep-")
        self.view = SweepView(Path(self._dir.name))
        self.polls = self.bytes_sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def changed(self, record: SweepRecord, live: Histories) -> None:
        self.view.update(record, {index: list(history) for index, history in live.items()})

    def __enter__(self) -> OpenSweepPage:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
        self._dir.cleanup()

    def _run(self) -> None:
        held: tuple[int, str] | None = None
        while True:
            since, view = (None, None) if held is None else held
            body = self.view.poll_body(since, view)
            answer = json.loads(body)
            held = (answer["version"], answer["view"])
            self.polls += 1
            self.bytes_sent += len(body)
            if self._stop.wait(PAGE_POLL_S):
                return
