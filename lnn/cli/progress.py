"""A rich progress bar over epochs, shown only when stdout is a terminal."""

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
