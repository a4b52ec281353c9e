"""The output layer in one shard, in training: its forward pass, the loss and its backward
pass in one invocation.

When one shard owns the output layer (RunPlan.loss_in_output_shard) the loss stage needs
nothing the shard does not hold, so it and the layer's backward pass run where Z_L was
computed, instead of two hops (output queue, then the layer's queue) later. The arithmetic
is the loss stage's and the backward shard's own, on the same arrays, so the model is the
same byte for byte; the backward arrival is the task's one claim.
"""

import numpy as np

from functions.protocol.backward import backward
from functions.protocol.keys import acts_key
from functions.protocol.loss import output_gradients
from functions.protocol.run_plan import RunPlan, batch_data
from functions.protocol.services import Services
from messages.tasks import ForwardTask


def train_output_shard(
    svc: Services,
    plan: RunPlan,
    task: ForwardTask,
    a_prev: np.ndarray,
    z: np.ndarray,
    weight_sq_sum: float,
) -> None:
    y = batch_data(svc, plan, "train", task.epoch, task.batch, "y")
    (output_task,) = output_gradients(svc, plan, task, z, y, weight_sq_sum)
    if plan.depth > 1:  # what the backward pass reads as A_{L-1}: this task's inputs
        key = acts_key(task.run_id, "train", task.epoch, task.batch, plan.depth - 1)
        svc.store.remember(key, a_prev)
    backward(output_task, svc)
