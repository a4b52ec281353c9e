"""Which short runs measure a long one, and what the long one is made of.

A run's cost is a fixed part (start, the last evaluation, the finish) plus one part per
step, a step with telemetry costing more than one without, plus one part per further
evaluation. Runs of 1 and 1 + k epochs, with telemetry off and on every step, give each part
by difference; a run of 1 + k epochs evaluating after each gives the evaluation's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from functions.nn.data import n_batches
from functions.training.schedule import eval_epochs, telemetry_cadence
from messages.train_request import TrainConfig


@dataclass(frozen=True)
class RunShape:
    """What a run consists of, as far as its cost goes."""

    epochs: int
    steps: int
    evaluations: int
    telemetry_steps: int


def shape_of(config: TrainConfig, train_columns: int) -> RunShape:
    per_epoch = n_batches(train_columns, config.batch_size)
    steps = config.epochs * per_epoch
    cadence = telemetry_cadence(config.telemetry_every, config.epochs, per_epoch)
    telemetry = sum(1 for step in range(1, steps + 1) if step in cadence)
    return RunShape(
        config.epochs, steps, len(eval_epochs(config.epochs, config.eval_every)), telemetry
    )


@dataclass(frozen=True)
class MeasurementRun:
    label: str
    config: TrainConfig
    shape: RunShape


@dataclass(frozen=True)
class Plan:
    target: RunShape
    steps_per_epoch: int
    extra_epochs: int  # k: the long measurement runs have 1 + k epochs
    runs: tuple[MeasurementRun, ...]

    @property
    def extra_steps(self) -> int:
        return self.extra_epochs * self.steps_per_epoch

    def run(self, label: str) -> MeasurementRun | None:
        return next((r for r in self.runs if r.label == label), None)


_TELEMETRY = {0: "off", 1: "on"}  # telemetry_every of the measurement runs: never, every step


def _measurement(label: str, config: TrainConfig, columns: int, **update: object) -> MeasurementRun:
    run = config.model_copy(update=update)
    return MeasurementRun(label, run, shape_of(run, columns))


def plan(config: TrainConfig, train_columns: int, steps: int) -> Plan:
    """The measurement runs for ``config``, whose long runs have at least ``steps`` more
    steps than the short ones: "short-off", "long-off" without telemetry, "short-on",
    "long-on" with it on every step (each pair only if the run has such steps), and
    "evaluating" if the run evaluates more than once."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    target = shape_of(config, train_columns)
    per_epoch = n_batches(train_columns, config.batch_size)
    extra = math.ceil(steps / per_epoch)
    kinds = [
        every
        for every, present in (
            (0, target.telemetry_steps < target.steps),
            (1, target.telemetry_steps > 0),
        )
        if present
    ]
    runs = [
        _measurement(
            f"{length}-{_TELEMETRY[every]}",
            config,
            train_columns,
            epochs=epochs,
            eval_every=0,
            telemetry_every=every,
        )
        for every in kinds
        for length, epochs in (("short", 1), ("long", 1 + extra))
    ]
    if target.evaluations > 1:
        runs.append(
            _measurement(
                "evaluating",
                config,
                train_columns,
                epochs=1 + extra,
                eval_every=1,
                telemetry_every=kinds[0],
            )
        )
    return Plan(target, per_epoch, extra, tuple(runs))
