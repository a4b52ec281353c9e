"""The sweep's trials on the in-memory stack (functions.memory): the protocol with every
run in one queue, delivered a few messages at a time between the scheduler's looks."""

from __future__ import annotations

from functions.memory.stack import InMemoryStack
from functions.protocol.trainer import cancel_run
from lnn.engines.base import TrainingResult
from lnn.prepare import PreparedData
from lnn.sweep.base import TrialBackend, TrialProgress
from messages.status import HistoryEntry
from messages.train_request import TrainConfig

__all__ = ["MemoryBackend"]


class MemoryBackend(TrialBackend):
    def __init__(self, stack: InMemoryStack, data: PreparedData, *, deliveries: int = 25) -> None:
        self.stack, self.data, self.deliveries = stack, data, deliveries

    def start(self, run_id: str, config: TrainConfig) -> None:
        self.stack.submit(config, self.data.x, self.data.y, run_id)

    def progress(self, run_id: str) -> TrialProgress:
        record = self.stack.record(run_id)
        if record is None:
            return TrialProgress(None, 0)
        return TrialProgress(record.status, record.epoch)

    def history(self, run_id: str, *, after: int = 0) -> list[HistoryEntry]:
        return self.stack.ledger.history(run_id, after=after)

    def cancel(self, run_id: str, reason: str) -> None:
        cancel_run(self.stack.ledger, self.stack.bus, run_id, reason)

    def result(self, run_id: str, progress: TrialProgress) -> TrainingResult:
        record = self.stack.record(run_id)
        assert record is not None
        params = self.stack.model(run_id)[0] if record.model_key else []
        return TrainingResult(
            run_id=run_id,
            status=record.status.value,
            params=params,
            history=self.history(run_id),
            final_cost=record.final_cost,
            train_accuracy=record.train_accuracy,
            dev_accuracy=record.dev_accuracy,
            test_accuracy=record.test_accuracy,
            reason=record.reason,
            telemetry=self.stack.telemetry(run_id),
        )

    def advance(self, seconds: float) -> None:
        # Time means nothing here: a few deliveries stand for a poll interval.
        start = self.stack.deliveries
        self.stack.run(until=lambda: self.stack.deliveries - start >= self.deliveries)
