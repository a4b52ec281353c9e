"""What concurrency buys a sweep: the same 16 trials of a moons network trained one after
another on the reference engine, then as sweeps at concurrency 1, 4 and 8 on the reference
engine (processes), the embedded stack and `lnn up --workers 4`, all in one bench run so
that the ratios share the machine's load; and what the live sweep page costs (the embedded
sweep at concurrency 4 again, its page open). Each sweep's trials must end SUCCEEDED with
the reference runs' final costs (they are the same runs)."""

from __future__ import annotations

import time
from typing import Any

from infra.local import ApiCallCounter
from lnn.bench.exceptions import CaseUnavailableError, EngineRunFailedError
from lnn.bench.served_up import served_stack
from lnn.bench.sweep_page import OpenSweepPage
from lnn.bench.types import AGREEMENT_TOLERANCE
from lnn.datasets import load_dataset
from lnn.engines.reference import train_reference
from lnn.prepare import PreparedData, prepare, split
from lnn.sweep.base import TrialBackend
from lnn.sweep.engines import open_engine
from lnn.sweep.plan import SweepPlan, plan_sweep
from lnn.sweep.scheduler import Scheduler
from lnn.sweep.stack import StackBackend, waiting
from lnn.sweep.types import SweepRecord, TrialStatus
from messages.train_request import TrainConfig

SEARCH = "lr=log:1e-2:1,l2=log:1e-4:1e-1"
TRIALS = 16
CONCURRENCY = (1, 4, 8)
UP_WORKERS = 4
PAGE_CONCURRENCY = 4
_LAYERS: list[dict[str, Any]] = [
    {"units": 8, "activation": "relu"},
    {"units": 1, "activation": "sigmoid"},
]


def _plan(epochs: int, concurrency: int, label: str) -> SweepRecord:
    base = TrainConfig(dataset="moons", layers=_LAYERS, epochs=epochs, seed=1)
    plan = SweepPlan(
        sweep_id=f"bench-{label}-c{concurrency}",
        engine=label,
        base=base,
        search=SEARCH,
        method="random",
        trials=TRIALS,
        grid_points=3,
        concurrency=concurrency,
    )
    return plan_sweep(plan, seed=base.seed)


def _timed_sweep(
    record: SweepRecord,
    backend: TrialBackend,
    costs: list[float],
    page: OpenSweepPage | None = None,
) -> float:
    started = time.perf_counter()
    if page is None:
        done = Scheduler(record, backend, []).run()
    else:
        with page:
            follow = Scheduler(record, backend, [], on_change=page.changed, follow_histories=True)
            done = follow.run()
    seconds = time.perf_counter() - started
    for trial, expected in zip(done.trials, costs, strict=True):
        if trial.status != TrialStatus.SUCCEEDED:
            raise EngineRunFailedError(f"{record.sweep_id} {trial.name}: {trial.reason}")
        if abs((trial.final_cost or 0.0) - expected) > AGREEMENT_TOLERANCE:
            raise EngineRunFailedError(f"{record.sweep_id} {trial.name} differs from its run")
    return seconds


def sweep_cost(_: object, epochs: int, repeats: int) -> dict[str, object]:
    if repeats != 1:  # each side is 16 runs already; a repeat would double an hour's case
        raise CaseUnavailableError(f"sweep-cost runs each side once, not {repeats} times")
    data: PreparedData = prepare(load_dataset("moons"), _LAYERS)
    configs = [t.config for t in _plan(epochs, 1, "reference").trials]
    started = time.perf_counter()
    costs = []
    for config in configs:
        result = train_reference(config, split(data, holdout=config.holdout, seed=config.seed))
        costs.append(float(result.final_cost or 0.0))
    wall: dict[str, float] = {"reference, one after another": time.perf_counter() - started}

    calls: dict[str, int] = {}  # the embedded sweeps' AWS calls, the runner's included

    def engine_sweeps(engine: str) -> None:
        for concurrency in CONCURRENCY:
            record = _plan(epochs, concurrency, engine)
            label = f"{engine} sweep, concurrency {concurrency}"
            with open_engine(engine, data, configs, concurrency=concurrency) as opened:
                with ApiCallCounter() as counter:
                    wall[label] = _timed_sweep(record, opened.backend, costs)
                calls[label] = sum(counter.snapshot().values())

    engine_sweeps("reference")
    engine_sweeps("embedded")
    # The live page's cost: the same sweep again, its page open, against the one before.
    page, counter = OpenSweepPage(), ApiCallCounter()
    record = _plan(epochs, PAGE_CONCURRENCY, "embedded-page")
    engine = open_engine("embedded", data, configs, concurrency=PAGE_CONCURRENCY)
    with engine as opened, counter:
        page_on = _timed_sweep(record, opened.backend, costs, page)
    off = f"embedded sweep, concurrency {PAGE_CONCURRENCY}"
    page_off = wall[off]
    with served_stack(UP_WORKERS, max_depth=len(_LAYERS)) as client:
        for concurrency in CONCURRENCY:
            record = _plan(epochs, concurrency, "endpoint")
            backend = StackBackend(client, data, waiting())
            label = f"lnn up --workers {UP_WORKERS} sweep, concurrency {concurrency}"
            wall[label] = _timed_sweep(record, backend, costs)
    sequential = wall["reference, one after another"]
    return {
        "trials": TRIALS,
        "search": SEARCH,
        "wall_s": {name: round(s, 2) for name, s in wall.items()},
        "ratio_to_reference_one_after_another": {
            name: round(s / sequential, 2) for name, s in wall.items()
        },
        "speedup_over_concurrency_1": _speedups(wall),
        "live_page": {
            "concurrency": PAGE_CONCURRENCY,
            "wall_s_page_off": round(page_off, 2),
            "wall_s_page_on": round(page_on, 2),
            "ratio_on_to_off": round(page_on / page_off, 3),
            "polls": page.polls,
            "bytes_sent": page.bytes_sent,
            "aws_calls_page_off": calls[off],
            "aws_calls_page_on": sum(counter.snapshot().values()),
        },
    }


def _speedups(wall: dict[str, float]) -> dict[str, float]:
    out = {}
    for name, seconds in wall.items():
        if "concurrency" in name and not name.endswith("concurrency 1"):
            one = wall[name.rsplit(" ", 1)[0] + " 1"]
            out[name] = round(one / seconds, 2)
    return out
