"""How a run's data is cut into stored batches, and in which order steps and evaluations read
them: a pure function of the data's sizes and the config, so the client that uploads, the
trainer, every neuron and the reference engine agree without being told.

- Training samples are drawn into batches once (functions/nn/data.py fixed_batches); each
  batch is one object per array, written once, and an epoch visits them in its keyed order.
  A step reads one batch: what a function holds grows with the batch, not the dataset.
- Dev and test samples are cut in order into batches of the same width.
- An evaluation pass reads consecutive stored batches, train then dev then test, grouped
  until the pass's widest array (the input, or the widest layer's output) would pass
  EVAL_BATCH_BYTES in float64: a small dataset is evaluated in one pass (train, dev and test
  side by side), a large one in several, whose metrics add up
  (functions/training/evaluation.py).
"""

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from functions.nn.data import batch_order, fixed_batches, n_batches
from messages.train_request import TrainConfig

SPLIT_NAMES = ("train", "dev", "test")
EVAL_BATCH_BYTES = 32 * 1024 * 1024
"""An evaluation pass's widest float64 array at most (one stored batch at least): what a
shard holds of a pass stays well within a Lambda's memory."""


@dataclass(frozen=True)
class Segment:
    """Stored batches ``first .. first + count - 1`` of ``split``: ``columns`` samples."""

    split: str
    first: int
    count: int
    columns: int


@dataclass(frozen=True)
class EvalPass:
    """One evaluation pass: its segments side by side, in split order."""

    segments: tuple[Segment, ...]

    @property
    def columns(self) -> int:
        return sum(segment.columns for segment in self.segments)


def data_layout(config: TrainConfig, sizes: tuple[int, int, int], n_features: int) -> "DataLayout":
    """The layout of a run of ``config`` on data of these sizes (train, dev, test)."""
    widest = max(n_features, *(layer.units for layer in config.layers))
    return DataLayout(sizes, config.batch_size, config.seed, widest)


@dataclass(frozen=True)
class DataLayout:
    sizes: tuple[int, int, int]  # samples of train, dev and test
    batch_size: int  # the config's (0 = full batch)
    seed: int
    widest: int  # rows of the widest array a pass holds: n_features or a layer's units

    @property
    def m_train(self) -> int:
        return self.sizes[0]

    @property
    def width(self) -> int:
        """Samples in a full stored batch."""
        size = self.batch_size
        return self.m_train if size == 0 or size >= self.m_train else size

    @cached_property
    def train_batches(self) -> list[np.ndarray]:
        return fixed_batches(self.m_train, self.batch_size, seed=self.seed)

    @property
    def batches_per_epoch(self) -> int:
        return len(self.train_batches)

    def count(self, split: str) -> int:
        """Stored batches of ``split``."""
        if split == "train":
            return self.batches_per_epoch
        m = self.sizes[SPLIT_NAMES.index(split)]
        return 0 if m == 0 else n_batches(m, self.width)

    def columns(self, split: str, index: int) -> np.ndarray:
        """The samples (indices into the split) of stored batch ``index``."""
        if split == "train":
            return self.train_batches[index]
        m = self.sizes[SPLIT_NAMES.index(split)]
        return np.arange(index * self.width, min(m, (index + 1) * self.width))

    def size_of(self, split: str, index: int) -> int:
        if split == "train":
            return int(self.train_batches[index].size)
        m = self.sizes[SPLIT_NAMES.index(split)]
        return min(m, (index + 1) * self.width) - index * self.width

    def segment_columns(self, segment: Segment) -> np.ndarray:
        """The samples of ``segment`` (indices into its split), its stored batches in order."""
        stop = segment.first + segment.count
        return np.concatenate([self.columns(segment.split, i) for i in range(segment.first, stop)])

    def stored_batch(self, epoch: int, batch: int) -> int:
        """The stored training batch that step ``batch`` of ``epoch`` reads."""
        return int(_order(self.batches_per_epoch, self.seed, epoch)[batch])

    def step_columns(self, epoch: int, batch: int) -> np.ndarray:
        return self.train_batches[self.stored_batch(epoch, batch)]

    @cached_property
    def eval_passes(self) -> list[EvalPass]:
        limit = max(1, EVAL_BATCH_BYTES // (8 * max(self.widest, 1)))
        groups: list[list[tuple[str, int, int]]] = [[]]
        used = 0
        for split in SPLIT_NAMES:
            for index in range(self.count(split)):
                size = self.size_of(split, index)
                if groups[-1] and used + size > limit:
                    groups.append([])
                    used = 0
                groups[-1].append((split, index, size))
                used += size
        return [EvalPass(_segments(group)) for group in groups if group]


def _segments(stored: list[tuple[str, int, int]]) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    for split, index, size in stored:
        last = segments[-1] if segments else None
        if last is not None and last.split == split:
            segments[-1] = Segment(split, last.first, last.count + 1, last.columns + size)
        else:
            segments.append(Segment(split, index, 1, size))
    return tuple(segments)


@lru_cache(maxsize=8)
def _order(count: int, seed: int, epoch: int) -> np.ndarray:
    # Every shard of every hop of an epoch asks; the order is drawn once.
    return batch_order(count, seed=seed, epoch=epoch)
