"""The epoch bar shows the latest evaluation's accuracies beside the cost."""

import io
import re

from rich.console import Console

from lnn.cli.progress import EpochProgress
from messages.status import HistoryEntry


def final_bar(entries: list[HistoryEntry]) -> str:
    """What the bar's last frame says after these epochs."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=160, color_system=None)
    with EpochProgress(len(entries), enabled=True, console=console) as progress:
        for entry in entries:
            progress.advance(entry)
    # Terminal control sequences (cursor, erase) separate the frames; the last frame counts.
    frames = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "\n", out.getvalue()).splitlines()
    return [frame for frame in frames if frame.startswith("epoch")][-1]


def test_the_latest_evaluation_stays_on_the_bar() -> None:
    bar = final_bar(
        [
            HistoryEntry(epoch=1, cost=0.7),
            HistoryEntry(epoch=2, cost=0.6, train_accuracy=0.91, dev_accuracy=0.88),
            HistoryEntry(epoch=3, cost=0.5),  # between evaluations: cost only
        ]
    )
    assert "3/3" in bar and "cost 0.50000" in bar
    assert "train 0.9100" in bar and "dev 0.8800" in bar


def test_a_train_only_evaluation_shows_no_dev_accuracy() -> None:
    bar = final_bar([HistoryEntry(epoch=1, cost=0.7, train_accuracy=0.5)])
    assert "train 0.5000" in bar and "dev" not in bar


def test_without_evaluations_only_the_cost_shows() -> None:
    bar = final_bar([HistoryEntry(epoch=1, cost=0.7), HistoryEntry(epoch=2, cost=0.6)])
    assert "cost 0.60000" in bar and "train" not in bar
