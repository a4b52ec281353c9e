"""The sweep the sweep cases time: trials of a moons network, their learning rate and L2
drawn on log scales, each checked against its own reference run (the same run, so the same
final cost)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import count
from typing import Any

from lnn.bench.exceptions import EngineRunFailedError
from lnn.bench.types import AGREEMENT_TOLERANCE
from lnn.datasets import load_dataset
from lnn.engines.reference import train_reference
from lnn.prepare import PreparedData, prepare, split
from lnn.sweep.base import TrialBackend
from lnn.sweep.keeper import Changed
from lnn.sweep.plan import SweepPlan, plan_sweep
from lnn.sweep.scheduler import Scheduler
from lnn.sweep.types import SweepRecord, TrialStatus
from lnn.watch.page import PAGE_POLL_S
from messages.train_request import TrainConfig

__all__ = ["SEARCH", "TRIALS", "SweepWorkload"]

SEARCH = "lr=log:1e-2:1,l2=log:1e-4:1e-1"
TRIALS = 16
_LAYERS: list[dict[str, Any]] = [
    {"units": 8, "activation": "relu"},
    {"units": 1, "activation": "sigmoid"},
]
_sweeps = count(1)  # each sweep its own id: several may share one stack


@dataclass
class SweepWorkload:
    epochs: int
    trials: int = TRIALS

    def __post_init__(self) -> None:
        self.data: PreparedData = prepare(load_dataset("moons"), _LAYERS)
        self.configs = [t.config for t in self.plan("reference", 1).trials]
        self.costs: list[float] = []

    def plan(self, engine: str, concurrency: int) -> SweepRecord:
        base = TrainConfig(dataset="moons", layers=_LAYERS, epochs=self.epochs, seed=1)
        plan = SweepPlan(
            sweep_id=f"bench-{next(_sweeps)}-{engine}-c{concurrency}",
            engine=engine,
            base=base,
            search=SEARCH,
            method="random",
            trials=self.trials,
            grid_points=3,
            concurrency=concurrency,
        )
        return plan_sweep(plan, seed=base.seed)

    @property
    def depth(self) -> int:
        return len(_LAYERS)

    def one_after_another(self) -> float:
        """The trials trained one after another on the reference engine, in this process;
        their final costs are what every sweep's trials must end with."""
        started = time.perf_counter()
        self.costs = []
        for config in self.configs:
            columns = split(self.data, holdout=config.holdout, seed=config.seed)
            self.costs.append(float(train_reference(config, columns).final_cost or 0.0))
        return time.perf_counter() - started

    def timed(
        self,
        record: SweepRecord,
        backend: TrialBackend,
        on_change: Changed | None = None,
    ) -> float:
        """The sweep's wall time; EngineRunFailedError unless every trial equals its run."""
        started = time.perf_counter()
        follow = None if on_change is None else PAGE_POLL_S  # as lnn sweep --watch reads
        scheduler = Scheduler(record, backend, [], on_change=on_change, follow_every=follow)
        done = scheduler.run()
        seconds = time.perf_counter() - started
        for trial, expected in zip(done.trials, self.costs, strict=True):
            if trial.status != TrialStatus.SUCCEEDED:
                raise EngineRunFailedError(f"{record.sweep_id} {trial.name}: {trial.reason}")
            if abs((trial.final_cost or 0.0) - expected) > AGREEMENT_TOLERANCE:
                raise EngineRunFailedError(f"{record.sweep_id} {trial.name} differs from its run")
        return seconds
