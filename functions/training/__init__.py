"""A run's data split and schedule, and the per-shard step math shared by the trainer, neuron
and loss Lambdas and the in-process reference engine, so that both engines run the very same
arithmetic."""

from functions.training.schedule import StepKey, eval_epochs, iter_steps
from functions.training.shards import shard_ranges
from functions.training.split import DataSplit, split_training_data, stratify_labels
from functions.training.step import (
    LossResult,
    ShardGradients,
    ShardUpdate,
    forward_shard,
    loss_stage,
    shard_gradients,
    shard_mask,
    update_shard,
    weight_sq_sum,
)

__all__ = [
    "DataSplit",
    "LossResult",
    "ShardGradients",
    "ShardUpdate",
    "StepKey",
    "eval_epochs",
    "forward_shard",
    "iter_steps",
    "loss_stage",
    "shard_gradients",
    "shard_mask",
    "shard_ranges",
    "split_training_data",
    "stratify_labels",
    "update_shard",
    "weight_sq_sum",
]
