"""What a neuron shard does in either direction: its parameters, its dropout mask, and its
claimed arrival at the layer's barrier (which carries its output)."""

import numpy as np

from functions.ports import Arrival, ObjectNotFoundError
from functions.protocol.delivery import current
from functions.protocol.fanin import arrive
from functions.protocol.keys import barrier_key, output_key
from functions.protocol.params import read_params
from functions.protocol.run_plan import RunPlan
from functions.protocol.services import Services
from functions.protocol.spans import arrival_span, note
from functions.training.step import shard_mask
from messages.tasks import BackwardTask, ForwardTask

ShardTask = ForwardTask | BackwardTask


def dropout_mask(
    plan: RunPlan, phase: str, epoch: int, batch: int, layer: int, m: int, rows: tuple[int, int]
) -> np.ndarray | None:
    if phase != "train" or layer == plan.depth:
        return None
    return shard_mask(
        keep_prob=plan.config.dropout,
        seed=plan.config.seed,
        epoch=epoch,
        batch=batch,
        layer=layer,
        units=plan.specs[layer - 1].units,
        m=m,
        rows=rows,
    )


def shard_params(
    plan: RunPlan, svc: Services, task: ShardTask, direction: str
) -> dict[str, np.ndarray] | None:
    """The shard's parameters at the task's step; None for a late duplicate whose version
    has been pruned (its shard already arrived at the barrier: nothing is left to do)."""
    layer, shard, run = task.layer, task.shard, task.run_id
    try:
        return read_params(svc.store, svc.barriers, plan, layer, shard, task.step)
    except ObjectNotFoundError:
        key = barrier_key(run, task.phase, task.epoch, task.batch, direction, layer)
        if shard in svc.barriers.read(key, len(plan.ranges(layer))).arrived:
            note(svc.barriers, task, "duplicate", "its parameters were pruned: step passed")
            return None
        raise


def claim_arrival(
    plan: RunPlan,
    svc: Services,
    task: ShardTask,
    direction: str,
    output: np.ndarray | None,
    value: float | None = None,
    telemetry: str | None = None,
    params: bytes | None = None,
) -> tuple[int, Arrival]:
    """Claim this shard's arrival at its layer's barrier: (shards, arrival)."""
    stage = (task.run_id, task.phase, task.epoch, task.batch, direction, task.layer)
    expected = len(plan.ranges(task.layer))
    arrival = arrive(
        svc.barriers,
        svc.store,
        barrier_key(*stage),
        task.shard,
        expected,
        output,
        spill_key=output_key(*stage, task.shard),
        value=value,
        telemetry=telemetry,
        span=arrival_span(),
        message_id=current().message_id,
        params=params,
    )
    if not arrival.claimed:
        if publishes(task, arrival):
            note(svc.barriers, task, "healed", "a redelivery of the claiming message: published")
        else:
            note(svc.barriers, task, "duplicate")
    return expected, arrival


def publishes(task: ShardTask, arrival: Arrival) -> bool:
    return arrival.publishes(task.shard, current().message_id)
