"""Writing a Board as TensorBoard event files, through tensorboardX.

A run's events go to ``LOGDIR/RUN``, so that `tensorboard --logdir LOGDIR` lists the runs
side by side. tensorboardX is imported when a board is written, so that commands which do
not write one do not pay for its import (protobuf).
"""

from __future__ import annotations

from pathlib import Path

from lnn.cli.errors import UsageError
from lnn.tensorboard.board import Board

EVENT_FILES = "events.out.tfevents.*"


def make_log_dir(logdir: Path) -> None:
    """Create ``logdir`` before a run, so a bad --tensorboard costs no training time."""
    try:
        logdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"--tensorboard: cannot create directory {logdir}: {exc.strerror or exc}"
        ) from exc


def write_board(logdir: Path, run: str, board: Board) -> Path:
    """``logdir/run`` holding one event file with the board. An earlier export of the run
    there is replaced, not appended to: TensorBoard would show each point twice."""
    from tensorboardX import SummaryWriter

    directory = logdir / run
    make_log_dir(directory)
    for old in directory.glob(EVENT_FILES):
        old.unlink()
    with SummaryWriter(logdir=str(directory)) as writer:
        for s in board.scalars:
            writer.add_scalar(s.tag, s.value, s.step)
        for h in board.histograms:
            writer.add_histogram_raw(
                h.tag,
                min=h.minimum,
                max=h.maximum,
                num=h.num,
                sum=h.total,
                sum_squares=h.sum_squares,
                bucket_limits=h.limits.tolist(),
                bucket_counts=h.counts.tolist(),
                global_step=h.step,
            )
        for p in board.pictures:
            writer.add_images(p.tag, p.pixels, p.step, dataformats="NHWC")
    return directory
