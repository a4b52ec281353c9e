"""The embedded engine's follower: when it looks at the run record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.local import ApiCallCounter
from infra.local.stats import RunnerStats
from lnn.engines.stack import _Follower
from messages.status import RunStatus


@dataclass
class _Record:
    status: RunStatus = RunStatus.RUNNING
    epoch: int = 0

    def stalled(self, after: float) -> bool:
        return False


@dataclass
class _Client:
    record_now: _Record = field(default_factory=_Record)
    looks: int = 0

    def record(self, run_id: str) -> _Record:
        self.looks += 1
        return self.record_now


@dataclass
class _Runner:
    idle: bool = False
    stats: RunnerStats = field(default_factory=RunnerStats)

    def deliver(self, records: int) -> None:
        self.stats.function("fn").records += records


def _follower(client: _Client, runner: _Runner) -> Any:
    return _Follower(client, "r", None, ApiCallCounter(), 60.0, runner)  # type: ignore[arg-type]


def test_follower_looks_at_once_when_the_runner_goes_quiet_after_work() -> None:
    client, runner = _Client(), _Runner()
    follower = _follower(client, runner)
    assert not follower.done()  # the first look
    runner.deliver(3)
    assert not follower.done()  # still busy: the poll interval holds
    assert client.looks == 1

    runner.idle = True
    client.record_now = _Record(RunStatus.SUCCEEDED, epoch=1)
    assert follower.done()
    assert client.looks == 2


def test_a_quiet_runner_without_new_work_waits_for_the_interval() -> None:
    client, runner = _Client(), _Runner(idle=True)
    follower = _follower(client, runner)
    runner.deliver(1)
    assert not follower.done()
    for _ in range(5):  # e.g. a retry waiting out its delay: no look per idle sweep
        assert not follower.done()
    assert client.looks == 1


@dataclass
class _Unstarted:
    """A stack that never writes the run's record (its request dead-lettered, say)."""

    looks: int = 0

    def record(self, run_id: str) -> None:
        self.looks += 1


def test_a_run_without_a_record_past_the_stall_limit_ends_the_wait() -> None:
    client, runner = _Unstarted(), _Runner()
    patient = _Follower(client, "r", None, ApiCallCounter(), 60.0, runner)  # type: ignore[arg-type]
    assert not patient.done() and not patient.never_started  # within its limit: waits on

    hasty = _Follower(client, "r", None, ApiCallCounter(), 0.0, runner)  # type: ignore[arg-type]
    assert hasty.done() and hasty.never_started
