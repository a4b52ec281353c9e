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


AUTO_EVALUATIONS = 20
"""Under ``eval_every="auto"`` a run is evaluated every ``ceil(epochs / 20)``-th epoch and
after the last: at most 20 evaluations (every epoch of a run of at most 20), so the accuracy
is a curve over the run by default, at the cost of at most 20 forward passes."""


def eval_interval(epochs: int, eval_every: int | str) -> int:
    """Epochs between evaluations; 0 = only after the last epoch."""
    if eval_every == "auto":
        return max(1, -(-epochs // AUTO_EVALUATIONS))
    return int(eval_every)


def eval_epochs(epochs: int, eval_every: int | str) -> frozenset[int]:
    """Epochs (0-based) after which the network is evaluated; the last one always is."""
    interval = eval_interval(epochs, eval_every)
    chosen = set(range(interval - 1, epochs, interval)) if interval > 0 else set()
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


AUTO_TELEMETRY_STEPS = 500
"""Under ``telemetry_every="auto"`` a run of at most this many steps has telemetry on every
step; a longer one on every ``ceil(steps / 500)``-th, which gives 250 to 500 telemetry steps
whatever its length: small runs stay fully visible, and a long run pays for telemetry on at
most one step in two (the cat network's 2,500 steps: one in five)."""


@dataclass(frozen=True)
class TelemetryCadence:
    """Which steps (1-based, as in StepKey) record telemetry: the first, every ``interval``-th
    after it and the last, so a run's start and end are always seen; none when ``interval``
    is 0. A pure function of the config and the batches per epoch (the data's size), so the
    trainer, every shard and the reference engine agree without being told."""

    interval: int
    total_steps: int

    def __contains__(self, step: int) -> bool:
        if self.interval == 0 or not 1 <= step <= self.total_steps:
            return False
        return (step - 1) % self.interval == 0 or step == self.total_steps

    def steps(self) -> list[int]:
        """The telemetry steps in order."""
        if self.interval == 0 or self.total_steps == 0:
            return []
        found = list(range(1, self.total_steps + 1, self.interval))
        return found if found[-1] == self.total_steps else [*found, self.total_steps]


def telemetry_cadence(
    telemetry_every: int | str, epochs: int, batches_per_epoch: int
) -> TelemetryCadence:
    total = epochs * batches_per_epoch
    if telemetry_every == "auto":
        return TelemetryCadence(max(1, -(-total // AUTO_TELEMETRY_STEPS)), total)
    return TelemetryCadence(int(telemetry_every), total)


PICTURE_STEPS = 24
"""Telemetry steps at most whose first-layer weights are kept for its pictures. The cat
network's W1 is 2 MB a version: 24 of them are 48 MB on S3 (docs/telemetry.md), where its
501 telemetry steps would keep 1 GB; a slider over two dozen steps shows how the units form."""


def evenly(count: int, limit: int) -> list[int]:
    """At most ``limit`` indices of ``range(count)``, evenly spread, the first and the last
    among them (a limit of one: the last). Long series are shown, kept or drawn from such a
    sample: telemetry steps, evaluations, picture steps, points."""
    if count <= limit:
        return list(range(count))
    if limit <= 1:
        return [count - 1] if limit == 1 else []
    return sorted({round(k * (count - 1) / (limit - 1)) for k in range(limit)})


def picture_steps(cadence: TelemetryCadence, limit: int = PICTURE_STEPS) -> tuple[int, ...]:
    """The steps whose first-layer weights every engine keeps: 0 (the initial weights, which
    W - W(init) needs), up to ``limit`` telemetry steps evenly spread (all when there are no
    more) and the last step, so even a run with telemetry off shows its start and end."""
    telemetry = cadence.steps()
    telemetry = [telemetry[k] for k in evenly(len(telemetry), limit)]
    return tuple(sorted({0, *telemetry, cadence.total_steps}))
