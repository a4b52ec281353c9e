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
