"""What batch norm costs a step: the deep digits network with and without it, timed
interleaved on the reference engine and on the embedded engine, and the embedded models held
to the reference engine's."""

import statistics
import time

from lnn.bench.batch_norm_workload import SIDES, DeepDigits, Side
from lnn.bench.exceptions import EngineRunFailedError
from lnn.bench.timing import time_interleaved
from lnn.bench.workload import max_abs_diff
from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference
from messages.status import RunStatus
from messages.train_request import TrainConfig

# The embedded engine takes about half a second a step here: its long runs are short, and
# one epoch run beside each takes the run's start and finish (deploy, the first evaluation,
# the record's end) out of its time per step.
EMBEDDED_EPOCHS = 20
_EMBEDDED_SHORT_EPOCHS = 1


def _ms(seconds: float) -> float:
    return 1000 * seconds


def _by_round(plain: list[float], bn: list[float]) -> list[float]:
    """Each round's ratio: its two sides ran one after the other, under the same load, while
    the load of a shared machine moves from one round to the next."""
    return [b / p for p, b in zip(plain, bn, strict=True)]


def reference_step_times(
    work: DeepDigits, lr: float, epochs: int, repeats: int
) -> dict[str, object]:
    """Both sides' whole runs, interleaved; a step's time is the run's over its steps (one
    initialization and one evaluation included: milliseconds against seconds)."""
    configs = {side: work.config(side, lr=lr, epochs=epochs) for side in SIDES}
    plain, bn = time_interleaved(
        lambda: train_reference(configs["plain"], work.columns),
        lambda: train_reference(configs["bn"], work.columns),
        repeats,
    )
    steps = work.steps(configs["plain"])
    per_step = {"plain": _ms(plain.median / steps), "bn": _ms(bn.median / steps)}
    return {
        "reference_steps": steps,
        "reference_ms_per_step": per_step,
        "reference_bn_to_plain": per_step["bn"] / per_step["plain"],
        "reference_bn_to_plain_by_round": _by_round(plain.seconds, bn.seconds),
        "reference_runs_s": {"plain": plain.seconds, "bn": bn.seconds},
    }


class _EmbeddedSide:
    """One side's pairs of embedded runs, a short and a long one each round: the difference
    of their times over the difference of their steps is a step's time."""

    def __init__(self, work: DeepDigits, side: Side, lr: float, epochs: int) -> None:
        self.work = work
        self.short = work.config(side, lr=lr, epochs=_EMBEDDED_SHORT_EPOCHS)
        self.long = work.config(side, lr=lr, epochs=epochs)
        self.seconds: dict[str, list[float]] = {"short": [], "long": []}
        self.per_step: list[float] = []

    def _run(self, config: TrainConfig) -> tuple[float, TrainingResult]:
        from lnn.engines.stack import train_on_stack

        started = time.perf_counter()
        result = train_on_stack(config, self.work.data, engine="embedded")
        seconds = time.perf_counter() - started
        if result.status != RunStatus.SUCCEEDED:
            raise EngineRunFailedError(f"embedded run {result.status}: {result.reason}")
        return seconds, result

    def round(self) -> TrainingResult:
        short_s, _ = self._run(self.short)
        long_s, result = self._run(self.long)
        self.seconds["short"].append(short_s)
        self.seconds["long"].append(long_s)
        steps = self.work.steps(self.long) - self.work.steps(self.short)
        self.per_step.append((long_s - short_s) / steps)
        return result


def embedded_step_times(
    work: DeepDigits, lr: float, epochs: int, repeats: int
) -> dict[str, object]:
    """Both sides on the embedded engine, rounds interleaved, medians of the rounds; each
    side's last model against the reference engine's of the same run."""
    epochs = max(epochs, _EMBEDDED_SHORT_EPOCHS + 1)
    sides = {side: _EmbeddedSide(work, side, lr, epochs) for side in SIDES}
    plain, bn = time_interleaved(sides["plain"].round, sides["bn"].round, repeats)
    last = {"plain": plain.result, "bn": bn.result}
    diff = {
        name: max_abs_diff(last[name].params, train_reference(s.long, work.columns).params)
        for name, s in sides.items()
    }
    per_step = {name: _ms(statistics.median(s.per_step)) for name, s in sides.items()}
    return {
        "embedded_epochs": [_EMBEDDED_SHORT_EPOCHS, epochs],
        "embedded_timed_steps": work.steps(sides["plain"].long) - work.steps(sides["plain"].short),
        "embedded_ms_per_step": per_step,
        "embedded_bn_to_plain": per_step["bn"] / per_step["plain"],
        "embedded_bn_to_plain_by_round": _by_round(sides["plain"].per_step, sides["bn"].per_step),
        "embedded_runs_s": {name: s.seconds for name, s in sides.items()},
        "embedded_max_abs_diff": diff,
    }
