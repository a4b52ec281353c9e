"""The sweep's trials on the reference engine, each in a process of a pool of the sweep's
concurrency. A trial's process appends each epoch's history entry to a file the scheduler
reads, and stops at its next step once its stop file exists (the cancel of this engine)."""

from __future__ import annotations

import multiprocessing
import signal
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference
from lnn.prepare import PreparedData, split
from lnn.sweep.base import TrialBackend, TrialProgress
from messages.status import STALL_AFTER_S, HistoryEntry, RunStatus
from messages.train_request import TrainConfig

__all__ = ["ReferenceBackend"]


def _ignore_ctrl_c() -> None:
    # Ctrl-C reaches the whole process group: the sweep (the parent) decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _train(
    run_id: str, config: TrainConfig, data: PreparedData, progress: Path, stop: Path
) -> TrainingResult:
    columns = split(data, holdout=config.holdout, seed=config.seed)
    with progress.open("a") as out:

        def on_epoch(entry: HistoryEntry) -> None:
            out.write(entry.model_dump_json() + "\n")
            out.flush()

        result = train_reference(config, columns, on_epoch=on_epoch, stop=stop.exists)
    return replace(result, run_id=run_id)  # the engine names its runs itself


# How long a closing backend waits for its trials to see their stop file (a step at most)
# before it ends their processes.
_CLOSE_WAIT_S = 30.0


class ReferenceBackend(TrialBackend):
    def __init__(
        self, data: PreparedData, processes: int, *, stall_after: float = STALL_AFTER_S
    ) -> None:
        self.data, self.processes, self.stall_after = data, processes, stall_after
        self.pool = self._new_pool()
        self._files = tempfile.TemporaryDirectory(prefix="lnn-sweep-")
        self.futures: dict[str, Future[TrainingResult]] = {}
        self._moved: dict[str, tuple[int, float]] = {}  # run id -> (epoch, when it got there)
        self._read: dict[str, tuple[int, list[HistoryEntry]]] = {}  # run id -> (bytes, entries)

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_ignore_ctrl_c,
        )

    def _file(self, run_id: str, kind: str) -> Path:
        return Path(self._files.name) / f"{run_id}.{kind}"

    def start(self, run_id: str, config: TrainConfig) -> None:
        for kind in ("progress", "stop"):
            self._file(run_id, kind).unlink(missing_ok=True)
        task = (_train, run_id, config, self.data, self._file(run_id, "progress"))
        try:
            future = self.pool.submit(*task, self._file(run_id, "stop"))
        except BrokenProcessPool:  # a process died (its trials failed): a new pool goes on
            self.pool = self._new_pool()
            future = self.pool.submit(*task, self._file(run_id, "stop"))
        self.futures[run_id] = future
        self._moved[run_id] = (0, time.monotonic())
        self._read[run_id] = (0, [])

    def history(self, run_id: str, *, after: int = 0) -> list[HistoryEntry]:
        """Read on from where the last read ended: each look parses only the new epochs."""
        path = self._file(run_id, "progress")
        offset, entries = self._read.get(run_id, (0, []))
        if path.exists():
            with path.open("rb") as progress:
                progress.seek(offset)
                new = progress.read()
            # The last line may be half written while the process runs: it waits.
            whole = new[: new.rfind(b"\n") + 1]
            entries = [*entries, *map(HistoryEntry.model_validate_json, whole.splitlines())]
            self._read[run_id] = (offset + len(whole), entries)
        return [entry for entry in entries if entry.epoch > after]

    def progress(self, run_id: str) -> TrialProgress:
        future = self.futures.get(run_id)
        if future is None:
            return TrialProgress(None, 0)
        epoch = max((e.epoch for e in self.history(run_id)), default=0)
        if future.done():
            return TrialProgress(
                RunStatus(self.result(run_id, TrialProgress(None, 0)).status), epoch
            )
        last, since = self._moved[run_id]
        if epoch != last:
            self._moved[run_id] = (epoch, time.monotonic())
        elif time.monotonic() - since > self.stall_after:
            stuck = f"its process completed no epoch for {self.stall_after:g} s"
            return TrialProgress(RunStatus.RUNNING, epoch, stalled=stuck)
        return TrialProgress(RunStatus.RUNNING, epoch)

    def cancel(self, run_id: str, reason: str) -> None:
        self._file(run_id, "stop").touch()

    def result(self, run_id: str, progress: TrialProgress) -> TrainingResult:
        future = self.futures[run_id]
        if future.done() and future.exception() is None:
            return future.result()
        failure = future.exception() if future.done() else progress.stalled
        history = self.history(run_id)
        return TrainingResult(
            run_id=run_id,
            status=RunStatus.FAILED.value,
            params=[],
            history=history,
            final_cost=history[-1].cost if history else None,
            train_accuracy=None,
            dev_accuracy=None,
            test_accuracy=None,
            reason=failure if isinstance(failure, str) else f"{type(failure).__name__}: {failure}",
        )

    def advance(self, seconds: float) -> None:
        running = [f for f in self.futures.values() if not f.done()]
        if running:
            wait(running, timeout=seconds, return_when=FIRST_COMPLETED)
        else:
            time.sleep(seconds)

    def close(self) -> None:
        """Stop every trial still running; a process that does not stop (stuck in a step)
        is ended, so that closing never waits for ever."""
        running = [(run_id, f) for run_id, f in self.futures.items() if not f.done()]
        for run_id, _ in running:
            self.cancel(run_id, "the sweep ended")
        wait([f for _, f in running], timeout=_CLOSE_WAIT_S)
        if any(not f.done() for _, f in running):
            # The executor has no public way to end its processes; these are ours to end.
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self._files.cleanup()
