"""The batch-norm case's workload: a deep ReLU network on scikit-learn's 8x8 digits (bundled,
so the case runs anywhere), once plain and once with batch norm on every hidden layer."""

from dataclasses import dataclass
from typing import Literal

from functions.nn.data import n_batches
from functions.training.split import DataSplit
from lnn.datasets import load_dataset
from lnn.layer_text import BATCH_NORM_OPTION, parse_layers
from lnn.prepare import PreparedData, prepare, split
from messages.train_request import TrainConfig

Side = Literal["plain", "bn"]
SIDES: tuple[Side, ...] = ("plain", "bn")

DATASET = "digits"
_HIDDEN, _OUTPUT = ["32:relu"] * 5, "10:softmax"
LAYERS_TEXT: dict[Side, str] = {
    "plain": ",".join([*_HIDDEN, _OUTPUT]),
    "bn": ",".join([*(f"{layer}:{BATCH_NORM_OPTION}" for layer in _HIDDEN), _OUTPUT]),
}
# Tried on this network, 300 full-batch epochs of gd: the plain one trains best near 0.2
# (0.1 is slower, 0.3 as good), stalls near a cost of 0.5 at 0.5 and falls to chance (every
# ReLU dead, cost ln 10) at 1.0 and 2.0; with batch norm all of them train. The first rate
# is the plain network's own, the base the times are taken at.
LEARNING_RATES = (0.2, 0.5, 1.0)
TARGET_COST = 0.05
HOLDOUT = 0.2
SEED = 1


@dataclass(frozen=True)
class DeepDigits:
    data: PreparedData
    columns: DataSplit
    shards: int = 1  # per layer, on the embedded engine

    def config(self, side: Side, *, lr: float, epochs: int) -> TrainConfig:
        # Telemetry off and one evaluation after the last epoch: a run's time is its steps.
        return TrainConfig(
            dataset=DATASET,
            layers=parse_layers(LAYERS_TEXT[side]),
            epochs=epochs,
            lr=lr,
            holdout=HOLDOUT,
            seed=SEED,
            shards=self.shards,
            eval_every=0,
            telemetry_every=0,
        )

    def steps(self, config: TrainConfig) -> int:
        return config.epochs * n_batches(self.columns.x_train.shape[1], config.batch_size)


def load_deep_digits(shards: int = 1) -> DeepDigits:
    layers = parse_layers(LAYERS_TEXT["plain"])  # the output layer is the same on both sides
    data = prepare(load_dataset(DATASET), layers)
    return DeepDigits(data, split(data, holdout=HOLDOUT, seed=SEED), shards)


def cost_checkpoints(epochs: int) -> list[int]:
    """The epochs (from 1) a cost curve is summarized at: the first, a tenth, a quarter,
    half and the last of the run."""
    return sorted({e for e in (1, epochs // 10, epochs // 4, epochs // 2, epochs) if e >= 1})
