"""A small real sweep on disk, shared by the sweep page's unit and browser tests: trials of
moons trained on the reference engine, each written in its own run directory as a sweep
writes it (history.json, report.html sharing the sweep's plotly.js), and the record."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watch_runs import config, watched_run

from lnn.runs.types import HISTORY_FILE
from lnn.sweep.types import (
    METRICS,
    RECORD_FILE,
    Halving,
    SweepRecord,
    TrialRecord,
    TrialStatus,
    trial_dir,
    trial_name,
)
from lnn.watch.page import PLOTLY_FILE
from lnn.watch.report import write_report
from messages.status import HistoryEntry

SEARCH = "lr=log:1e-3:10,layers=choice:5:relu,1:sigmoid|8:relu,1:sigmoid"
# Each trial's searched values; lr over four decades: a log axis.
PARAMS: list[dict[str, Any]] = [
    {"lr": 0.002, "layers": "5:relu,1:sigmoid"},
    {"lr": 0.5, "layers": "8:relu,1:sigmoid"},
    {"lr": 5.0, "layers": "5:relu,1:sigmoid"},
]
EPOCHS = 20


def _layers(text: str) -> list[dict[str, Any]]:
    return [
        {"units": int(units), "activation": activation}
        for units, activation in (part.split(":") for part in text.split(","))
    ]


def trained_sweep(
    sweep_dir: Path, *, metric: str = "dev_accuracy", halving: Halving | None = None
) -> tuple[SweepRecord, dict[int, list[HistoryEntry]]]:
    """Train PARAMS' trials for EPOCHS epochs, write them under ``sweep_dir`` and return
    the sweep's record (every trial SUCCEEDED, the best marked) and their histories."""
    trials: list[TrialRecord] = []
    histories: dict[int, list[HistoryEntry]] = {}
    for index, params in enumerate(PARAMS):
        layers = _layers(params["layers"])
        cfg = config(epochs=EPOCHS, lr=params["lr"], layers=layers, eval_every=5, holdout=0.2)
        view, result = watched_run(cfg)
        out = trial_dir(sweep_dir, index)
        out.mkdir(parents=True)
        history = [h.model_dump(mode="json") for h in result.history]
        (out / HISTORY_FILE).write_text(json.dumps(history, indent=1) + "\n")
        write_report(out, view, shared_script=sweep_dir / PLOTLY_FILE)
        last = result.history[-1]
        trials.append(
            TrialRecord(
                index=index,
                name=trial_name(index),
                params=params,
                config=cfg,
                status=TrialStatus.SUCCEEDED,
                epochs_done=last.epoch,
                final_cost=last.cost,
                train_accuracy=last.train_accuracy,
                dev_accuracy=last.dev_accuracy,
                test_accuracy=last.test_accuracy,
            )
        )
        histories[index] = list(result.history)
    now = datetime.now(UTC)
    scores = [t.metric(metric) for t in trials]
    best = (max if METRICS[metric] else min)(range(len(trials)), key=lambda i: scores[i])
    record = SweepRecord(
        sweep_id="moons-sweep",
        engine="reference",
        dataset="moons",
        search=SEARCH,
        method="random",
        seed=1,
        concurrency=2,
        metric=metric,
        halving=halving,
        created_at=now,
        updated_at=now,
        trials=trials,
        best=best,
    )
    (sweep_dir / RECORD_FILE).write_text(record.model_dump_json(indent=1))
    return record, histories
