"""A synthetic sweep record with its trials' histories: a trial that succeeded, one the
halving stopped, one that failed before its first epoch (no history)."""

from datetime import UTC, datetime

from sweep_records import sweep

from lnn.sweep.draws import trial_config
from lnn.sweep.types import SweepRecord, TrialRecord, TrialStatus, trial_name, trial_run_id
from messages.status import HistoryEntry
from messages.train_request import TrainConfig

SEARCH = (
    "lr=log:1e-3:1,batch-size=choice:32|64|0,beta1=1-log:1e-3:1e-1,"
    "layers=choice:8:relu,1:sigmoid|4:relu,4:relu,1:sigmoid"
)
BASE = TrainConfig(
    dataset="moons",
    layers=[{"units": 8, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}],
    epochs=3,
    optimizer="adam",
    holdout=0.2,
)
PARAMS = [
    {"lr": 0.01, "batch-size": 32, "beta1": 0.95, "layers": "8:relu,1:sigmoid"},
    {"lr": 0.3, "batch-size": 0, "beta1": 0.99, "layers": "4:relu,4:relu,1:sigmoid"},
    {"lr": 0.002, "batch-size": 64, "beta1": 0.9, "layers": "8:relu,1:sigmoid"},
]
HISTORIES = {
    0: [
        HistoryEntry(epoch=1, cost=0.6),
        HistoryEntry(epoch=2, cost=0.5),
        HistoryEntry(epoch=3, cost=0.4, train_accuracy=0.9, dev_accuracy=0.85),
    ],
    1: [HistoryEntry(epoch=1, cost=0.7), HistoryEntry(epoch=2, cost=0.69, dev_accuracy=0.5)],
}


def sweep_record() -> SweepRecord:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    figures = [
        {
            "status": TrialStatus.SUCCEEDED,
            "epochs_done": 3,
            "final_cost": 0.4,
            "train_accuracy": 0.9,
            "dev_accuracy": 0.85,
        },
        {
            "status": TrialStatus.STOPPED,
            "epochs_done": 2,
            "final_cost": 0.69,
            "dev_accuracy": 0.5,
            "stopped_at": 2,
            "reason": "below the rung's best half",
        },
        {"status": TrialStatus.FAILED, "reason": "it never started"},
    ]
    trials = [
        TrialRecord(
            index=i,
            name=trial_name(i),
            params=params,
            config=trial_config(BASE, params),
            run_id=trial_run_id("moons-sweep", i),
            **figures[i],
        )
        for i, params in enumerate(PARAMS)
    ]
    return sweep(
        trials, sweep_id="moons-sweep", engine="embedded", search=SEARCH, created_at=now, best=0
    )
