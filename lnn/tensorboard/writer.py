"""Writing a Board as TensorBoard event files, through tensorboardX.

A run's events go to ``LOGDIR/RUN``, so that `tensorboard --logdir LOGDIR` lists the runs
side by side. tensorboardX is imported when a board is written, so that commands which do
not write one do not pay for its import (protobuf).
"""

from __future__ import annotations

from pathlib import Path

from lnn.runs import make_output_dir
from lnn.tensorboard.board import Board

EVENT_FILES = "events.out.tfevents.*"


def write_board(logdir: Path, run: str, board: Board) -> Path:
    """``logdir/run`` holding one event file with the board. An earlier export of the run
    there is replaced, not appended to: TensorBoard would show each point twice."""
    from tensorboardX import SummaryWriter

    directory = logdir / run
    make_output_dir(directory, "--tensorboard")
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
        for t in board.texts:
            writer.add_text(t.tag, t.text, t.step)
    return directory
