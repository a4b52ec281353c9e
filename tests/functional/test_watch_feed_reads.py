"""What the watch page's reader of a stack reads, beyond what it shows: no telemetry before
the record says a telemetry step is done, no second read of the record, the history the
waiting loop read handed over rather than read again, and no model download at the end when
the shards' parameters of the last step are already read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from functions.protocol.keys import telemetry_key, telemetry_prefix
from functions.protocol.plan import find_plan
from lnn.datasets import load_dataset
from lnn.engines.stack import train_on_stack
from lnn.prepare import prepare
from lnn.watch.feeds import planned_view
from lnn.watch.stack_feed import StackFeed
from messages.status import HistoryEntry, RunRecord, RunStatus
from messages.train_request import TrainConfig

CONFIG = TrainConfig(
    dataset="moons",
    layers=[{"units": 4, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}],
    epochs=4,
    batch_size=30,
    lr=0.3,
    shards=2,
    telemetry_every=2,
)


class _CountingStore:
    def __init__(self, store: Any, counts: Counter[str]) -> None:
        self._store, self._counts = store, counts

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def get_bytes(self, key: str) -> bytes:
        if "/telemetry/" in key or key.startswith(telemetry_prefix("")):
            self._counts["telemetry_get"] += 1
        return self._store.get_bytes(key)


class _CountingClient:
    """The waiting loop's client, with the reads the feed makes through it counted."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.counts: Counter[str] = Counter()
        self.store = _CountingStore(client.store, self.counts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def history(self, run_id: str, *, after: int = 0) -> list[HistoryEntry]:
        self.counts["history"] += 1
        return self._client.history(run_id, after=after)

    def require_record(self, run_id: str) -> RunRecord:
        self.counts["record"] += 1
        return self._client.require_record(run_id)

    # StackClient's own reads of telemetry and spans fetch the record (and plan) again.
    def telemetry(self, run_id: str, *, after_step: int = 0) -> list[Any]:
        self.counts["record"] += 1
        return self._client.telemetry(run_id, after_step=after_step)

    def spans(self, run_id: str) -> list[Any]:
        self.counts["record"] += 1
        return self._client.spans(run_id)

    def download_model(self, run_id: str, dest: Any) -> Any:
        self.counts["model"] += 1
        return self._client.download_model(run_id, dest)


class _Observer:
    """Hands the feed the counting client, and notes what each poll read."""

    def __init__(self, feed: StackFeed) -> None:
        self.feed = feed
        self.client: _CountingClient | None = None
        self.record: RunRecord | None = None
        self.read_early: list[tuple[int, int]] = []  # (steps of telemetry seen, record step)

    def poll(
        self,
        client: Any,
        run_id: str,
        record: RunRecord | None,
        calls: Callable[[], dict[str, Any]] | None = None,
        *,
        history: Sequence[HistoryEntry] | None = None,
    ) -> None:
        if self.client is None:
            self.client = _CountingClient(client)
        before = self.client.counts["telemetry_get"]
        seen = self.feed.view.series.steps[-1] if self.feed.view.series.steps else 0
        self.record = record
        if record is not None and record.status.is_terminal:
            # as `lnn watch` follows a run: its end read with final (the stack is still up)
            self.feed.final(self.client, record)
            return
        self.feed.poll(self.client, run_id, record, calls, history=history)
        plan, read = self.feed.plan, self.client.counts["telemetry_get"] > before
        done = (
            plan is not None
            and record is not None
            and any(s in plan.telemetry for s in range(seen + 1, record.step + 1))
        )
        if read and not done:
            self.read_early.append((seen, 0 if record is None else record.step))


def test_the_feed_reads_each_thing_once_and_nothing_early(
    stack_target: Callable[[], dict[str, Any]],
) -> None:
    data = prepare(load_dataset("moons", samples=90), [x.model_dump() for x in CONFIG.layers])
    view = planned_view("embedded", CONFIG, data.x, data.y)
    feed = StackFeed(view)
    observer = _Observer(feed)
    epochs: list[int] = []
    result = train_on_stack(
        CONFIG, data, observer=observer, on_epoch=lambda e: epochs.append(e.epoch), **stack_target()
    )
    assert result.status == "SUCCEEDED", result.reason
    assert observer.client is not None and observer.record is not None
    counts = observer.client.counts
    assert epochs == [1, 2, 3, 4] and [h.epoch for h in view.history] == epochs
    # the waiting loop read the history for its progress and handed it over
    assert counts["history"] <= 1  # at most the last look, when the run ended
    assert counts["record"] == 0  # the loop's record is the feed's
    assert observer.read_early == []
    assert [r.step for r in view.series.records] == [r.step for r in result.telemetry]
    # the end: the last step's parameters were read from the shards, so no model.npz
    assert counts["model"] == 0
    assert view.document()["boundary"]["step"] == observer.record.step == 4 * 3


def test_no_telemetry_is_asked_for_before_the_record_claims_its_step(
    stack_target: Callable[[], dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lnn.engines.stack import embedded_stack, run_embedded
    from lnn.watch import stack_feed

    monkeypatch.setattr(stack_feed, "POLL_S", 0.0)  # every poll reads, as a slow poller's would
    data = prepare(load_dataset("moons", samples=90), [x.model_dump() for x in CONFIG.layers])
    with embedded_stack(**stack_target()) as session:
        result = run_embedded(session, CONFIG, data)
        client = _CountingClient(session.client)
        ended = session.client.require_record(result.run_id)
        plan = find_plan(session.client.store, result.run_id)
        assert plan is not None
        # The run is over: take its telemetry of the steps after the first out of the store,
        # to be put back as the poll says each step is claimed.
        later: dict[int, dict[str, bytes]] = {}
        for step in range(2, plan.telemetry.total_steps + 1):
            epoch, batch = divmod(step - 1, plan.batches_per_epoch)
            keys = [telemetry_key(result.run_id, epoch, batch, n) for n in (1, 2)]
            if step in plan.telemetry:
                later[step] = {key: session.client.store.get_bytes(key) for key in keys}
                session.client.store.delete(keys)
        feed = StackFeed(planned_view("embedded", CONFIG, data.x, data.y))

        def at(step: int) -> int:
            """Telemetry objects read by a poll of the run as it was when ``step`` was claimed."""
            before = client.counts["telemetry_get"]
            running = ended.model_copy(update={"status": RunStatus.RUNNING, "step": step})
            feed.poll(client, result.run_id, running)
            return client.counts["telemetry_get"] - before

        # telemetry every 2 steps: steps 1, 3, 5, ... (and the last, 12)
        assert at(1) > 0 and feed.view.series.steps == [1]
        assert at(2) == 0  # step 3 not claimed yet: nothing to ask for
        assert at(2) == 0
        for key, body in later[3].items():
            session.client.store.put_bytes(key, body)
        assert at(3) > 0 and feed.view.series.steps == [1, 3]
    assert client.counts["record"] == 0
