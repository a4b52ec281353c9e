"""Where spans ride (docs/telemetry.md, "Spans"): on the barrier writes a task makes anyway.

A delivery's start time and receive count are set by ``guarded`` for the work it runs
(``delivery``). A shard's arrival carries its span (start, claim time, delivery) in the same
UpdateItem that claims it, and the mark that says a stage was published names its publisher
and when it finished: a clean step costs no extra call. Only what is rare costs one write
each, a note appended to the task's barrier item: a duplicate dropped, a crashed publisher
healed, a delivery that failed, a message dead-lettered.
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from functions.ports import Barriers, BarrierTimeline
from functions.protocol.keys import barrier_key
from functions.telemetry.spans import FUNCTION_OF_DIRECTION, Outcome, Span
from messages.exceptions import MessageError
from messages.tasks import BackwardTask, ForwardTask, LossTask, parse_task

NetworkTask = ForwardTask | BackwardTask | LossTask
LOSS_LAYER = 0  # the loss stage's barrier and lane, after the output layer's
DETAIL_LIMIT = 300  # characters of an error kept in a span; the run record keeps it whole
_log = logging.getLogger(__name__)
_DIRECTION = {"forward": "fwd", "backward": "bwd", "loss": "loss"}


@dataclass(frozen=True)
class Delivery:
    started: float
    count: int


_current: ContextVar[Delivery | None] = ContextVar("lnn_delivery", default=None)


@contextmanager
def delivery(count: int) -> Iterator[Delivery]:
    """The delivery being worked on, for the spans its work leaves."""
    current = Delivery(time.time(), count)
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)


def _now() -> Delivery:
    # Work called outside guarded (a test driving the protocol directly) still leaves spans.
    return _current.get() or Delivery(time.time(), 1)


def direction_of(task: NetworkTask) -> str:
    return _DIRECTION[task.kind]


def layer_of(task: NetworkTask) -> int:
    return LOSS_LAYER if isinstance(task, LossTask) else task.layer


def shard_of(task: NetworkTask) -> int:
    return 0 if isinstance(task, LossTask) else task.shard


def task_barrier(task: NetworkTask) -> str:
    """The barrier a network task arrives at (the loss stage's has one shard)."""
    return barrier_key(
        task.run_id, task.phase, task.epoch, task.batch, direction_of(task), layer_of(task)
    )


def arrival_span() -> str:
    """What a shard's arrival stores: "start,claimed_at,delivery"."""
    current = _now()
    return f"{current.started:.6f},{time.time():.6f},{current.count}"


def publisher_span(shard: int) -> str:
    """What the published mark stores: "shard,start,published_at,delivery"."""
    current = _now()
    return f"{shard},{current.started:.6f},{time.time():.6f},{current.count}"


def span_of(task: NetworkTask, outcome: Outcome, detail: str | None = None) -> Span:
    direction = direction_of(task)
    current = _now()
    return Span(
        function=FUNCTION_OF_DIRECTION[direction],
        phase=task.phase,
        direction=direction,
        epoch=task.epoch,
        batch=task.batch,
        layer=layer_of(task),
        shard=shard_of(task),
        start=current.started,
        end=time.time(),
        delivery=current.count,
        outcome=outcome,
        detail=detail,
    )


def note(
    barriers: Barriers, task: NetworkTask, outcome: Outcome, detail: str | None = None
) -> None:
    """One extra write, on the rare paths only."""
    barriers.note(task_barrier(task), span_of(task, outcome, detail).to_document())


def note_failure(barriers: Barriers, body: str, outcome: Outcome, detail: str) -> None:
    """The span of a delivery that failed, when its body is a network task; best effort: a
    failing note must not hide the failure it reports."""
    try:
        task = parse_task(body)
    except (MessageError, ValueError):
        return  # an invalid or trainer message names no barrier
    try:
        note(barriers, task, outcome, detail[:DETAIL_LIMIT])
    except Exception as exc:  # the failure being handled is what SQS must see, not this one
        _log.warning("could not note a span: %s", exc)


def barrier_spans(
    timeline: BarrierTimeline, *, phase: str, direction: str, epoch: int, batch: int, layer: int
) -> list[Span]:
    """The spans one barrier item holds: its arrivals, its publisher, its notes."""
    publisher = None
    if timeline.publisher is not None:
        shard, start, end, count = timeline.publisher.split(",")
        publisher = (int(shard), float(start), float(end), int(count))
    spans = []
    for shard, text in sorted(timeline.arrivals.items()):
        start, end, count = text.split(",")
        outcome: Outcome = "claimed"
        stop = float(end)
        if publisher is not None and publisher[0] == shard and publisher[3] == int(count):
            outcome, stop = "completed", publisher[2]
        spans.append(
            Span(
                function=FUNCTION_OF_DIRECTION[direction],
                phase=phase,
                direction=direction,
                epoch=epoch,
                batch=batch,
                layer=layer,
                shard=shard,
                start=float(start),
                end=stop,
                delivery=int(count),
                outcome=outcome,
            )
        )
    spans.extend(Span.from_document(document) for document in timeline.notes)
    return spans
