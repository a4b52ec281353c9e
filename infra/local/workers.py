"""N worker processes serving one endpoint, like N Lambda containers: they truly race.

A worker that dies after it was ready is reported and replaced, as Lambda replaces a
container: its batch comes back after the visibility timeout, its memory is gone, and a
message that kills every worker it reaches ends in its dead-letter queue. A worker that
dies before it is ready is a broken set-up, not a crash: the pool gives up
(WorkerStartError), and `lnn up` exits non-zero.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from infra.local.exceptions import LocalStackError

logger = logging.getLogger(__name__)

START_TIMEOUT_S = 120.0  # a cold start imports numpy, boto3 and the handlers on a busy machine
STOP_TIMEOUT_S = 60.0  # a worker finishes the batch in hand before it exits


class WorkerStartError(LocalStackError, RuntimeError):
    """A worker process exited or stayed silent before it was ready to serve."""


@dataclass
class WorkerReport:
    """One worker slot at the end: its last process, its restarts and that process's stats
    (None when it did not stop cleanly: a killed process takes its counters with it)."""

    worker: int
    pid: int
    restarts: int
    stats: dict[str, Any] | None


@dataclass
class _Slot:
    worker: int
    process: subprocess.Popen[str]
    restarts: int = 0
    ready: threading.Event = field(default_factory=threading.Event)
    stats: dict[str, Any] | None = None
    reader: threading.Thread | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def listen(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue
            if message.get("event") == "ready":
                self.ready.set()
            elif message.get("event") == "stopped":
                self.stats = message.get("stats")


def _describe_exit(code: int) -> str:
    return f"killed by signal {-code}" if code < 0 else f"exit code {code}"


class WorkerPool:
    """`with WorkerPool(url, 4) as pool:` starts 4 workers; call `supervise()` now and then."""

    def __init__(
        self,
        endpoint_url: str,
        count: int,
        *,
        runner_options: dict[str, Any] | None = None,
        log_level: int = logging.WARNING,
    ) -> None:
        if count < 1:
            raise WorkerStartError(f"need at least one worker, got {count}")
        self.endpoint_url = endpoint_url
        self.count = count
        self.runner_options = dict(runner_options or {})
        self.log_level = logging.getLevelName(log_level)
        self._slots: list[_Slot] = []
        self._reports: list[WorkerReport] | None = None

    @property
    def pids(self) -> list[int]:
        return [slot.pid for slot in self._slots]

    def _spawn(self, worker: int) -> subprocess.Popen[str]:
        command = [
            sys.executable,
            "-m",
            "infra.local.worker",
            f"--endpoint-url={self.endpoint_url}",
            f"--worker={worker}",
            f"--runner-options={json.dumps(self.runner_options)}",
            f"--log-level={self.log_level}",
        ]
        # stdin is the lifeline (only this process holds its write end); stderr is shared.
        return subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )

    def _listen(self, slot: _Slot) -> None:
        slot.reader = threading.Thread(target=slot.listen, daemon=True)
        slot.reader.start()

    def _await_ready(self, slot: _Slot) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not slot.ready.wait(0.1):
            code = slot.process.poll()
            if code is not None and slot.reader is not None:
                slot.reader.join(timeout=5)  # a ready line may still sit in the pipe
            if code is not None and not slot.ready.is_set():
                raise WorkerStartError(
                    f"worker {slot.worker} (pid {slot.pid}) exited before it was "
                    f"ready ({_describe_exit(code)}); its log is above"
                )
            if time.monotonic() > deadline:
                raise WorkerStartError(
                    f"worker {slot.worker} (pid {slot.pid}) was not ready "
                    f"within {START_TIMEOUT_S:.0f} s"
                )

    def start(self) -> list[int]:
        """Start every worker and wait until each serves; returns their pids."""
        for worker in range(1, self.count + 1):
            slot = _Slot(worker, self._spawn(worker))
            self._slots.append(slot)
            self._listen(slot)
        for slot in self._slots:
            self._await_ready(slot)
        return self.pids

    def supervise(self) -> None:
        """Replace every worker that died since the last call (see the module's doc)."""
        for slot in self._slots:
            code = slot.process.poll()
            if code is None:
                continue
            old = slot.pid
            if slot.process.stdin is not None:
                slot.process.stdin.close()
            slot.process = self._spawn(slot.worker)
            slot.restarts += 1
            slot.ready, slot.stats = threading.Event(), None
            self._listen(slot)
            logger.warning(
                "worker %d (pid %d) died (%s); restarted as pid %d",
                slot.worker,
                old,
                _describe_exit(code),
                slot.pid,
            )
            self._await_ready(slot)

    def stop(self) -> list[WorkerReport]:
        """Close every lifeline, let each worker finish its batch, collect its stats."""
        if self._reports is not None:
            return self._reports
        for slot in self._slots:
            if slot.process.stdin is not None:
                slot.process.stdin.close()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for slot in self._slots:
            try:
                slot.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("worker %d (pid %d) did not stop: killed", slot.worker, slot.pid)
                slot.process.kill()
                slot.process.wait()
            if slot.reader is not None:
                slot.reader.join(timeout=STOP_TIMEOUT_S)
        self._reports = [
            WorkerReport(slot.worker, slot.pid, slot.restarts, slot.stats) for slot in self._slots
        ]
        return self._reports

    def __enter__(self) -> WorkerPool:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
