"""The sweep's trials on a stack, through its client: the embedded one (its Lambda runner
delivers while the scheduler waits) or one deployed at an endpoint (`lnn up`, LocalStack,
AWS: it moves on its own). Each trial is a run submitted as `lnn submit` submits one."""

from __future__ import annotations

import time
from collections.abc import Callable

from infra.local import LambdaRunner
from lnn.client import RunStalledError, StackClient
from lnn.engines.base import TrainingResult
from lnn.engines.results import fetch_result, stalled
from lnn.prepare import PreparedData
from lnn.sweep.base import TrialBackend, TrialProgress
from messages.status import STALL_AFTER_S, HistoryEntry
from messages.train_request import TrainConfig

__all__ = ["StackBackend", "delivering", "waiting"]

Move = Callable[[float], object]


def delivering(runner: LambdaRunner) -> Move:
    """The embedded stack moves only while its runner delivers."""
    runner.refresh()
    return lambda seconds: runner.run_until(lambda: False, timeout=seconds)


def waiting() -> Move:
    """A deployed stack moves on its own: the scheduler only waits."""
    return time.sleep


class StackBackend(TrialBackend):
    def __init__(
        self,
        client: StackClient,
        data: PreparedData,
        move: Move,
        *,
        stall_after: float = STALL_AFTER_S,
    ) -> None:
        self.client, self.data, self.move, self.stall_after = client, data, move, stall_after

    def start(self, run_id: str, config: TrainConfig) -> None:
        self.client.start(config, self.data, run_id=run_id)

    def progress(self, run_id: str) -> TrialProgress:
        record = self.client.record(run_id)
        if record is None:
            return TrialProgress(None, 0)
        stuck = (
            record.stalled_reason(self.stall_after) if record.stalled(self.stall_after) else None
        )
        return TrialProgress(record.status, record.epoch, stalled=stuck)

    def history(self, run_id: str, *, after: int = 0) -> list[HistoryEntry]:
        return self.client.history(run_id, after=after)

    def cancel(self, run_id: str, reason: str) -> None:
        self.client.cancel(run_id, reason)

    def result(self, run_id: str, progress: TrialProgress) -> TrainingResult:
        record = self.client.require_record(run_id)
        if progress.stalled is not None:
            return stalled(self.client, run_id, RunStalledError(progress.stalled, record), {})
        return fetch_result(self.client, run_id, record)

    def advance(self, seconds: float) -> None:
        self.move(seconds)
