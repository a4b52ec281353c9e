"""Training plan and per-shard step math shared by the trainer, neuron and loss Lambdas and the
in-process reference engine, so that both engines run the very same arithmetic."""

from functions.training.plan import (
    DataSplit,
    StepKey,
    eval_epochs,
    eval_inputs,
    iter_steps,
    split_training_data,
    stratify_labels,
)
from functions.training.shards import shard_ranges
from functions.training.step import (
    EvalResult,
    LossResult,
    ShardUpdate,
    backward_shard,
    evaluate_outputs,
    forward_shard,
    loss_stage,
    shard_mask,
    weight_sq_sum,
)

__all__ = [
    "DataSplit",
    "EvalResult",
    "LossResult",
    "ShardUpdate",
    "StepKey",
    "backward_shard",
    "eval_epochs",
    "eval_inputs",
    "evaluate_outputs",
    "forward_shard",
    "iter_steps",
    "loss_stage",
    "shard_mask",
    "shard_ranges",
    "split_training_data",
    "stratify_labels",
    "weight_sq_sum",
]
