"""Telemetry and spans, riding on writes the protocol makes anyway (docs/telemetry.md).

- Telemetry, on a telemetry step only (``RunPlan.telemetry``, the reference engine's
  cadence): the loss stage puts the output layer's forward figures and class counts into
  that layer's backward tasks; every backward shard puts its record into its barrier
  arrival (the UpdateItem that claims it); the arrival that completes a layer's backward
  barrier merges the shards' records in shard order and writes one object per layer at a
  deterministic key, so a retry writes the same bytes. A step without telemetry runs none
  of this and makes no call.
- Spans: a shard's arrival carries its span (start, claim time, delivery) in the same
  UpdateItem that claims it, and the barrier numbers its arrivals, so the one that
  completed it is known and a clean step costs no extra call. Only what is rare costs one
  write each, a note on the task's barrier item: a duplicate dropped, a crashed publisher
  healed, a delivery that failed, a message dead-lettered.
- The timeline read back: every barrier key of a run is computable from its plan, so the
  reader asks for them in order, a batch of keys at a time, and stops at the first step
  that left nothing (where the run stopped, or where the items expired).
"""

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from numpy import ndarray

from functions.nn.types import LayerParams
from functions.ports import Arrival, Barriers, BarrierTimeline, ObjectNotFoundError
from functions.protocol.arrays import ArrayStore
from functions.protocol.delivery import Services, current
from functions.protocol.keys import barrier_key, telemetry_key, telemetry_part_key, telemetry_prefix
from functions.protocol.plan import RunPlan, find_plan
from functions.telemetry import (
    ClassCounts,
    ForwardStats,
    LayerTelemetry,
    TelemetryRecord,
    dumps_records,
    loads_records,
    merge_shards,
)
from functions.telemetry.spans import FUNCTION_OF_DIRECTION, Outcome, Span, ordered
from functions.training.schedule import eval_epochs
from functions.training.step import ShardGradients, ShardUpdate
from functions.training.telemetry import hidden_forward, output_figures, shard_telemetry
from messages.exceptions import MessageError
from messages.limits import TELEMETRY_ITEM_BUDGET, TELEMETRY_MESSAGE_BUDGET
from messages.tasks import BackwardTask, ForwardTask, LossTask, parse_task

_REF = "ref"  # a document too large for its item or message: {"ref": S3 key}
_CLASSES = "classes"  # the batch's class counts, in shard 0's record of the output layer


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), allow_nan=False)


def _inline_or_spill(svc: Services, text: str, key: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    svc.store.put_bytes(key, text.encode())
    return _dumps({_REF: key})


def _load(svc: Services, run: str, text: str) -> dict[str, Any]:
    document = json.loads(text)
    if _REF in document:
        key = document[_REF]
        # The loss stage's reference travels in a message: it may name this run's telemetry
        # objects only (docs/design.md, rule 10).
        if not isinstance(key, str) or not key.startswith(telemetry_prefix(run)) or ".." in key:
            raise MessageError(f"telemetry reference {key!r} is outside run {run}'s telemetry")
        document = json.loads(svc.store.get_bytes(key))
    return document


def observed(plan: RunPlan, task: LossTask | ForwardTask | BackwardTask) -> bool:
    """Whether the task's step (the update it makes: ``task.step + 1``) records telemetry."""
    return task.phase == "train" and task.step + 1 in plan.telemetry


def loss_documents(
    svc: Services,
    plan: RunPlan,
    task: LossTask | ForwardTask,
    z: ndarray,
    y: ndarray,
    a: ndarray,
) -> list[str | None]:
    """For each output shard's backward task: the loss stage's figures of its units (``a``
    is the g(Z) the loss stage computed). The batch's class counts go to shard 0 alone:
    its record in the barrier is where the layer's merge reads them."""
    ranges = plan.ranges(plan.depth)
    if not observed(plan, task):
        return [None] * len(ranges)
    figures = output_figures(z, y, plan.specs[-1].activation, ranges, a)
    classes = None if figures.classes is None else figures.classes.to_document()
    documents: list[str | None] = []
    for shard, forward in enumerate(figures.forward):
        document = {"forward": forward.to_document(), "classes": classes if shard == 0 else None}
        key = telemetry_part_key(task.run_id, task.epoch, task.batch, plan.depth, f"loss{shard}")
        documents.append(_inline_or_spill(svc, _dumps(document), key, TELEMETRY_MESSAGE_BUDGET))
    return documents


@dataclass(frozen=True)
class ShardTelemetry:
    """A backward shard's telemetry on a telemetry step: ``document`` rides in its barrier
    arrival, and the arrival that completes the layer's barrier writes the merged record."""

    svc: Services
    plan: RunPlan
    task: BackwardTask
    document: str | None  # None off the cadence: the shard records nothing

    def write_layer(self, arrival: Arrival) -> None:
        """From the arrival that completed the layer's backward barrier: the merged record,
        at a deterministic key (a retry writes the same bytes)."""
        if self.document is None:
            return
        task, run = self.task, self.task.run_id
        shards = range(len(self.plan.ranges(task.layer)))
        documents = [_load(self.svc, run, arrival.telemetry[k]) for k in shards]
        parts = [LayerTelemetry.from_document(d) for d in documents]
        counts = documents[0].get(_CLASSES)
        classes = None if counts is None else ClassCounts.from_document(counts)
        merged = merge_shards(parts)
        record = TelemetryRecord(task.epoch, task.batch, task.step + 1, merged, classes)
        body = dumps_records([record]).encode()
        self.svc.store.put_bytes(telemetry_key(run, task.epoch, task.batch, task.layer), body)


def shard_telemetry_of(
    svc: Services,
    plan: RunPlan,
    task: BackwardTask,
    z: ndarray | None,
    params: LayerParams,
    grads: ShardGradients,
    update: ShardUpdate,
) -> ShardTelemetry:
    """The backward shard's record for its barrier arrival (nothing off the cadence). The
    output layer's forward figures, and shard 0's class counts, come from the loss stage's
    document in the task, read once."""
    if not observed(plan, task):
        return ShardTelemetry(svc, plan, task, None)
    layer, spec = task.layer, plan.specs[task.layer - 1]
    classes = None
    if layer == plan.depth:
        if task.telemetry is None:
            raise MessageError(
                f"the output layer's backward task of step {task.step + 1} lacks telemetry"
            )
        loss = _load(svc, task.run_id, task.telemetry)
        forward, classes = ForwardStats.from_document(loss["forward"]), loss.get("classes")
    else:
        if z is None:
            raise ValueError(f"layer {layer}'s backward shard holds no Z")
        forward = hidden_forward(z, spec.activation, grads)
    rows = plan.ranges(layer)[task.shard]
    record = shard_telemetry(layer, spec, rows, forward, params, grads, update).to_document()
    if classes is not None:
        record[_CLASSES] = classes
    key = telemetry_part_key(task.run_id, task.epoch, task.batch, layer, f"s{task.shard}")
    limit = TELEMETRY_ITEM_BUDGET // len(plan.ranges(layer))
    return ShardTelemetry(svc, plan, task, _inline_or_spill(svc, _dumps(record), key, limit))


def read_telemetry(
    store: ArrayStore,
    run: str,
    *,
    after_step: int = 0,
    through_step: int | None = None,
    plan: RunPlan | None = None,
) -> list[TelemetryRecord]:
    """A run's records of the steps after ``after_step``, in step then layer order, read back
    from their keys (its plan says which exist); it stops at the first telemetry step with
    none, where the run stopped (or, for a run in progress, has not yet reached), or after
    ``through_step``, the last step a caller knows was claimed. A caller holding the run's
    ``plan`` passes it, saving its read."""
    plan = plan or find_plan(store, run)
    if plan is None:
        return []
    last = plan.telemetry.total_steps if through_step is None else through_step
    records: list[TelemetryRecord] = []
    for step in range(after_step + 1, min(last, plan.telemetry.total_steps) + 1):
        if step not in plan.telemetry:
            continue
        epoch, batch = divmod(step - 1, plan.batches_per_epoch)
        found = []
        for layer in range(1, plan.depth + 1):
            try:
                body = store.get_bytes(telemetry_key(run, epoch, batch, layer))
            except ObjectNotFoundError:
                continue
            found.extend(loads_records(body.decode()))
        if not found:
            break
        records.extend(found)
    return records


NetworkTask = ForwardTask | BackwardTask | LossTask
_LOSS_LAYER = 0  # the loss stage's barrier and lane, after the output layer's
_DETAIL_LIMIT = 300  # characters of an error kept in a span; the run record keeps it whole
_log = logging.getLogger(__name__)
_DIRECTION = {"forward": "fwd", "backward": "bwd", "loss": "loss"}


def _direction_of(task: NetworkTask) -> str:
    return _DIRECTION[task.kind]


def _layer_of(task: NetworkTask) -> int:
    return _LOSS_LAYER if isinstance(task, LossTask) else task.layer


def _shard_of(task: NetworkTask) -> int:
    return 0 if isinstance(task, LossTask) else task.shard


def task_barrier(task: NetworkTask) -> str:
    """The barrier a network task arrives at (the loss stage's has one shard)."""
    return barrier_key(
        task.run_id, task.phase, task.epoch, task.batch, _direction_of(task), _layer_of(task)
    )


def arrival_span() -> str:
    """What a shard's arrival stores: "start,claimed_at,delivery"."""
    now = current()
    return f"{now.started:.6f},{time.time():.6f},{now.count}"


def _span_of(task: NetworkTask, outcome: Outcome, detail: str | None = None) -> Span:
    direction = _direction_of(task)
    now = current()
    return Span(
        function=FUNCTION_OF_DIRECTION[direction],
        phase=task.phase,
        direction=direction,
        epoch=task.epoch,
        batch=task.batch,
        layer=_layer_of(task),
        shard=_shard_of(task),
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
    barriers.note(task_barrier(task), _span_of(task, outcome, detail).to_document())


def note_failure(barriers: Barriers, body: str, outcome: Outcome, detail: str) -> None:
    """The span of a delivery that failed, when its body is a network task; best effort: a
    failing note must not hide the failure it reports."""
    try:
        task = parse_task(body)
    except (MessageError, ValueError):
        return  # an invalid or trainer message names no barrier
    try:
        note(barriers, task, outcome, detail[:_DETAIL_LIMIT])
    except Exception as exc:  # the failure being handled is what SQS must see, not this one
        _log.warning("could not note a span: %s", exc)


def _barrier_spans(
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


KEYS_PER_READ = 100


@dataclass(frozen=True)
class Stage:
    phase: str
    direction: str
    epoch: int
    batch: int
    layer: int

    def key(self, run: str) -> str:
        return barrier_key(run, self.phase, self.epoch, self.batch, self.direction, self.layer)


def pass_stages(
    depth: int, folded: bool, phase: str, epoch: int = 0, batch: int = 0
) -> list[Stage]:
    """The barriers of one step (or one evaluation pass), in the order they are claimed:
    one per hop, since each hop's task claims one barrier.

    ``folded``: one shard owns the output layer, so its training task claims no forward or
    loss barrier: it runs the loss and its backward pass too, and claims the backward
    barrier (functions/protocol/output.py); its evaluation task claims the forward one.
    """
    last_forward = depth - 1 if folded and phase == "train" else depth
    stages = [Stage(phase, "fwd", epoch, batch, layer) for layer in range(1, last_forward + 1)]
    if not folded:
        stages.append(Stage(phase, "loss", epoch, batch, _LOSS_LAYER))
    if phase == "train":
        stages += [Stage(phase, "bwd", epoch, batch, layer) for layer in range(depth, 0, -1)]
    return stages


def _pass(plan: RunPlan, phase: str, epoch: int, batch: int) -> list[Stage]:
    return pass_stages(plan.depth, plan.loss_in_output_shard, phase, epoch, batch)


def run_passes(plan: RunPlan) -> Iterator[list[Stage]]:
    """Every step and evaluation pass of the run, in the order the trainer starts them."""
    epochs = plan.config.epochs
    evaluated = eval_epochs(epochs, plan.config.eval_every)
    passes = range(len(plan.layout.eval_passes))
    if epochs == 0:
        yield from (_pass(plan, "eval", 0, p) for p in passes)
    for epoch in range(epochs):
        for batch in range(plan.batches_per_epoch):
            yield _pass(plan, "train", epoch, batch)
        if epoch in evaluated:
            yield from (_pass(plan, "eval", epoch, p) for p in passes)


def read_spans(barriers: Barriers, plan: RunPlan) -> list[Span]:
    """Every span the run's barriers hold, ordered by start time."""
    run, widest = plan.run_id, max(len(plan.ranges(layer)) for layer in range(1, plan.depth + 1))
    spans: list[Span] = []
    chunk: list[list[Stage]] = []
    passes = run_passes(plan)
    while True:
        chunk.clear()
        for stages in passes:
            chunk.append(stages)
            if sum(len(s) for s in chunk) + len(stages) > KEYS_PER_READ:
                break
        if not chunk:
            break
        found = barriers.timelines([s.key(run) for stages in chunk for s in stages], widest)
        for stages in chunk:
            if not any(s.key(run) in found for s in stages):
                return ordered(spans)  # the run stopped before this step
            for s in stages:
                if (timeline := found.get(s.key(run))) is not None:
                    spans += stage_spans(plan, s, timeline)
    return ordered(spans)


def stage_spans(plan: RunPlan, stage: Stage, timeline: BarrierTimeline) -> list[Span]:
    """The spans of one stage's barrier item."""
    shards = 1 if stage.direction == "loss" else len(plan.ranges(stage.layer))
    return _barrier_spans(
        timeline,
        shards,
        phase=stage.phase,
        direction=stage.direction,
        epoch=stage.epoch,
        batch=stage.batch,
        layer=stage.layer,
    )
