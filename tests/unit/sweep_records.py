"""Sweep records built by hand for the sweep page's unit tests: four trials in every state
the page shows differently, and their histories."""

from datetime import UTC, datetime
from typing import Any

from watch_runs import config

from lnn.sweep.types import SweepRecord, TrialRecord, TrialStatus, trial_name
from messages.status import HistoryEntry

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def trial(index: int, params: dict[str, Any], **fields: Any) -> TrialRecord:
    lr = params.get("lr", 0.5)
    return TrialRecord(
        index=index,
        name=trial_name(index),
        params=params,
        config=config(lr=lr, epochs=30),
        **{"status": TrialStatus.SUCCEEDED, **fields},
    )


def sweep(trials: list[TrialRecord], **fields: Any) -> SweepRecord:
    options: dict[str, Any] = dict(
        sweep_id="s1",
        engine="reference",
        dataset="moons",
        search="lr=log:1e-4:1,batch-size=choice:64|0|32",
        method="random",
        seed=1,
        concurrency=2,
        metric="dev_accuracy",
        created_at=NOW,
        updated_at=NOW,
        trials=trials,
    )
    return SweepRecord(**{**options, **fields})


def history(costs: list[float], dev: float | None = None) -> list[HistoryEntry]:
    last = len(costs)
    return [
        HistoryEntry(epoch=e, cost=c, dev_accuracy=dev if e == last else None)
        for e, c in enumerate(costs, start=1)
    ]


STOP_REASON = (
    "stopped at epoch 10 by successive halving: dev accuracy 0.6 ranked 2 of 2 trials at "
    "that epoch (the best 1 go on)"
)
# Four trials: t01 best by dev accuracy; t02 still running (its results from its history);
# t03 stopped by the halving.
TRIALS = [
    trial(0, {"lr": 0.3, "batch-size": 64}, epochs_done=30, final_cost=0.2, dev_accuracy=0.8),
    trial(1, {"lr": 1e-4, "batch-size": 0}, epochs_done=30, final_cost=0.5, dev_accuracy=0.9),
    trial(2, {"lr": 0.01, "batch-size": 32}, status=TrialStatus.RUNNING),
    trial(
        3,
        {"lr": 0.003, "batch-size": 64},
        status=TrialStatus.STOPPED,
        epochs_done=10,
        final_cost=0.6,
        dev_accuracy=0.6,
        stopped_at=10,
        reason=STOP_REASON,
    ),
]
HISTORIES = {
    0: history([0.7, 0.2]),
    1: history([0.7, 0.5]),
    2: history([0.7, 0.4, 0.35], dev=0.7),
}
