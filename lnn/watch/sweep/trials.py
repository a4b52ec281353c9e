"""What the sweep's pages read of each trial besides its record: its history (per epoch),
its results so far while it runs, and whether its report is there to link to."""

from collections.abc import Sequence
from pathlib import Path

from lnn.runs.types import REPORT_FILE
from lnn.sweep.keeper import Histories
from lnn.sweep.types import TRIALS_DIR, SweepRecord, TrialRecord, TrialStatus, trial_dir, trial_name
from messages.status import HistoryEntry


# Trial i's history at position i; a trial without one yet (not started, or a position past
# the end) has none.
def history_of(histories: Histories, index: int) -> Sequence[HistoryEntry]:
    return histories.get(index, ())


def ended(trial: TrialRecord) -> bool:
    """The trial runs no more (in this sweep's run): its report, if any, is complete."""
    return trial.status not in (TrialStatus.PENDING, TrialStatus.RUNNING)


def so_far(trial: TrialRecord, history: Sequence[HistoryEntry]) -> TrialRecord:
    """The trial with each result its record lacks yet taken from its history: the last
    epoch's cost and the last evaluation's accuracies (a trial still running, or one whose
    run failed before the sweep recorded its results)."""
    if not history:
        return trial
    last: dict[str, float | int] = {"final_cost": history[-1].cost}
    for split in ("train", "dev", "test"):
        measured = [h for h in history if getattr(h, f"{split}_accuracy") is not None]
        if measured:
            last[f"{split}_accuracy"] = getattr(measured[-1], f"{split}_accuracy")
    missing = {k: v for k, v in last.items() if getattr(trial, k) is None}
    epochs_done = max(trial.epochs_done, history[-1].epoch)
    return trial.model_copy(update={**missing, "epochs_done": epochs_done})


def trial_report_link(index: int) -> str:
    """Trial ``index``'s report relative to the sweep directory's root, where both sweep
    pages are: trials/tNN/report.html."""
    return f"{TRIALS_DIR}/{trial_name(index)}/{REPORT_FILE}"


def reports_written(sweep_dir: Path, record: SweepRecord, *, ended_only: bool) -> frozenset[int]:
    """The trials whose report is in ``sweep_dir``; ``ended_only``: only of trials that
    ended (the live page: a running trial's report would be an earlier run's, or partial)."""
    return frozenset(
        t.index
        for t in record.trials
        if (ended(t) or not ended_only) and (trial_dir(sweep_dir, t.index) / REPORT_FILE).is_file()
    )
