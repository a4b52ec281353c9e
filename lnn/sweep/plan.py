"""A sweep before it runs: its trials drawn from the search and checked, as a record of
PENDING trials; or, for a sweep id that has a record already, that record, to resume."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from functions.training.schedule import eval_epochs
from lnn.sweep.draws import draw_trials, trial_config
from lnn.sweep.exceptions import SweepError, SweepRecordError
from lnn.sweep.search import parse_search
from lnn.sweep.types import (
    SWEEP_ID_PATTERN,
    Halving,
    SweepRecord,
    TrialRecord,
    TrialStatus,
    metric_label,
    trial_name,
    trial_run_id,
)
from messages.train_request import TrainConfig

__all__ = ["SweepPlan", "default_metric", "plan_sweep", "resume_sweep"]


@dataclass(frozen=True)
class SweepPlan:
    sweep_id: str
    engine: str
    base: TrainConfig
    search: str
    method: str
    trials: int | None
    grid_points: int
    concurrency: int
    metric: str | None = None
    halving: Halving | None = None


def default_metric(config: TrainConfig) -> str:
    """Trials are compared on data they did not train on when there is some."""
    return "dev_accuracy" if config.holdout > 0 else "train_accuracy"


def _check_rungs(trials: list[TrialRecord], halving: Halving, metric: str) -> None:
    """A rung judges accuracies by the last evaluation at or before it: each trial that
    reaches a rung must have one there (the cost is there every epoch)."""
    if metric == "final_cost":
        return
    for trial in trials:
        config = trial.config
        first = 1 + min(eval_epochs(config.epochs, config.eval_every))
        early = [r for r in halving.rungs if r < first and r < config.epochs]
        if early:
            raise SweepError(
                f"--rungs: trial {trial.name} is first evaluated after epoch {first}, so "
                f"its {metric_label(metric)} is unknown at epoch {early[0]}; put the "
                "rungs later or evaluate more often (--eval-every)"
            )


def plan_sweep(plan: SweepPlan, seed: int) -> SweepRecord:
    """The sweep's record with every trial PENDING (SearchSpecError, SweepError: one line)."""
    if not re.fullmatch(SWEEP_ID_PATTERN, plan.sweep_id):
        raise SweepError(f"--sweep-id {plan.sweep_id!r}: 1-52 of A-Z, a-z, 0-9, '_', '-'")
    space = parse_search(plan.search)
    drawn = draw_trials(
        space, method=plan.method, trials=plan.trials, seed=seed, grid_points=plan.grid_points
    )
    trials = [
        TrialRecord(
            index=index,
            name=trial_name(index),
            params=params,
            config=trial_config(plan.base, params),
            run_id=trial_run_id(plan.sweep_id, index),
        )
        for index, params in enumerate(drawn)
    ]
    metric = plan.metric or default_metric(plan.base)
    if plan.halving is not None:
        _check_rungs(trials, plan.halving, metric)
    now = datetime.now(UTC)
    return SweepRecord(
        sweep_id=plan.sweep_id,
        engine=plan.engine,
        dataset=plan.base.dataset,
        search=plan.search,
        method=plan.method,
        seed=seed,
        concurrency=plan.concurrency,
        metric=metric,
        halving=plan.halving,
        created_at=now,
        updated_at=now,
        trials=trials,
    )


def resume_sweep(found: SweepRecord, planned: SweepRecord) -> SweepRecord:
    """The stored record, to run again what is not final, when it is the sweep asked for
    (the same trials, metric and halving; the concurrency may change)."""
    same = (
        found.engine == planned.engine
        and found.metric == planned.metric
        and found.halving == planned.halving
        and [t.config for t in found.trials] == [t.config for t in planned.trials]
    )
    if not same:
        raise SweepRecordError(
            f"sweep {found.sweep_id} exists already with other trials, engine, metric or "
            f"halving ({found.engine}, {len(found.trials)} trials of {found.search!r}): give "
            "the same options to resume it, or another --sweep-id"
        )
    trials = [t if t.status.is_final else _afresh(t) for t in found.trials]
    return found.model_copy(update={"trials": trials, "concurrency": planned.concurrency})


def _afresh(trial: TrialRecord) -> TrialRecord:
    """A trial that was not final, as it is before it runs: what an earlier attempt
    reached is not this one's (its run id and attempt stay: a run still on the stack is
    followed, a cancelled one run again as the next attempt)."""
    kept = {"index", "name", "params", "config", "run_id", "attempt"}
    fresh = TrialRecord(**{name: getattr(trial, name) for name in kept})
    return fresh.model_copy(update={"status": TrialStatus.PENDING})
