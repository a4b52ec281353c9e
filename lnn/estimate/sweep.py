"""A sweep's estimate: each trial's critical-path time and bill, the sweep's bill, and its
wall time with the trials run C at a time, capped by a Lambda concurrency quota.

Trials differ in cost only by their shape: the settings that change what a step computes,
sends or stores (layers, batch size, shards, optimizer state, epochs, evaluation and
telemetry cadence). The ones in COST_NEUTRAL only change the numbers, so trials alike but
for them are measured once, and each trial is projected from its shape's measurement.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lnn.estimate.estimate import Estimate, assumptions, estimate_all
from lnn.estimate.pricebook import BANDS, PriceBook
from lnn.estimate.projection import bill
from lnn.prepare import PreparedData
from lnn.sweep.quota import capped_concurrency, peak_executions
from lnn.sweep.types import SweepRecord, trial_name
from messages.train_request import TrainConfig

__all__ = ["COST_NEUTRAL", "SweepEstimate", "estimate_sweep", "shape_groups", "wall_time"]

# Settings that change the values a run computes but not its work: arrays of the same
# sizes, the same calls, the same number of steps and evaluations.
COST_NEUTRAL = frozenset(
    {"lr", "lr_decay", "lr_schedule", "decay_interval", "beta1", "beta2", "epsilon"}
    | {"l2", "dropout", "init", "seed"}
)


def cost_shape(config: TrainConfig) -> str:
    """What a run's cost depends on, as one comparable text."""
    settings = config.model_dump(mode="json")
    return json.dumps({k: v for k, v in settings.items() if k not in COST_NEUTRAL}, sort_keys=True)


def shape_groups(configs: Sequence[TrainConfig]) -> tuple[list[int], list[TrainConfig]]:
    """Each config's shape number, and each shape's first config (the one measured)."""
    numbers: dict[str, int] = {}
    shapes: list[TrainConfig] = []
    of_trial = []
    for config in configs:
        key = cost_shape(config)
        if key not in numbers:
            numbers[key] = len(shapes)
            shapes.append(config)
        of_trial.append(numbers[key])
    return of_trial, shapes


def wall_time(times: Sequence[float], concurrency: int) -> float:
    """The time from the first trial's start to the last one's end, trials starting in
    index order each as soon as one of ``concurrency`` slots is free (list scheduling)."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    free = [0.0] * min(concurrency, max(1, len(times)))
    end = 0.0
    for seconds in times:
        start = heapq.heappop(free)
        heapq.heappush(free, start + seconds)
        end = max(end, start + seconds)
    return end


@dataclass(frozen=True)
class SweepTrial:
    index: int
    params: dict[str, Any]
    config: TrainConfig
    shape: int  # index into SweepEstimate.shapes

    @property
    def name(self) -> str:
        return trial_name(self.index)


@dataclass(frozen=True)
class SweepEstimate:
    search: str
    method: str
    trials: tuple[SweepTrial, ...]
    shapes: tuple[Estimate, ...]  # one measured estimate per distinct shape
    concurrency: int
    quota: int | None

    @property
    def book(self) -> PriceBook:
        return self.shapes[0].book

    def estimate_of(self, trial: SweepTrial) -> Estimate:
        return self.shapes[trial.shape]

    def time_of(self, trial: SweepTrial) -> dict[str, float]:
        """The trial's critical-path seconds by band: its shape's run."""
        run = self.estimate_of(trial).run
        return {band: run[f"path.{band}"] for band in BANDS}

    def bill_of(self, trial: SweepTrial) -> dict[str, float]:
        """The trial's dollars by band (Lambda duration depends on the latencies)."""
        e = self.estimate_of(trial)
        return dict(bill(e.run, e.book)["total"])

    @property
    def peak(self) -> int:
        """Lambda executions at once of the widest trial (lnn.sweep.quota)."""
        return max(peak_executions(t.config) for t in self.trials)

    @property
    def running(self) -> int:
        """Trials at once at the asked concurrency."""
        return min(self.concurrency, len(self.trials))

    def capped(self) -> tuple[int, str | None]:
        return capped_concurrency([t.config for t in self.trials], self.concurrency, self.quota)

    def wall(self, concurrency: int) -> dict[str, float]:
        times = [self.time_of(t) for t in self.trials]
        return {band: wall_time([t[band] for t in times], concurrency) for band in BANDS}

    def totals(self) -> dict[str, dict[str, float]]:
        """By band: the trials' times one after the other, the wall time at the asked
        concurrency and at the one the quota allows, and the bill."""
        used, _ = self.capped()
        times = [self.time_of(t) for t in self.trials]
        bills = [self.bill_of(t) for t in self.trials]
        return {
            "sequential_s": {band: sum(t[band] for t in times) for band in BANDS},
            "wall_s": self.wall(self.concurrency),
            "wall_under_quota_s": self.wall(used),
            "bill_usd": {band: sum(b[band] for b in bills) for band in BANDS},
        }

    def as_dict(self) -> dict[str, object]:
        used, reason = self.capped()
        shapes = []
        for number, e in enumerate(self.shapes):
            document = e.as_dict()
            del document["assumptions"]  # the same for every shape: given once, below
            trials = [t.index for t in self.trials if t.shape == number]
            shapes.append({"trials": trials, **document})
        return {
            "sweep": {
                "search": self.search,
                "method": self.method,
                "trials": len(self.trials),
                "shapes": len(self.shapes),
                "concurrency": self.concurrency,
                "lambda_quota": self.quota,
                "peak_executions_per_trial": self.peak,
                "executions_at_once": self.running * self.peak,
                "concurrency_under_quota": used,
                "capped": reason,
            },
            "trials": [
                {
                    "index": t.index,
                    "name": t.name,
                    "params": t.params,
                    "shape": t.shape,
                    "time_s": self.time_of(t),
                    "bill_usd": self.bill_of(t),
                }
                for t in self.trials
            ],
            "total": self.totals(),
            "shapes": shapes,
            "assumptions": assumptions(self.book),
        }


def estimate_sweep(
    record: SweepRecord,
    data: PreparedData,
    steps: int,
    *,
    quota: int | None = None,
    stack: str = "lnn",
    on_run: Callable[[str], None] | None = None,
    book: PriceBook | None = None,
) -> SweepEstimate:
    """Measure each distinct shape of the sweep's trials once, on one embedded stack, and
    project every trial and the sweep (at its concurrency, and under ``quota``) from them."""
    if not record.trials:
        raise ValueError("a sweep estimate needs at least one trial")
    of_trial, shapes = shape_groups([t.config for t in record.trials])
    measured = estimate_all(shapes, data, steps, stack=stack, on_run=on_run, book=book)
    swept = tuple(
        SweepTrial(t.index, dict(t.params), t.config, shape)
        for t, shape in zip(record.trials, of_trial, strict=True)
    )
    return SweepEstimate(
        record.search, record.method, swept, tuple(measured), record.concurrency, quota
    )
