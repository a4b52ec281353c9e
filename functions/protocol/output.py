"""The output layer and the loss: cost and dZ_L in training, the metrics in an evaluation.

The loss stage is a hop of its own (the loss Lambda, on the output queue) when the output
layer has several shards, since softmax needs every unit's Z. When one shard owns the output
layer (RunPlan.loss_in_output_shard) the loss needs nothing the shard does not hold, so the
loss and the layer's backward pass run where Z_L was computed, instead of two hops later;
the arithmetic is the same functions on the same arrays, so the model is the same byte for
byte, and the backward arrival is the task's one claim. An evaluation's metrics close the
evaluation in the invocation that computed them (functions/protocol/trainer.py).
"""

import numpy as np

from functions.ports import ShardOutput
from functions.protocol.arrays import task_scope
from functions.protocol.backward import backward, backward_tasks
from functions.protocol.batches import batch_data
from functions.protocol.delivery import Services, current
from functions.protocol.keys import acts_key, eval_sums_key
from functions.protocol.plan import RunPlan, load_plan
from functions.protocol.telemetry import arrival_span, loss_documents, note, task_barrier
from functions.protocol.trainer import close_evaluation, launch
from functions.training.evaluation import EvalSums, pass_sums
from functions.training.step import loss_stage
from messages.tasks import BackwardTask, ForwardTask, LossTask


def _output_gradients(
    svc: Services,
    plan: RunPlan,
    task: LossTask | ForwardTask,
    z: np.ndarray,
    y: np.ndarray,
    weight_sq_sum: float,
) -> list[BackwardTask]:
    """The output layer's backward tasks of a training step (cost and dZ_L in them)."""
    activation = plan.specs[-1].activation
    result = loss_stage(z, y, activation, l2=plan.config.l2, weight_sq_sum=weight_sq_sum)
    return backward_tasks(
        svc,
        plan,
        plan.depth,
        result.dz,
        grad_kind="dz",
        batch_cost=result.cost,
        header=task.header(),
        telemetry=loss_documents(svc, plan, task, z, y, result.a),
    )


def evaluate(
    svc: Services, plan: RunPlan, task: LossTask | ForwardTask, z: np.ndarray, weight_sq_sum: float
) -> None:
    """Add evaluation pass ``task.batch``'s sums to those of the passes before it; start the
    next pass, or close the evaluation with its cost, accuracies and confusion matrices (the
    caller claimed). The sums so far are stored at a key of their own, the same bytes
    however often a pass is redelivered."""
    run, epoch, batch = plan.run_id, task.epoch, task.batch
    y = batch_data(svc, plan, task.phase, epoch, batch, "y")
    activation = plan.specs[-1].activation
    sums = pass_sums(z, y, plan.layout.eval_passes[batch], activation)
    if batch > 0:
        sums = EvalSums.from_document(
            svc.store.get_json(eval_sums_key(run, epoch, batch - 1))
        ).plus(sums)
    if batch + 1 < len(plan.layout.eval_passes):
        svc.store.put_json(eval_sums_key(run, epoch, batch), sums.to_document())
        launch(svc, plan, "eval", epoch, batch + 1, task.step)
        return
    metrics = sums.metrics(activation, l2=plan.config.l2, weight_sq_sum=weight_sq_sum)
    close_evaluation(svc, plan, task, metrics)


def handle(task: LossTask, svc: Services) -> None:
    plan = load_plan(svc, task.run_id)
    # One "shard": the claim only dedupes. It comes first because the output is a message.
    message_id = current().message_id
    arrival = svc.barriers.arrive(
        task_barrier(task), 0, 1, ShardOutput(span=arrival_span(), message_id=message_id)
    )
    if not arrival.claimed:
        if not arrival.publishes(0, message_id):
            note(svc.barriers, task, "duplicate")
            return
        note(svc.barriers, task, "healed", "a redelivery of the claiming message: published")
    z = svc.store.resolve(task.outputs, task_scope(task.run_id))
    if task.phase == "eval":
        evaluate(svc, plan, task, z, task.weight_sq_sum)
        return
    y = batch_data(svc, plan, task.phase, task.epoch, task.batch, "y")
    tasks = _output_gradients(svc, plan, task, z, y, task.weight_sq_sum)
    svc.bus.send_tasks(tasks, str(plan.depth))


def train_output_shard(
    svc: Services,
    plan: RunPlan,
    task: ForwardTask,
    a_prev: np.ndarray,
    z: np.ndarray,
    weight_sq_sum: float,
) -> None:
    y = batch_data(svc, plan, "train", task.epoch, task.batch, "y")
    (output_task,) = _output_gradients(svc, plan, task, z, y, weight_sq_sum)
    if plan.depth > 1:  # what the backward pass reads as A_{L-1}: this task's inputs
        key = acts_key(task.run_id, "train", task.epoch, task.batch, plan.depth - 1)
        svc.store.remember(key, a_prev)
    backward(output_task, svc)
