"""What the sweep's scheduler needs of an engine (lnn.sweep.scheduler): start a trial's run,
look at it, read its history, stop it, collect it, and let time pass. The adapters: the
in-memory stack (lnn.sweep.memory), a stack through its client, embedded or deployed
(lnn.sweep.stack), and the reference engine in processes (lnn.sweep.reference)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from lnn.engines.base import TrainingResult
from messages.status import HistoryEntry, RunStatus
from messages.train_request import TrainConfig

__all__ = ["TrialBackend", "TrialProgress"]


@dataclass(frozen=True)
class TrialProgress:
    status: RunStatus | None  # None: the run has no record yet
    epoch: int  # epochs completed
    stalled: str | None = None  # why the run is taken for stuck (then it has ended for us)

    @property
    def ended(self) -> bool:
        return self.stalled is not None or (self.status is not None and self.status.is_terminal)


class TrialBackend(ABC):
    @abstractmethod
    def start(self, run_id: str, config: TrainConfig) -> None:
        """Start a run of ``config`` named ``run_id``."""

    @abstractmethod
    def progress(self, run_id: str) -> TrialProgress:
        """Where the run is; status None before it has a record (or when it has none)."""

    @abstractmethod
    def history(self, run_id: str, *, after: int = 0) -> list[HistoryEntry]:
        """The history of the epochs after ``after`` it has completed, in epoch order."""

    @abstractmethod
    def cancel(self, run_id: str, reason: str) -> None:
        """Cancel the run (nothing when it has ended already); it then ends CANCELLED."""

    @abstractmethod
    def result(self, run_id: str, progress: TrialProgress) -> TrainingResult:
        """What an ended run left: its model, history, telemetry, spans."""

    @abstractmethod
    def advance(self, seconds: float) -> None:
        """Let the runs move on for about ``seconds`` (deliver, or wait)."""

    def close(self) -> None:
        """Release what the backend holds (processes); the runs it stopped have ended."""
        return None
