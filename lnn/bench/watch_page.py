"""The live page as the watch-cost case runs it, without a browser: its document fetched in
a thread of its own every 2 s (as assets/main.js polls the server), the stack's feed called
by the waiting loop, and the AWS calls both make counted apart from the run's."""

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from lnn.watch.page import PAGE_POLL_S
from lnn.watch.server import document_body
from lnn.watch.stack_feed import StackFeed
from lnn.watch.view import RunView
from messages.status import HistoryEntry, RunRecord

PAGE, FEED = "page", "feed"  # who made a call the views add: the page's thread, the feed


class ViewCalls:
    """Counts the AWS calls made in the threads marked as the views' (``page``: the page's
    thread; ``feed``: the feed's polls in the waiting loop's), as a tracer of
    infra.local.api_calls; each by who made it, so the two are told apart."""

    def __init__(self) -> None:
        self._marked = threading.local()
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {}

    def around(self, call: Any, client: Any, operation: str, params: Any) -> Any:
        who = getattr(self._marked, "who", None)
        if who is not None:
            with self._lock:
                made = self._counts.setdefault(who, Counter())
                made[f"{client.meta.service_model.service_name}.{operation}"] += 1
        return call(client, operation, params)

    def of(self, who: str) -> Counter[str]:
        """The calls ``who`` made so far, by "service.Operation"."""
        with self._lock:
            return Counter(self._counts.get(who, {}))

    @contextmanager
    def marked(self, who: str) -> Iterator[None]:
        """Calls of this thread count as ``who``'s while inside."""
        self._marked.who = who
        try:
            yield
        finally:
            self._marked.who = None


@dataclass
class PageLoad:
    polls: int = 0
    bytes_sent: int = 0
    first_bytes: int = 0  # the whole document, the first poll's
    largest_bytes: int = 0


class PagePoller:
    """A page left open on the run: ``document_body`` as the server answers it, asked every
    PAGE_POLL_S with the content the page holds, from a thread of its own; once more after
    ``stop`` (the run's end, as the page's next poll would see it)."""

    def __init__(self, view: RunView, calls: ViewCalls) -> None:
        self.view, self.calls = view, calls
        self.load = PageLoad()
        self._held: tuple[int, str] | None = None  # (content, view id) the page holds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PagePoller":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
        with self.calls.marked(PAGE):
            self._poll()

    def _run(self) -> None:
        with self.calls.marked(PAGE):
            while True:
                self._poll()
                if self._stop.wait(PAGE_POLL_S):
                    return

    def _poll(self) -> None:
        since, held_view = (None, None) if self._held is None else self._held
        body = document_body(self.view, since, held_view)
        status = json.loads(body)["status"]  # what page.js keeps of it to ask the next time
        self._held = (status["content"], status["view"])
        load = self.load
        load.polls += 1
        load.bytes_sent += len(body)
        load.first_bytes = load.first_bytes or len(body)
        load.largest_bytes = max(load.largest_bytes, len(body))


@dataclass
class FeedCalls:
    """The feed's calls by the kind of poll: the one that read the plan (once, with the
    steps claimed by then), one that found telemetry steps claimed since the poll before,
    one that found none, and the end. A telemetry step counts as found by the poll that
    found it after the views' last read (the feed's throttle may leave it to the next)."""

    start: int = 0
    telemetry: int = 0
    quiet: int = 0
    end: int = 0
    quiet_polls: int = 0
    telemetry_polls: int = 0
    by_operation: Counter[str] = field(default_factory=Counter)


class CountedFeed:
    """The stack's feed as the waiting loop calls it (a StackObserver), each poll's calls
    counted by kind."""

    def __init__(self, feed: StackFeed, calls: ViewCalls) -> None:
        self.feed, self.calls = feed, calls
        self.counted = FeedCalls()

    def poll(
        self,
        client: Any,
        run_id: str,
        record: RunRecord | None,
        calls: Callable[[], dict[str, Any]] | None = None,
        *,
        history: Sequence[HistoryEntry] | None = None,
    ) -> None:
        planned = self.feed.plan is not None
        series = self.feed.view.series.steps
        seen = series[-1] if series else 0  # the latest telemetry step the views were read at
        before = self.calls.of(FEED)
        with self.calls.marked(FEED):
            self.feed.poll(client, run_id, record, calls, history=history)
        made = self.calls.of(FEED)
        made.subtract(before)
        spent = sum(made.values())
        counted = self.counted
        counted.by_operation.update(+made)
        plan = self.feed.plan
        if not planned or plan is None or record is None:
            counted.start += spent
        elif record.status.is_terminal:
            counted.end += spent
        elif plan.telemetry.latest(record.step) > seen:  # the feed's own throttle may delay it
            counted.telemetry += spent
            counted.telemetry_polls += 1
        else:
            counted.quiet += spent
            counted.quiet_polls += 1
