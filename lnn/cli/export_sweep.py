"""``lnn export SWEEP_DIR --tensorboard DIR``: a sweep's directory (its record, sweep.json,
and each trial's run directory under trials/) as TensorBoard's HParams experiment in
DIR/SWEEP_ID, a run per trial.

RUN may also be the id of a sweep that ran on a stack: its record is read from the stack's
bucket and each trial's history from its run.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

from lnn.cli.errors import UsageError
from lnn.client import StackClient
from lnn.sweep.exceptions import SweepError
from lnn.sweep.store import BlobSweepStore, DirectorySweepStore, trial_histories
from lnn.sweep.types import RECORD_FILE, SweepRecord
from lnn.tensorboard import write_sweep_board
from messages.status import HistoryEntry


def is_sweep_dir(path: Path) -> bool:
    return (path / RECORD_FILE).is_file()


def write_board_of(
    record: SweepRecord, histories: Mapping[int, Sequence[HistoryEntry]], logdir: Path
) -> int:
    """Write the sweep and say where and what; a record whose search does not parse is a
    usage error."""
    try:
        written = write_sweep_board(logdir, record, histories)
    except SweepError as exc:
        raise UsageError(f"sweep {record.sweep_id}: {exc}") from exc
    print(
        f"{written}: {len(record.trials)} trials ({len(histories)} with a history) "
        "as one HParams experiment"
    )
    return 0


def export_sweep(directory: Path, logdir: Path) -> int:
    record = DirectorySweepStore(directory).held()
    if record is None:  # gone since is_sweep_dir looked
        raise UsageError(f"{directory / RECORD_FILE}: no such file")
    return write_board_of(record, trial_histories(directory, record), logdir)


def export_stack_sweep(client: StackClient, sweep_id: str, logdir: Path) -> int | None:
    """The sweep ``sweep_id`` on the stack, written as a directory's is; None when the stack
    holds no sweep of that id (RUN is then a run id)."""
    record = BlobSweepStore(client.store.blobs).load(sweep_id)
    if record is None:
        return None
    histories = {
        trial.index: client.history(trial.run_id)
        for trial in record.trials
        if trial.run_id is not None and client.record(trial.run_id) is not None
    }
    return write_board_of(record, histories, logdir)
