"""The sweep record: what a sweep is (its search, its options) and what became of each of its
trials. One JSON document, kept on the stack (lnn.sweep.store) and in the sweep's directory,
read by `lnn sweep status|follow`, the sweep page, the report and the TensorBoard export."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import AwareDatetime, Field

from messages.base import Accuracy, Count, Float, FrozenModel
from messages.train_request import TrainConfig

__all__ = [
    "METRICS",
    "RECORD_FILE",
    "SWEEPS_DIR",
    "SWEEP_FORMAT",
    "SWEEP_ID_PATTERN",
    "TRIALS_DIR",
    "Halving",
    "SweepRecord",
    "TrialRecord",
    "TrialStatus",
    "best_first",
    "default_sweep_dir",
    "metric_label",
    "trial_dir",
    "trial_name",
    "trial_run_id",
]

SWEEP_FORMAT = 1
# A trial's run id is the sweep id, "-tNN" and for a later attempt "-aK" (trial_run_id):
# the sweep id gets what is left of a run id's 64 characters.
SWEEP_ID_PATTERN = r"^[A-Za-z0-9_-]{1,52}$"
SweepId = Annotated[str, Field(pattern=SWEEP_ID_PATTERN)]

# The files of a sweep directory (default runs/sweeps/SWEEP_ID): the record, each trial's
# run directory (what `lnn train --out` writes) under trials/, the best trial's model as
# the sweep's model.npz, and report.html.
SWEEPS_DIR = Path("runs") / "sweeps"
RECORD_FILE = "sweep.json"
TRIALS_DIR = "trials"

# What trials are ranked by, and whether more is better: the halving's rungs, the best
# trial and the page's default order.
METRICS: dict[str, bool] = {
    "dev_accuracy": True,
    "train_accuracy": True,
    "final_cost": False,
}


def metric_label(metric: str) -> str:
    """dev_accuracy -> "dev accuracy": a metric as a person reads it."""
    return metric.replace("_", " ")


def best_first(metric: str) -> float:
    """The sign that sorts a metric's values best first (accuracies high, costs low)."""
    return -1.0 if METRICS[metric] else 1.0


def default_sweep_dir(sweep_id: str) -> Path:
    return SWEEPS_DIR / sweep_id


def trial_name(index: int) -> str:
    """t00, t01, ...: a trial's name in the sweep, its directory and its run id's end."""
    return f"t{index:02d}"


def trial_dir(sweep_dir: Path, index: int) -> Path:
    return sweep_dir / TRIALS_DIR / trial_name(index)


def trial_run_id(sweep_id: str, index: int, attempt: int = 1) -> str:
    """The run id of a trial's attempt: an attempt after the first (a trial interrupted by
    Ctrl-C and resumed on a stack that keeps the first run) gets a suffix."""
    base = f"{sweep_id}-{trial_name(index)}"
    return base if attempt == 1 else f"{base}-a{attempt}"


class TrialStatus(StrEnum):
    PENDING = "PENDING"  # not started yet
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"  # its run failed, stalled or never started: the sweep goes on
    STOPPED = "STOPPED"  # stopped early by the halving, at a rung
    CANCELLED = "CANCELLED"  # the sweep was interrupted (Ctrl-C): resuming runs it again

    @property
    def is_final(self) -> bool:
        """A trial in a final state is not run again when its sweep is resumed."""
        return self in (TrialStatus.SUCCEEDED, TrialStatus.FAILED, TrialStatus.STOPPED)


class Halving(FrozenModel):
    """Successive halving: at each rung epoch a trial is judged against the trials before
    it in sweep order that reached that rung too, and kept only among the best ``keep``
    of them (lnn.sweep.halving)."""

    rungs: list[Annotated[int, Field(ge=1)]] = Field(min_length=1)
    keep: float = Field(default=0.5, gt=0.0, lt=1.0)


class TrialRecord(FrozenModel):
    index: Count
    name: str
    # The searched values, by option name as the search spells it (lr, batch-size, layers),
    # in the search's order; JSON values (layers as their option text).
    params: dict[str, Any]
    config: TrainConfig
    run_id: str | None = None
    attempt: int = 1
    status: TrialStatus = TrialStatus.PENDING
    epochs_done: Count = 0
    final_cost: Float | None = None
    train_accuracy: Accuracy | None = None
    dev_accuracy: Accuracy | None = None
    test_accuracy: Accuracy | None = None
    reason: str | None = None
    stopped_at: int | None = None  # the rung epoch a halving stopped it at
    # Its score at each rung it was judged at (lnn.sweep.halving): what a resumed sweep
    # judges the later trials against.
    rung_scores: dict[int, Float] = Field(default_factory=dict)
    elapsed_s: Float | None = None

    def metric(self, name: str) -> float | None:
        return getattr(self, name)


class SweepRecord(FrozenModel):
    format: int = SWEEP_FORMAT
    sweep_id: SweepId
    engine: str
    dataset: str
    search: str  # the --search text
    method: str  # random | grid
    seed: int
    concurrency: int = Field(ge=1)
    metric: str
    halving: Halving | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    trials: list[TrialRecord]
    best: int | None = None  # index of the best trial by the metric, once one succeeded

    def trial(self, index: int) -> TrialRecord:
        return self.trials[index]
