"""Telemetry on the protocol's existing writes (docs/telemetry.md, "Where it rides").

Only on a telemetry step (``RunPlan.telemetry``, the same cadence as the reference engine's):
the loss stage puts the output layer's forward figures and class counts into that layer's
backward tasks; every backward shard puts its record into its barrier arrival (the same
UpdateItem that claims it); the arrival that completes a layer's backward barrier merges the
shards' records in shard order and writes one object per layer at a deterministic key. A
retry rebuilds the same bytes from the same stored documents, so the write is idempotent. A
step without telemetry runs none of this and makes no call.
"""

import json
from typing import Any

from numpy import ndarray

from functions.ports import Arrival, ObjectNotFoundError
from functions.protocol.arrays import ArrayStore
from functions.protocol.keys import telemetry_key, telemetry_part_key, telemetry_prefix
from functions.protocol.run_plan import RunPlan, find_plan
from functions.protocol.services import Services
from functions.telemetry import (
    ClassCounts,
    ForwardStats,
    LayerTelemetry,
    TelemetryRecord,
    dumps_records,
    loads_records,
    merge_shards,
)
from functions.training.step import ShardGradients, ShardUpdate
from functions.training.telemetry import hidden_forward, output_figures, shard_telemetry
from messages.exceptions import MessageError
from messages.limits import TELEMETRY_ITEM_BUDGET, TELEMETRY_MESSAGE_BUDGET
from messages.tasks import BackwardTask, ForwardTask, LossTask

_REF = "ref"  # a document too large for its item or message: {"ref": S3 key}


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
    svc: Services, plan: RunPlan, task: LossTask | ForwardTask, z: ndarray, y: ndarray
) -> list[str | None]:
    """For each output shard's backward task: the loss stage's figures of its units."""
    ranges = plan.ranges(plan.depth)
    if not observed(plan, task):
        return [None] * len(ranges)
    figures = output_figures(z, y, plan.specs[-1].activation, ranges)
    classes = None if figures.classes is None else figures.classes.to_document()
    documents: list[str | None] = []
    for shard, forward in enumerate(figures.forward):
        text = _dumps({"forward": forward.to_document(), "classes": classes})
        key = telemetry_part_key(task.run_id, task.epoch, task.batch, plan.depth, f"loss{shard}")
        documents.append(_inline_or_spill(svc, text, key, TELEMETRY_MESSAGE_BUDGET))
    return documents


def _loss_document(svc: Services, task: BackwardTask) -> dict[str, Any]:
    if task.telemetry is None:
        raise MessageError(
            f"the output layer's backward task of step {task.step + 1} lacks telemetry"
        )
    return _load(svc, task.run_id, task.telemetry)


def shard_document(
    svc: Services,
    plan: RunPlan,
    task: BackwardTask,
    z: ndarray | None,
    w: ndarray,
    b: ndarray,
    grads: ShardGradients,
    update: ShardUpdate,
) -> str | None:
    """The backward shard's record for its barrier arrival; None off the cadence."""
    if not observed(plan, task):
        return None
    layer, spec = task.layer, plan.specs[task.layer - 1]
    if layer == plan.depth:
        forward = ForwardStats.from_document(_loss_document(svc, task)["forward"])
    else:
        if z is None:
            raise ValueError(f"layer {layer}'s backward shard holds no Z")
        forward = hidden_forward(z, spec.activation)
    rows = plan.ranges(layer)[task.shard]
    record = shard_telemetry(layer, spec, rows, forward, w, b, grads, update)
    key = telemetry_part_key(task.run_id, task.epoch, task.batch, layer, f"s{task.shard}")
    limit = TELEMETRY_ITEM_BUDGET // len(plan.ranges(layer))
    return _inline_or_spill(svc, _dumps(record.to_document()), key, limit)


def write_layer(svc: Services, plan: RunPlan, task: BackwardTask, arrival: Arrival) -> None:
    """From the arrival that completed the layer's backward barrier: the merged record."""
    if not observed(plan, task):
        return
    run, layer = task.run_id, task.layer
    shards = range(len(plan.ranges(layer)))
    parts = [LayerTelemetry.from_document(_load(svc, run, arrival.telemetry[k])) for k in shards]
    classes = None
    if layer == plan.depth:
        counts = _loss_document(svc, task)["classes"]
        classes = None if counts is None else ClassCounts.from_document(counts)
    record = TelemetryRecord(task.epoch, task.batch, task.step + 1, merge_shards(parts), classes)
    body = dumps_records([record]).encode()
    svc.store.put_bytes(telemetry_key(run, task.epoch, task.batch, layer), body)


def read_telemetry(store: ArrayStore, run: str, *, after_step: int = 0) -> list[TelemetryRecord]:
    """A run's records of the steps after ``after_step``, in step then layer order, read back
    from their keys (its plan says which exist); it stops at the first telemetry step with
    none, where the run stopped (or, for a run in progress, has not yet reached)."""
    plan = find_plan(store, run)
    if plan is None:
        return []
    records: list[TelemetryRecord] = []
    for step in range(after_step + 1, plan.telemetry.total_steps + 1):
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
