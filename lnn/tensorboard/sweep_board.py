"""A sweep as TensorBoard logs: ``ROOT/SWEEP_ID`` holds the HParams experiment (every
searched option with its domain, the metrics), and ``ROOT/SWEEP_ID/tNN`` each trial as a
run's board (its history's scalars in ``train``, ``dev``, ``test``) and its HParams
session (its values, its final figures, how it ended). TensorBoard's HParams dashboard
then shows the trials as a table and in parallel coordinates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from lnn.runs import make_output_dir
from lnn.sweep.types import SweepRecord
from lnn.tensorboard.board import run_board
from lnn.tensorboard.sessions import experiment_summary, session_summaries
from lnn.tensorboard.sweep_hparams import (
    sweep_columns,
    sweep_metric_tags,
    trial_hparams,
    trial_metrics,
)
from lnn.tensorboard.writer import EVENT_FILES, write_board
from messages.status import HistoryEntry

__all__ = ["write_sweep_board"]


def write_sweep_board(
    root: Path, record: SweepRecord, histories: Mapping[int, Sequence[HistoryEntry]]
) -> Path:
    """``root/<sweep id>`` holding the sweep's experiment and a run per trial, the trial's
    history taken from ``histories`` by trial index (a trial without one has its session
    only). Writing a sweep again replaces what it wrote before (a sweep resumed, then
    exported again, shows each point once). SearchSpecError if the record's search does
    not parse."""
    from tensorboardX import SummaryWriter

    columns = sweep_columns(record)
    directory = make_output_dir(root / record.sweep_id, "--tensorboard")
    for old in directory.glob(EVENT_FILES):
        old.unlink()
    with SummaryWriter(logdir=str(directory)) as writer:
        writer.file_writer.add_summary(experiment_summary(columns, sweep_metric_tags()))
    for trial in record.trials:
        board = run_board(trial.config, histories.get(trial.index, ()), (), {})
        # The session is the sweep's (its columns, the record's figures), not the run's.
        written = write_board(directory, trial.name, replace(board, hparams={}, metrics={}))
        with SummaryWriter(logdir=str(written)) as writer:
            for summary in session_summaries(trial_hparams(trial, columns), trial.status):
                writer.file_writer.add_summary(summary)
            for tag, value in trial_metrics(trial).items():
                writer.add_scalar(tag, value)
    return directory
