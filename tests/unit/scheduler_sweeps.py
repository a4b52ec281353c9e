"""Sweep records made by hand for the scheduler's tests: trials of the in-memory stack's
toy network that differ by their learning rate."""

from sweep_records import sweep

from lnn.sweep.types import Halving, SweepRecord, TrialRecord, trial_name, trial_run_id
from messages.train_request import TrainConfig

SWEEP = "sw1"


def sweep_record(
    configs: list[TrainConfig],
    *,
    concurrency: int = 2,
    metric: str = "final_cost",
    halving: Halving | None = None,
) -> SweepRecord:
    trials = [
        TrialRecord(
            index=i,
            name=trial_name(i),
            params={"lr": c.lr},
            config=c,
            run_id=trial_run_id(SWEEP, i),
        )
        for i, c in enumerate(configs)
    ]
    return sweep(
        trials,
        sweep_id=SWEEP,
        engine="memory",
        dataset="toy",
        search="lr=log:1e-3:1",
        concurrency=concurrency,
        metric=metric,
        halving=halving,
    )
