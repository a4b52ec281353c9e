"""A rich progress bar over epochs, shown only when stdout is a terminal."""

from collections.abc import Callable
from types import TracebackType

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from messages.status import HistoryEntry


class EpochProgress:
    def __init__(self, epochs: int, *, enabled: bool) -> None:
        self._epochs = epochs
        self._progress: Progress | None = None
        if enabled and epochs > 0:
            self._progress = Progress(
                TextColumn("epoch"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("cost {task.fields[cost]}"),
                TimeElapsedColumn(),
            )
            self._task = self._progress.add_task("train", total=epochs, cost="-")

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
        if self._progress is not None:
            self._progress.update(self._task, completed=entry.epoch, cost=f"{entry.cost:.5f}")
