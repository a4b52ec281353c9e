"""What batch norm costs a step: the deep digits network with and without it, timed
interleaved on the reference engine and on the embedded engine, and the embedded models held
to the reference engine's.

Each step's time is taken on two clocks: the wall's, what a user waits, and this process's
CPU time, which the other processes on a shared machine hardly move (both engines run in
this process: the embedded one's runner and its AWS emulator too)."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from lnn.bench.batch_norm_workload import SIDES, DeepDigits, Side
from lnn.bench.exceptions import EngineRunFailedError
from lnn.bench.timing import time_interleaved
from lnn.bench.workload import max_abs_diff
from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference
from messages.status import RunStatus
from messages.train_request import TrainConfig

# The embedded engine takes about half a second a step here: its long runs are short, and
# one epoch run beside each takes the run's start and finish (deploy, the evaluation, the
# record's end) out of its time per step.
EMBEDDED_EPOCHS = 20
_EMBEDDED_SHORT_EPOCHS = 1


@dataclass(frozen=True)
class Elapsed:
    wall: float
    cpu: float

    def __sub__(self, other: "Elapsed") -> "Elapsed":
        return Elapsed(self.wall - other.wall, self.cpu - other.cpu)

    def per(self, steps: int) -> "Elapsed":
        return Elapsed(self.wall / steps, self.cpu / steps)


def _clocked(run: Callable[[], TrainingResult]) -> tuple[Elapsed, TrainingResult]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return Elapsed(time.perf_counter() - wall, time.process_time() - cpu), result


class _Side:
    """One side of one engine: a round trains ``long`` (and first ``short``, whose time is
    taken off) and keeps the time of a step."""

    def __init__(
        self,
        work: DeepDigits,
        train: Callable[[TrainConfig], TrainingResult],
        long: TrainConfig,
        short: TrainConfig | None = None,
    ) -> None:
        self.work, self.train, self.long, self.short = work, train, long, short
        self.runs: list[Elapsed] = []  # every run's own time, in the order they ran
        self.per_step: list[Elapsed] = []

    @property
    def steps(self) -> int:
        short = 0 if self.short is None else self.work.steps(self.short)
        return self.work.steps(self.long) - short

    def warm_up(self) -> None:
        """One untimed epoch: the engine's first run in a process loads and builds what the
        later ones reuse (imports, the emulator), which the first round would pay alone."""
        self.train(self.long.model_copy(update={"epochs": 1}))

    def round(self) -> TrainingResult:
        before = Elapsed(0.0, 0.0)
        if (short := self.short) is not None:
            before, _ = _clocked(lambda: self.train(short))
            self.runs.append(before)
        elapsed, result = _clocked(lambda: self.train(self.long))
        self.runs.append(elapsed)
        self.per_step.append((elapsed - before).per(self.steps))
        return result


def _figures(engine: str, sides: dict[Side, _Side]) -> dict[str, object]:
    """Medians of the rounds in ms per step, wall and CPU, and BN's over plain; each round's
    wall ratio too: its two sides ran one after the other, while the load of a shared
    machine moves from one round to the next."""
    plain, bn = sides["plain"].per_step, sides["bn"].per_step
    wall = {name: 1000 * statistics.median(e.wall for e in s.per_step) for name, s in sides.items()}
    cpu = {name: 1000 * statistics.median(e.cpu for e in s.per_step) for name, s in sides.items()}
    return {
        f"{engine}_ms_per_step": wall,
        f"{engine}_bn_to_plain": wall["bn"] / wall["plain"],
        f"{engine}_bn_to_plain_by_round": [b.wall / p.wall for p, b in zip(plain, bn, strict=True)],
        f"{engine}_cpu_ms_per_step": cpu,
        f"{engine}_cpu_bn_to_plain": cpu["bn"] / cpu["plain"],
        f"{engine}_runs_s": {name: [e.wall for e in s.runs] for name, s in sides.items()},
    }


def reference_step_times(
    work: DeepDigits, lr: float, epochs: int, repeats: int
) -> dict[str, object]:
    """Both sides' whole runs, interleaved; a step's time is the run's over its steps (one
    initialization and one evaluation included: milliseconds against seconds)."""

    def train(config: TrainConfig) -> TrainingResult:
        return train_reference(config, work.columns)

    sides = {side: _Side(work, train, work.config(side, lr=lr, epochs=epochs)) for side in SIDES}
    for side in sides.values():
        side.warm_up()
    time_interleaved(sides["plain"].round, sides["bn"].round, repeats)
    return {"reference_steps": sides["plain"].steps, **_figures("reference", sides)}


def _embedded(work: DeepDigits) -> Callable[[TrainConfig], TrainingResult]:
    from lnn.engines.stack import train_on_stack

    def train(config: TrainConfig) -> TrainingResult:
        result = train_on_stack(config, work.data, engine="embedded")
        if result.status != RunStatus.SUCCEEDED:
            raise EngineRunFailedError(f"embedded run {result.status}: {result.reason}")
        return result

    return train


def embedded_step_times(
    work: DeepDigits, lr: float, epochs: int, repeats: int
) -> dict[str, object]:
    """Both sides on the embedded engine, rounds interleaved, a short and a long run a round
    (their runs_s in that order); each side's last model against the reference engine's."""
    epochs = max(epochs, _EMBEDDED_SHORT_EPOCHS + 1)
    train = _embedded(work)
    sides = {
        side: _Side(
            work,
            train,
            work.config(side, lr=lr, epochs=epochs),
            work.config(side, lr=lr, epochs=_EMBEDDED_SHORT_EPOCHS),
        )
        for side in SIDES
    }
    for side in sides.values():
        side.warm_up()
    plain, bn = time_interleaved(sides["plain"].round, sides["bn"].round, repeats)
    last = {"plain": plain.result, "bn": bn.result}
    diff = {
        name: max_abs_diff(last[name].params, train_reference(s.long, work.columns).params)
        for name, s in sides.items()
    }
    return {
        "embedded_epochs": [_EMBEDDED_SHORT_EPOCHS, epochs],
        "embedded_timed_steps": sides["plain"].steps,
        **_figures("embedded", sides),
        "embedded_max_abs_diff": diff,
    }
