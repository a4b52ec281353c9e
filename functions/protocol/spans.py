"""Where spans ride (docs/telemetry.md, "Spans"): on the barrier writes a task makes anyway.

A delivery's start time and receive count are set by ``guarded`` for the work it runs
(functions/protocol/delivery.py). A shard's arrival carries its span (start, claim time,
delivery) in the same UpdateItem that claims it, and the barrier numbers its arrivals, so
the one that completed it is known: a clean step costs no extra call. Only what is rare
costs one write each, a note appended to the task's barrier item: a duplicate dropped, a
crashed publisher healed, a delivery that failed, a message dead-lettered.
"""

import logging
import time

from functions.ports import Barriers, BarrierTimeline
from functions.protocol.delivery import current
from functions.protocol.keys import barrier_key
from functions.telemetry.spans import FUNCTION_OF_DIRECTION, Outcome, Span
from messages.exceptions import MessageError
from messages.tasks import BackwardTask, ForwardTask, LossTask, parse_task

NetworkTask = ForwardTask | BackwardTask | LossTask
LOSS_LAYER = 0  # the loss stage's barrier and lane, after the output layer's
DETAIL_LIMIT = 300  # characters of an error kept in a span; the run record keeps it whole
_log = logging.getLogger(__name__)
_DIRECTION = {"forward": "fwd", "backward": "bwd", "loss": "loss"}


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
    now = current()
    return f"{now.started:.6f},{time.time():.6f},{now.count}"


def span_of(task: NetworkTask, outcome: Outcome, detail: str | None = None) -> Span:
    direction = direction_of(task)
    now = current()
    return Span(
        function=FUNCTION_OF_DIRECTION[direction],
        phase=task.phase,
        direction=direction,
        epoch=task.epoch,
        batch=task.batch,
        layer=layer_of(task),
        shard=shard_of(task),
        start=now.started,
        end=time.time(),
        delivery=now.count,
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
    timeline: BarrierTimeline,
    expected: int,
    *,
    phase: str,
    direction: str,
    epoch: int,
    batch: int,
    layer: int,
) -> list[Span]:
    """The spans one barrier item of ``expected`` shards holds: its arrivals (the one
    numbered ``expected`` completed it and published), then its notes."""
    spans = []
    for shard, text in sorted(timeline.arrivals.items()):
        start, end, count = text.split(",")
        completed = timeline.ordinals.get(shard) == expected
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
                end=float(end),
                delivery=int(count),
                outcome="completed" if completed else "claimed",
            )
        )
    spans.extend(Span.from_document(document) for document in timeline.notes)
    return spans
