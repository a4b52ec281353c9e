"""A run's immutable plan (config + data sizes), written once by the trainer, read by all."""

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from functions.nn.data import minibatch_indices, n_batches
from functions.nn.layers import LayerSpec
from functions.nn.optimizers import Optimizer
from functions.nn.types import Array
from functions.ports import ObjectNotFoundError
from functions.protocol.arrays import ArrayStore
from functions.protocol.delivery import Services
from functions.protocol.keys import data_key, plan_key
from functions.training.config import layer_specs, optimizer_for
from functions.training.schedule import TelemetryCadence, picture_steps, telemetry_cadence
from functions.training.shards import shard_ranges
from messages.limits import MESSAGE_ARRAY_BUDGET, PUBLISH_BATCH_ENTRIES
from messages.train_request import TrainConfig


def loss_in_output_shard(config: TrainConfig) -> bool:
    """One shard owns the output layer, so the loss stage (and, in training, the output
    layer's backward pass) runs in that shard's invocation: no hops of their own."""
    return len(shard_ranges(config.layers[-1].units, config.shards)) == 1


@dataclass(frozen=True)
class RunPlan:
    run_id: str
    config: TrainConfig
    n_features: int
    eval_sizes: tuple[int, int, int]

    @property
    def m_train(self) -> int:
        return self.eval_sizes[0]

    @cached_property
    def specs(self) -> list[LayerSpec]:
        return layer_specs(self.config)

    @property
    def depth(self) -> int:
        return len(self.specs)

    @cached_property
    def optimizer(self) -> Optimizer:
        return optimizer_for(self.config)

    @property
    def batches_per_epoch(self) -> int:
        return n_batches(self.m_train, self.config.batch_size)

    @cached_property
    def telemetry(self) -> TelemetryCadence:
        """The steps (1-based) whose backward shards record telemetry."""
        return telemetry_cadence(
            self.config.telemetry_every, self.config.epochs, self.batches_per_epoch
        )

    @cached_property
    def picture_steps(self) -> frozenset[int]:
        """The versions of layer 1 kept for its pictures (schedule.picture_steps)."""
        return frozenset(picture_steps(self.telemetry))

    def ranges(self, layer: int) -> list[tuple[int, int]]:
        return shard_ranges(self.specs[layer - 1].units, self.config.shards)

    @property
    def loss_in_output_shard(self) -> bool:
        return loss_in_output_shard(self.config)

    def full_batch(self) -> bool:
        return self.config.batch_size == 0 or self.config.batch_size >= self.m_train

    def columns(self, epoch: int, batch: int) -> np.ndarray:
        return _epoch_batches(self.m_train, self.config.batch_size, self.config.seed, epoch)[batch]

    def batch_size_of(self, batch: int) -> int:
        """Columns in ``batch``: every batch is full but the last (no permutation needed)."""
        if self.full_batch():
            return self.m_train
        size = self.config.batch_size
        return min(size, self.m_train - batch * size)

    def inline_limit(self, fan_out: int) -> int:
        """Raw bytes an array may have to ride inline in each of ``fan_out`` messages."""
        return MESSAGE_ARRAY_BUDGET // min(max(fan_out, 1), PUBLISH_BATCH_ENTRIES)

    def to_document(self) -> dict:
        return {
            "run_id": self.run_id,
            "config": self.config.model_dump(mode="json"),
            "n_features": self.n_features,
            "eval_sizes": list(self.eval_sizes),
        }

    @classmethod
    def from_document(cls, document: dict) -> "RunPlan":
        return cls(
            run_id=document["run_id"],
            config=TrainConfig.model_validate(document["config"]),
            n_features=int(document["n_features"]),
            eval_sizes=tuple(document["eval_sizes"]),
        )


def find_plan(store: ArrayStore, run_id: str) -> RunPlan | None:
    """The run's plan as stored, read afresh (clients); None before the trainer wrote it."""
    try:
        return RunPlan.from_document(store.get_json(plan_key(run_id)))
    except ObjectNotFoundError:
        return None


def load_plan(svc: Services, run_id: str) -> RunPlan:
    key = (svc.blobs.bucket, run_id)
    plan = svc.memory.plans.get(key)
    if plan is None:
        plan = svc.memory.plans.put(
            key, RunPlan.from_document(svc.store.get_json(plan_key(run_id)))
        )
    return plan


@lru_cache(maxsize=4)
def _epoch_batches(m: int, batch_size: int, seed: int, epoch: int) -> list[np.ndarray]:
    # Every shard of every hop of an epoch asks; the permutation is drawn once.
    return minibatch_indices(m, batch_size, seed=seed, epoch=epoch)


def batch_data(
    svc: Services, plan: RunPlan, phase: str, epoch: int, batch: int, name: str
) -> Array:
    """x or y of one batch: the eval matrix in the eval phase, the batch's columns otherwise."""
    if phase == "eval":
        return svc.store.get_array(data_key(plan.run_id, f"{name}_eval"))
    full = svc.store.get_array(data_key(plan.run_id, f"{name}_train"))
    if plan.full_batch():
        return full
    # The forward and backward shards of layer 1 and the loss stage take the same columns:
    # copy them out of X once per batch, not once per task.
    key = (svc.blobs.bucket, plan.run_id, epoch, batch, name)
    found = svc.memory.batches.get(key)
    if found is None:
        found = full[:, plan.columns(epoch, batch)]
        found.flags.writeable = False  # shared by every task of the batch
        svc.memory.batches.put(key, found)
    return found
