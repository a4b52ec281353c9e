"""The backward pass: a shard's gradients, its next parameter version, and dA downstream.

The path mirrors the forward one: read the inputs (the shard's version, A_{l-1}, its Z and
its rows of the gradient), compute (one call for the gradients, one for the update), write
the new version, claim arrival at the layer's backward barrier (carrying the shard's share
of dA_{l-1}, unless it is the layer's only shard, and its telemetry), and from the
completing arrival publish the previous layer's
tasks, or, after layer 1, claim the next step. A shard's rows of a gradient travel inline
when they fit its message; otherwise every shard of the layer references one S3 object
holding the whole layer's gradient and takes its own rows (one PutObject per stage).
"""

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from functions.nn.dense import DenseForward, linear
from functions.protocol.arrays import task_scope
from functions.protocol.batches import batch_data
from functions.protocol.delivery import Services
from functions.protocol.fanin import (
    claim_arrival,
    dropout_mask,
    outputs,
    publishes,
    recall_forward,
    shard_params,
    stored_outputs,
)
from functions.protocol.keys import acts_key, barrier_key, grad_key
from functions.protocol.plan import RunPlan, load_plan
from functions.protocol.telemetry import shard_telemetry_of
from functions.protocol.trainer import step_done
from functions.protocol.versions import write_params
from functions.training.config import learning_rate
from functions.training.step import shard_gradients, update_shard
from messages.arrays import InlineArray, S3Array
from messages.tasks import BackwardTask


def backward_tasks(
    svc: Services,
    plan: RunPlan,
    layer: int,
    grad: np.ndarray,
    *,
    grad_kind: str,
    batch_cost: float,
    header: dict[str, Any],
    telemetry: Sequence[str | None] | None = None,
) -> list[BackwardTask]:
    ranges = plan.ranges(layer)
    limit = plan.inline_limit(len(ranges))
    shared: S3Array | None = None
    tasks = []
    for k, (start, stop) in enumerate(ranges):
        rows = grad[start:stop]
        if rows.nbytes <= limit:
            ref: InlineArray | S3Array = InlineArray.from_numpy(np.ascontiguousarray(rows))
        else:
            if shared is None:
                run, epoch, batch = header["run_id"], header["epoch"], header["batch"]
                shared = svc.store.put_array(grad_key(run, epoch, batch, layer), grad)
            ref = shared
        tasks.append(
            BackwardTask(
                layer=layer,
                shard=k,
                grad_kind=grad_kind,
                batch_cost=batch_cost,
                grad=ref,
                telemetry=None if telemetry is None else telemetry[k],
                **header,
            )
        )
    return tasks


def _own_rows(grad: np.ndarray, rows: tuple[int, int], units: int) -> np.ndarray:
    """The shard's gradient from what its task carried: its rows, or the whole layer's."""
    start, stop = rows
    if grad.shape[0] == units and stop - start != units:
        return grad[start:stop]
    return grad


class _Inputs(NamedTuple):
    params: dict[str, np.ndarray]  # the layer's arrays (LayerSpec.names) and optimizer state
    a_prev: np.ndarray
    z: np.ndarray | None  # the shard's Z, which a hidden layer's dA needs
    grad: np.ndarray  # the shard's rows of dZ (output layer) or dA
    forward: DenseForward | None  # this process's forward pass of Z, when it ran here


def backward(task: BackwardTask, svc: Services) -> None:
    plan = load_plan(svc, task.run_id)
    inputs = _read_inputs(plan, svc, task)
    if inputs is None:
        return  # a late duplicate: its parameter version is gone, its shard arrived
    spec = plan.specs[task.layer - 1]
    params = {name: inputs.params[name] for name in spec.names}
    state = {name: value for name, value in inputs.params.items() if name not in params}
    rows = plan.ranges(task.layer)[task.shard]
    grads = shard_gradients(
        params,
        a_prev=inputs.a_prev,
        z=inputs.z,
        forward=inputs.forward,
        grad=inputs.grad,
        grad_kind=task.grad_kind,
        spec=spec,
        mask=dropout_mask(
            plan, "train", task.epoch, task.batch, task.layer, inputs.a_prev.shape[1], rows
        ),
        l2=plan.config.l2,
        need_da_prev=task.layer > 1,
    )
    lr = learning_rate(plan.config, task.epoch)
    update = update_shard(
        params, state, grads, spec=spec, optimizer=plan.optimizer, lr=lr, step=task.step + 1
    )
    new = {**update.params, **update.state}
    inline = write_params(svc.store, plan, task.layer, task.shard, task.step + 1, new)
    telemetry = shard_telemetry_of(svc, plan, task, inputs.z, params, grads, update)
    # A layer of one shard: its dA_{l-1} is whole already, and only a redelivery of this
    # message may publish it again, computing the same bytes, so the arrival stores none.
    alone = len(plan.ranges(task.layer)) == 1
    expected, arrival = claim_arrival(
        plan,
        svc,
        task,
        "bwd",
        None if alone else update.da_prev,
        telemetry=telemetry.document,
        params=inline,
    )
    if not publishes(task, arrival):
        return
    telemetry.write_layer(arrival)  # before publishing: a retry heals a lost write too
    if task.layer == 1:
        step_done(svc, plan, task)
        return
    parts = [update.da_prev] if alone else outputs(arrival, svc.store, expected)
    da_prev = parts[0].copy()
    for part in parts[1:]:
        da_prev += part
    tasks = backward_tasks(
        svc,
        plan,
        task.layer - 1,
        da_prev,
        grad_kind="da",
        batch_cost=task.batch_cost,
        header=task.header(),
    )
    svc.bus.send_tasks(tasks, str(task.layer - 1))


def _read_inputs(plan: RunPlan, svc: Services, task: BackwardTask) -> _Inputs | None:
    """The shard's parameters of ``task.step`` (None once pruned), A_{l-1}, its Z (this
    process's, or recomputed bit for bit when another container ran the forward) and its
    rows of the gradient."""
    layer, shard, run = task.layer, task.shard, task.run_id
    params = shard_params(plan, svc, task, "bwd")
    if params is None:
        return None
    if layer == 1:
        a_prev = batch_data(svc, plan, "train", task.epoch, task.batch, "x")
    else:
        a_prev = _layer_inputs(plan, svc, task, layer)
    z = forward = None
    if task.grad_kind == "da":
        forward = recall_forward(svc, (run, task.epoch, task.batch, layer, shard))
        z = linear(params, a_prev) if forward is None else forward.z
    rows, units = plan.ranges(layer)[shard], plan.specs[layer - 1].units
    grad = _own_rows(svc.store.resolve(task.grad, task_scope(run)), rows, units)
    return _Inputs(params, a_prev, z, grad, forward)


def _layer_inputs(plan: RunPlan, svc: Services, task: BackwardTask, layer: int) -> np.ndarray:
    """A_{layer-1} of this step: this process's copy, else the forward barrier's (durable)."""
    key_acts = acts_key(task.run_id, "train", task.epoch, task.batch, layer - 1)
    found = svc.store.cached(key_acts)
    if found is None:
        key = barrier_key(task.run_id, "train", task.epoch, task.batch, "fwd", layer - 1)
        expected = len(plan.ranges(layer - 1))
        found = svc.store.remember(key_acts, stored_outputs(svc.barriers, svc.store, key, expected))
    return found
