"""What watching costs a stack, counted call by call: the live page's reader makes no AWS
call on a step without telemetry, and on a telemetry step reads that step's telemetry (one
object a layer), the parameters at it (one read a shard) and the latest spans (one
BatchGetItem), whichever step the waiting loop looks at."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from functions.protocol.plan import RunPlan
from infra.local import ApiCallCounter
from lnn.datasets import load_dataset
from lnn.engines.stack import train_on_stack
from lnn.prepare import prepare, split
from lnn.watch.feeds import planned_view
from lnn.watch.stack_feed import StackFeed
from messages.status import HistoryEntry, RunRecord
from messages.train_request import TrainConfig

CONFIG = TrainConfig(
    dataset="moons",
    layers=[
        {"units": 4, "activation": "relu"},
        {"units": 3, "activation": "tanh"},
        {"units": 1, "activation": "sigmoid"},
    ],
    epochs=8,
    batch_size=30,
    lr=0.3,
    shards=2,
    telemetry_every=4,  # 3 steps an epoch, 24 in all: telemetry at 1, 5, 9, ..., 21 and 24
)


@dataclass
class Poll:
    before: int  # the record's step at the poll before
    step: int  # the record's step at this one
    calls: Counter[str]
    planned: bool  # the feed knew the run's plan before the poll (it reads it once)
    ended: bool  # the record said the run is over


class _CountedFeed:
    """The feed as the waiting loop calls it, each poll's AWS calls counted: the runner
    delivers nothing while the loop polls, so every call in a poll is the feed's."""

    def __init__(self, feed: StackFeed) -> None:
        self.feed = feed
        self.polls: list[Poll] = []
        self._step = 0

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
        with ApiCallCounter() as counter:
            self.feed.poll(client, run_id, record, calls, history=history)
        step = self._step if record is None else record.step
        ended = record is not None and record.status.is_terminal
        self.polls.append(Poll(self._step, step, Counter(counter.snapshot()), planned, ended))
        self._step = step


def _bound(plan: RunPlan, claimed: int) -> int:
    """The calls of a poll that finds ``claimed`` new telemetry steps: their objects (one a
    layer), the parameters of the latest (one read a shard of every layer), one BatchGetItem."""
    shards = sum(len(plan.ranges(layer)) for layer in range(1, plan.depth + 1))
    return claimed * plan.depth + shards + 1


def test_the_page_reads_nothing_on_steps_without_telemetry(
    stack_target: Callable[[], dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lnn.engines import stack
    from lnn.watch import stack_feed

    # The loop looks at the record whenever the runner asks it, the feed at every look:
    # nearly every step is polled, most of them steps without telemetry.
    monkeypatch.setattr(stack, "_STATUS_POLL_S", 0.0)
    monkeypatch.setattr(stack_feed, "POLL_S", 0.0)
    data = prepare(load_dataset("moons", samples=90), [x.model_dump() for x in CONFIG.layers])
    columns = split(data, holdout=CONFIG.holdout, seed=CONFIG.seed)
    view = planned_view("embedded", CONFIG, data.x, data.y, columns, ("upper", "lower"))
    counted = _CountedFeed(StackFeed(view))
    result = train_on_stack(
        CONFIG, data, observer=counted, on_epoch=lambda entry: None, **stack_target()
    )
    assert result.status == "SUCCEEDED", result.reason
    plan = counted.feed.plan
    assert plan is not None and plan.telemetry.total_steps == 24
    running = [p for p in counted.polls if p.planned and not p.ended]
    assert sum(not p.planned for p in counted.polls if sum(p.calls.values())) == 1  # the plan
    assert len({p.step for p in running}) > 12  # most steps were looked at
    quiet = [p for p in running if plan.telemetry.latest(p.step) == plan.telemetry.latest(p.before)]
    assert quiet and all(sum(p.calls.values()) == 0 for p in quiet), [p.calls for p in quiet]
    claiming = [p for p in running if p not in quiet]
    assert len(claiming) >= 3
    for poll in claiming:
        claimed = sum(s in plan.telemetry for s in range(poll.before + 1, poll.step + 1))
        reads = Counter({k: v for k, v in poll.calls.items() if k != "dynamodb.BatchGetItem"})
        assert poll.calls["dynamodb.BatchGetItem"] == 1  # the latest passes' spans
        assert reads["s3.GetObject"] >= claimed * plan.depth  # the telemetry objects
        assert sum(poll.calls.values()) <= _bound(plan, claimed), poll.calls
    # what the page shows was read all the same: every telemetry step, the latest parameters
    assert [r.step for r in view.series.records] == [r.step for r in result.telemetry]
    assert view.document()["boundary"]["step"] == 24
