"""The neuron Lambda's work: forward and backward of one shard, and the fan-in that follows.

Both directions follow the same pattern: compute from immutable inputs, claim arrival at the
layer's barrier (carrying the output), and, if this arrival completed the barrier, publish
the next stage and mark the barrier published.
"""

import numpy as np

from functions.ports import Arrival, ObjectNotFoundError
from functions.ports.types import OUTPUT_ROUTE
from functions.protocol.delivery import current
from functions.protocol.fanin import arrive, outputs, stored_outputs
from functions.protocol.grads import backward_tasks, own_rows
from functions.protocol.keys import acts_key, barrier_key, output_key, params_key
from functions.protocol.references import task_scope
from functions.protocol.run_plan import RunPlan, batch_data, load_plan
from functions.protocol.scratch import recall_z, remember_z
from functions.protocol.services import Services
from functions.protocol.spans import arrival_span, note
from functions.protocol.telemetry import shard_document, write_layer
from functions.training.config import learning_rate
from functions.training.step import forward_shard, shard_gradients, shard_mask, update_shard
from messages.tasks import BackwardTask, ForwardTask, LossTask, StepDone


def _mask(
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


def _params(
    plan: RunPlan, svc: Services, task: ForwardTask | BackwardTask, direction: str
) -> dict[str, np.ndarray] | None:
    """The shard's parameters at the task's step; None for a late duplicate whose version
    has been pruned (its shard already arrived at the barrier: nothing is left to do)."""
    layer, shard, run = task.layer, task.shard, task.run_id
    try:
        return svc.store.get_npz(params_key(run, layer, shard, task.step))
    except ObjectNotFoundError:
        key = barrier_key(run, task.phase, task.epoch, task.batch, direction, layer)
        if shard in svc.barriers.read(key, len(plan.ranges(layer))).arrived:
            note(svc.barriers, task, "duplicate", "its parameters were pruned: step passed")
            return None
        raise


def _arrive(
    plan: RunPlan,
    svc: Services,
    task: ForwardTask | BackwardTask,
    direction: str,
    output: np.ndarray | None,
    value: float | None = None,
    telemetry: str | None = None,
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
    )
    if not arrival.claimed:
        if _publishes(task, arrival):
            note(svc.barriers, task, "healed", "a redelivery of the claiming message: published")
        else:
            note(svc.barriers, task, "duplicate")
    return expected, arrival


def _publishes(task: ForwardTask | BackwardTask, arrival: Arrival) -> bool:
    return arrival.publishes(task.shard, current().message_id)


def forward(task: ForwardTask, svc: Services) -> None:
    plan = load_plan(svc, task.run_id)
    layer, shard, run = task.layer, task.shard, task.run_id
    rows = plan.ranges(layer)[shard]
    params = _params(plan, svc, task, "fwd")
    if params is None:
        return
    w, b = params["W"], params["b"]
    if task.inputs is None:
        a_prev = batch_data(svc, plan, task.phase, task.epoch, task.batch, "x")
    else:
        a_prev = svc.store.resolve(task.inputs, task_scope(run))
    is_output = layer == plan.depth
    mask = _mask(plan, task.phase, task.epoch, task.batch, layer, a_prev.shape[1], rows)
    z, a = forward_shard(
        w, b, a_prev, plan.specs[layer - 1].activation, mask=mask, is_output=is_output
    )
    if task.phase == "train" and not is_output:
        remember_z(svc, (run, task.epoch, task.batch, layer, shard), z)
    weight_sq = float(np.sum(w * w)) if plan.config.l2 else 0.0  # only the L2 term needs it
    expected, arrival = _arrive(plan, svc, task, "fwd", z if is_output else a, weight_sq)
    if not _publishes(task, arrival):
        return
    full = np.concatenate(outputs(arrival, svc.store, expected), axis=0)
    weight_sq_sum = task.weight_sq_sum
    for k in range(expected):
        weight_sq_sum += arrival.values[k]
    common = {**task.header(), "weight_sq_sum": weight_sq_sum}
    if is_output:
        ref = svc.store.pack(
            full,
            acts_key(run, task.phase, task.epoch, task.batch, layer),
            inline_limit=plan.inline_limit(1),
        )
        svc.bus.send_tasks([LossTask(outputs=ref, **common)], OUTPUT_ROUTE)
    else:
        next_shards = len(plan.ranges(layer + 1))
        key_acts = acts_key(run, task.phase, task.epoch, task.batch, layer)
        limit = plan.inline_limit(next_shards)
        ref = svc.store.pack(full, key_acts, inline_limit=limit)
        if task.phase == "train":  # the backward pass of layer + 1 reads it again
            svc.store.remember(key_acts, full)
        tasks = [
            ForwardTask(layer=layer + 1, shard=k, inputs=ref, **common) for k in range(next_shards)
        ]
        svc.bus.send_tasks(tasks, str(layer + 1))


def _layer_inputs(plan: RunPlan, svc: Services, task: BackwardTask, layer: int) -> np.ndarray:
    """A_{layer-1} of this step: this process's copy, else the forward barrier's (durable)."""
    key_acts = acts_key(task.run_id, "train", task.epoch, task.batch, layer - 1)
    found = svc.store.cached(key_acts)
    if found is None:
        key = barrier_key(task.run_id, "train", task.epoch, task.batch, "fwd", layer - 1)
        expected = len(plan.ranges(layer - 1))
        found = svc.store.remember(key_acts, stored_outputs(svc.barriers, svc.store, key, expected))
    return found


def backward(task: BackwardTask, svc: Services) -> None:
    plan = load_plan(svc, task.run_id)
    layer, shard, run = task.layer, task.shard, task.run_id
    rows = plan.ranges(layer)[shard]
    spec = plan.specs[layer - 1]
    params = _params(plan, svc, task, "bwd")
    if params is None:
        return
    w, b = params["W"], params["b"]
    state = {name: value for name, value in params.items() if name not in ("W", "b")}
    if layer == 1:
        a_prev = batch_data(svc, plan, "train", task.epoch, task.batch, "x")
    else:
        a_prev = _layer_inputs(plan, svc, task, layer)
    z = None
    if task.grad_kind == "da":
        z = recall_z(svc, (run, task.epoch, task.batch, layer, shard))
        if z is None:  # another container ran the forward: recompute, bit for bit the same
            z = w @ a_prev + b
    grads = shard_gradients(
        w,
        a_prev=a_prev,
        z=z,
        grad=own_rows(svc.store.resolve(task.grad, task_scope(run)), rows, spec.units),
        grad_kind=task.grad_kind,
        activation=spec.activation,
        mask=_mask(plan, "train", task.epoch, task.batch, layer, a_prev.shape[1], rows),
        l2=plan.config.l2,
        need_da_prev=layer > 1,
    )
    lr = learning_rate(plan.config, task.epoch)
    update = update_shard(w, b, state, grads, optimizer=plan.optimizer, lr=lr, step=task.step + 1)
    svc.store.put_npz(
        params_key(run, layer, shard, task.step + 1), {"W": update.w, "b": update.b, **update.state}
    )
    telemetry = shard_document(svc, plan, task, z, w, b, grads, update)
    expected, arrival = _arrive(plan, svc, task, "bwd", update.da_prev, telemetry=telemetry)
    if not _publishes(task, arrival):
        return
    write_layer(svc, plan, task, arrival)  # before publishing: a retry heals a lost write too
    common = task.header()
    if layer == 1:
        svc.bus.send_to_trainer(StepDone(batch_cost=task.batch_cost, **common))
    else:
        parts = outputs(arrival, svc.store, expected)
        da_prev = parts[0].copy()
        for part in parts[1:]:
            da_prev += part
        tasks = backward_tasks(
            svc,
            plan,
            layer - 1,
            da_prev,
            grad_kind="da",
            batch_cost=task.batch_cost,
            header=common,
        )
        svc.bus.send_tasks(tasks, str(layer - 1))
