"""A run's immutable plan (config, data sizes and where its batches are), written once by the
trainer, read by all (the batches themselves are read in functions/protocol/batches.py)."""

from dataclasses import asdict, dataclass
from functools import cached_property

from functions.nn.layers import LayerSpec
from functions.nn.optimizers import Optimizer
from functions.ports import ObjectNotFoundError
from functions.protocol.arrays import ArrayStore
from functions.protocol.delivery import Services
from functions.protocol.keys import plan_key
from functions.training.config import layer_specs, optimizer_for
from functions.training.layout import DataLayout, data_layout
from functions.training.schedule import TelemetryCadence, picture_steps, telemetry_cadence
from functions.training.shards import shard_ranges
from messages.limits import MESSAGE_ARRAY_BUDGET, PUBLISH_BATCH_ENTRIES
from messages.train_request import TrainConfig


@dataclass(frozen=True)
class StoredData:
    """Where a run's stored batches are (functions/protocol/keys.py batch_key) and what they
    hold: x is (n_features, samples) of ``x_dtype``, y (n_outputs, samples) of ``y_dtype``."""

    prefix: str
    n_outputs: int
    x_dtype: str
    y_dtype: str


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
    data: StoredData | None = None  # None in a plan drawn for a view of a run on no stack

    @property
    def m_train(self) -> int:
        return self.eval_sizes[0]

    @cached_property
    def layout(self) -> DataLayout:
        return data_layout(self.config, self.eval_sizes, self.n_features)

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
        return self.layout.batches_per_epoch

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

    def batch_size_of(self, epoch: int, batch: int) -> int:
        """Columns in step ``batch`` of ``epoch``."""
        return self.layout.size_of("train", self.layout.stored_batch(epoch, batch))

    def inline_limit(self, fan_out: int) -> int:
        """Raw bytes an array may have to ride inline in each of ``fan_out`` messages."""
        return MESSAGE_ARRAY_BUDGET // min(max(fan_out, 1), PUBLISH_BATCH_ENTRIES)

    def to_document(self) -> dict:
        return {
            "run_id": self.run_id,
            "config": self.config.model_dump(mode="json"),
            "n_features": self.n_features,
            "eval_sizes": list(self.eval_sizes),
            "data": None if self.data is None else asdict(self.data),
        }

    @classmethod
    def from_document(cls, document: dict) -> "RunPlan":
        return cls(
            run_id=document["run_id"],
            config=TrainConfig.model_validate(document["config"]),
            n_features=int(document["n_features"]),
            eval_sizes=tuple(document["eval_sizes"]),
            data=StoredData(**document["data"]) if document.get("data") else None,
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
