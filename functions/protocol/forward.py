"""What a forward task does: one shard of a layer's activations, then the next stage.

The path is the same for every task: read the inputs (the shard's parameter version and
A_{l-1}), compute (one call into functions/training), claim arrival at the layer's barrier
(one UpdateItem, carrying the output and the span), and, if this arrival completed the
barrier, publish the next stage: the next layer's forward tasks, the loss stage, or (one
shard owning the output layer) the loss and the backward pass in this very invocation
(functions/protocol/output.py).
"""

from dataclasses import replace
from typing import NamedTuple

import numpy as np

from functions.ports import Arrival
from functions.ports.types import OUTPUT_ROUTE
from functions.protocol.arrays import task_scope
from functions.protocol.batches import batch_data
from functions.protocol.delivery import Services
from functions.protocol.fanin import (
    claim_arrival,
    dropout_mask,
    outputs,
    publishes,
    remember_forward,
    shard_params,
)
from functions.protocol.keys import acts_key
from functions.protocol.output import evaluate, train_output_shard
from functions.protocol.plan import RunPlan, load_plan
from functions.training.step import forward_shard
from messages.arrays import ArrayRef
from messages.tasks import ForwardTask, LossTask


class _Inputs(NamedTuple):
    params: dict[str, np.ndarray]  # the shard's parameters (and its optimizer's state)
    a_prev: np.ndarray
    mask: np.ndarray | None


def forward(task: ForwardTask, svc: Services) -> None:
    plan = load_plan(svc, task.run_id)
    inputs = _read_inputs(plan, svc, task)
    if inputs is None:
        return  # a late duplicate: its parameter version is gone, its shard arrived
    is_output = task.layer == plan.depth
    spec = plan.specs[task.layer - 1]
    training = task.phase == "train"
    computed = forward_shard(
        inputs.params, inputs.a_prev, spec, mask=inputs.mask, is_output=is_output, training=training
    )
    z, a = computed.z, computed.a
    # Only the L2 term of the cost needs the squared weights.
    w = inputs.params["W"]
    weight_sq = float(np.sum(w * w)) if plan.config.l2 else 0.0
    if is_output and plan.loss_in_output_shard and training:
        # Its backward arrival is the claim: a duplicate recomputes the same bytes and stops there.
        train_output_shard(svc, plan, task, inputs.a_prev, z, task.weight_sq_sum + weight_sq)
        return
    if training and not is_output:
        key = (task.run_id, task.epoch, task.batch, task.layer, task.shard)
        remember_forward(svc, key, replace(computed, a=None))  # A went on in the arrival
    expected, arrival = claim_arrival(plan, svc, task, "fwd", z if is_output else a, weight_sq)
    if publishes(task, arrival):
        _publish_next_stage(svc, plan, task, arrival, expected)


def _read_inputs(plan: RunPlan, svc: Services, task: ForwardTask) -> _Inputs | None:
    """The shard's parameters of ``task.step`` (None once pruned), A_{l-1} and the dropout
    mask of its rows."""
    params = shard_params(plan, svc, task, "fwd")
    if params is None:
        return None
    if task.inputs is None:  # layer 1 reads its batch of the data
        a_prev = batch_data(svc, plan, task.phase, task.epoch, task.batch, "x")
    else:
        a_prev = svc.store.resolve(task.inputs, task_scope(task.run_id))
    rows = plan.ranges(task.layer)[task.shard]
    width = a_prev.shape[1]
    mask = dropout_mask(plan, task.phase, task.epoch, task.batch, task.layer, width, rows)
    return _Inputs(params, a_prev, mask)


def _publish_next_stage(
    svc: Services, plan: RunPlan, task: ForwardTask, arrival: Arrival, expected: int
) -> None:
    """From the arrival that completed the layer: the whole layer's output, to the next
    layer's shards, to the loss stage, or (one output shard, evaluating) into the metrics."""
    layer, run = task.layer, task.run_id
    full = np.concatenate(outputs(arrival, svc.store, expected), axis=0)
    weight_sq_sum = task.weight_sq_sum
    for k in range(expected):
        weight_sq_sum += arrival.values[k]
    common = {**task.header(), "weight_sq_sum": weight_sq_sum}
    key_acts = acts_key(run, task.phase, task.epoch, task.batch, layer)
    if layer == plan.depth and plan.loss_in_output_shard:
        evaluate(svc, plan, task, full, weight_sq_sum)
    elif layer == plan.depth:
        ref = _layer_output(svc, arrival, full, key_acts, plan.inline_limit(1))
        svc.bus.send_tasks([LossTask(outputs=ref, **common)], OUTPUT_ROUTE)
    else:
        next_shards = len(plan.ranges(layer + 1))
        ref = _layer_output(svc, arrival, full, key_acts, plan.inline_limit(next_shards))
        if task.phase == "train":  # the backward pass of layer + 1 reads it again
            svc.store.remember(key_acts, full)
        tasks = [
            ForwardTask(layer=layer + 1, shard=k, inputs=ref, **common) for k in range(next_shards)
        ]
        svc.bus.send_tasks(tasks, str(layer + 1))


def _layer_output(
    svc: Services, arrival: Arrival, full: np.ndarray, key: str, inline_limit: int
) -> ArrayRef:
    """The layer's output for the next stage's messages: inline when it fits, else in S3 at
    ``key``; but a layer of one shard whose output went to S3 at its arrival already has
    it there, whole (an evaluation pass's activations, megabytes), so that object serves."""
    if full.nbytes > inline_limit and len(arrival.s3_keys) == 1 == len(arrival.arrived):
        return svc.store.reference(arrival.s3_keys[0], full)
    return svc.store.pack(full, key, inline_limit=inline_limit)
