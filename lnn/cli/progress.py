"""A rich progress bar over epochs, shown only when stdout is a terminal."""

import sys
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from messages.status import HistoryEntry


def _accuracy_text(entry: HistoryEntry) -> str | None:
    """``train 0.9100  dev 0.8800`` for an evaluated epoch; None for a cost-only one."""
    parts = [
        f"{name} {value:.4f}"
        for name, value in (("train", entry.train_accuracy), ("dev", entry.dev_accuracy))
        if value is not None
    ]
    return "  ".join(parts) or None


class EpochProgress:
    def __init__(self, epochs: int, *, enabled: bool, console: Console | None = None) -> None:
        self._epochs = epochs
        self._progress: Progress | None = None
        if enabled and epochs > 0:
            self._progress = Progress(
                TextColumn("epoch"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("cost {task.fields[cost]}"),
                # Evaluations are every --eval-every epochs: the last one stays on show.
                TextColumn("{task.fields[accuracy]}"),
                TimeElapsedColumn(),
                console=console,
            )
            self._task = self._progress.add_task("train", total=epochs, cost="-", accuracy="")

    def __enter__(self) -> "EpochProgress":
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    @property
    def callback(self) -> "Callable[[HistoryEntry], None] | None":
        """``advance`` when a bar is shown; None spares an engine from fetching progress."""
        return self.advance if self._progress is not None else None

    def advance(self, entry: HistoryEntry) -> None:
        if self._progress is None:
            return
        fields = {"cost": f"{entry.cost:.5f}"}
        accuracy = _accuracy_text(entry)
        if accuracy is not None:
            fields["accuracy"] = accuracy
        self._progress.update(self._task, completed=entry.epoch, **fields)


class SweepProgress:
    """A bar over the sweep's epochs (every trial's, done or running), with the trials
    done and running beside it; a trial's line is printed above it as the trial ends."""

    def __init__(self, *, enabled: bool) -> None:
        self._progress: Progress | None = None
        if enabled:
            self._progress = Progress(
                TextColumn("sweep"),
                BarColumn(),
                TextColumn("{task.fields[trials]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )
            self._task = self._progress.add_task("sweep", total=None, trials="")

    def __enter__(self) -> "SweepProgress":
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def show(self, epochs_done: int, epochs: int, final: int, running: int, trials: int) -> None:
        if self._progress is None:
            return
        text = f"{final}/{trials} trials done, {running} running"
        self._progress.update(self._task, completed=epochs_done, total=epochs, trials=text)

    def say(self, line: str) -> None:
        """A line above the bar (on stderr when there is none)."""
        if self._progress is None:
            print(line, file=sys.stderr, flush=True)
        else:
            self._progress.console.print(line, highlight=False, markup=False)
