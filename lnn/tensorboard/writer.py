"""Writing a Board as TensorBoard event files, through tensorboardX.

A run's log goes to ``LOGDIR/NAME`` (lnn.tensorboard.board_name), so that `tensorboard
--logdir LOGDIR` lists the runs side by side; within it one run per split, ``train``,
``dev`` and ``test`` (a split never evaluated writes nothing), and in ``NAME`` itself the
HParams session: the config and the final figures. tensorboardX is imported when a board is
written, so that commands which do not write one do not pay for its import (protobuf).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from lnn.runs import make_output_dir
from lnn.tensorboard import tags
from lnn.tensorboard.board import Board
from lnn.tensorboard.hparams import metric_tags

if TYPE_CHECKING:
    from tensorboardX import SummaryWriter

EVENT_FILES = "events.out.tfevents.*"


def _clear(directory: Path) -> None:
    """An earlier export of the run there is replaced, not appended to: TensorBoard would
    show each point twice. Only what a board writes is removed."""
    for old in directory.glob(EVENT_FILES):
        old.unlink()
    for split in {tags.TRAIN, *tags.ACCURACIES.values()}:
        if (directory / split).is_dir():
            shutil.rmtree(directory / split)


def _write_hparams(writer: SummaryWriter, board: Board) -> None:
    from tensorboardX.summary import hparams

    declared = dict.fromkeys(metric_tags(), 0.0)  # the columns; the values follow
    experiment, start, end = hparams(board.hparams, declared)
    for summary in (experiment, start, end):
        writer.file_writer.add_summary(summary)
    for tag, value in board.metrics.items():
        writer.add_scalar(tag, value)


def write_board(logdir: Path, name: str, board: Board) -> Path:
    """``logdir/name`` holding the board: its HParams session and a run per split."""
    from tensorboardX import SummaryWriter

    directory = logdir / name
    make_output_dir(directory, "--tensorboard")
    _clear(directory)
    writers: dict[str, SummaryWriter] = {}

    def run(split: str) -> SummaryWriter:
        if split not in writers:
            writers[split] = SummaryWriter(logdir=str(directory / split))
        return writers[split]

    try:
        if board.hparams:
            with SummaryWriter(logdir=str(directory)) as session:
                _write_hparams(session, board)
        for s in board.scalars:
            run(s.run).add_scalar(s.tag, s.value, s.step)
        for h in board.histograms:
            run(tags.TRAIN).add_histogram_raw(
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
            run(tags.TRAIN).add_images(p.tag, p.pixels, p.step, dataformats="NHWC")
        for t in board.texts:
            run(tags.TRAIN).add_text(t.tag, t.text, t.step)
    finally:
        for writer in writers.values():
            writer.close()
    return directory
