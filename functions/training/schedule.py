"""A run's schedule: every optimizer step in order, and the epochs after which it evaluates.

Pure functions of the request and its seed, so the trainer Lambda, every neuron and the
reference engine derive the same batches independently.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from functions.nn.data import minibatch_indices
from functions.nn.types import Array


@dataclass(frozen=True)
class StepKey:
    """One optimizer update: ``step`` counts updates from 1 and names the params it writes."""

    epoch: int
    batch: int
    step: int
    closes_epoch: bool


def eval_epochs(epochs: int, eval_every: int) -> frozenset[int]:
    """Epochs (0-based) after which the network is evaluated; the last one always is."""
    chosen = set(range(eval_every - 1, epochs, eval_every)) if eval_every > 0 else set()
    if epochs > 0:
        chosen.add(epochs - 1)
    return frozenset(chosen)


def iter_steps(
    m: int, batch_size: int, *, seed: int, epochs: int
) -> Iterator[tuple[StepKey, Array]]:
    """Every update of a run in order, with the training columns it uses."""
    step = 0
    for epoch in range(epochs):
        batches = minibatch_indices(m, batch_size, seed=seed, epoch=epoch)
        for batch, columns in enumerate(batches):
            step += 1
            yield StepKey(epoch, batch, step, batch == len(batches) - 1), columns
