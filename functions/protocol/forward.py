"""A neuron shard's forward pass, and the fan-in that follows.

Compute from immutable inputs, claim arrival at the layer's barrier (carrying the output),
and, if this arrival completed the barrier, publish the next stage: the next layer's
forward tasks, or the loss stage (in this very invocation when one shard owns the output
layer: functions/protocol/output.py).
"""

import numpy as np

from functions.ports.types import OUTPUT_ROUTE
from functions.protocol.arrays import task_scope
from functions.protocol.delivery import Services
from functions.protocol.fanin import (
    claim_arrival,
    dropout_mask,
    outputs,
    publishes,
    remember_z,
    shard_params,
)
from functions.protocol.keys import acts_key
from functions.protocol.output import evaluate, train_output_shard
from functions.protocol.plan import batch_data, load_plan
from functions.training.step import forward_shard
from messages.tasks import ForwardTask, LossTask


def forward(task: ForwardTask, svc: Services) -> None:
    plan = load_plan(svc, task.run_id)
    layer, shard, run = task.layer, task.shard, task.run_id
    rows = plan.ranges(layer)[shard]
    params = shard_params(plan, svc, task, "fwd")
    if params is None:
        return
    w, b = params["W"], params["b"]
    if task.inputs is None:
        a_prev = batch_data(svc, plan, task.phase, task.epoch, task.batch, "x")
    else:
        a_prev = svc.store.resolve(task.inputs, task_scope(run))
    is_output = layer == plan.depth
    mask = dropout_mask(plan, task.phase, task.epoch, task.batch, layer, a_prev.shape[1], rows)
    z, a = forward_shard(
        w, b, a_prev, plan.specs[layer - 1].activation, mask=mask, is_output=is_output
    )
    if task.phase == "train" and not is_output:
        remember_z(svc, (run, task.epoch, task.batch, layer, shard), z)
    weight_sq = float(np.sum(w * w)) if plan.config.l2 else 0.0  # only the L2 term needs it
    if is_output and plan.loss_in_output_shard and task.phase == "train":
        # Its backward arrival is the claim: a duplicate recomputes the same bytes and stops there.
        train_output_shard(svc, plan, task, a_prev, z, task.weight_sq_sum + weight_sq)
        return
    expected, arrival = claim_arrival(plan, svc, task, "fwd", z if is_output else a, weight_sq)
    if not publishes(task, arrival):
        return
    full = np.concatenate(outputs(arrival, svc.store, expected), axis=0)
    weight_sq_sum = task.weight_sq_sum
    for k in range(expected):
        weight_sq_sum += arrival.values[k]
    common = {**task.header(), "weight_sq_sum": weight_sq_sum}
    if is_output and plan.loss_in_output_shard:  # an evaluation: its metrics, from here
        evaluate(svc, plan, task, full, weight_sq_sum)
    elif is_output:
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
