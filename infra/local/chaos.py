"""Faults injected on purpose into the functions the runner serves (``--chaos SPEC``).

``duplicate=P,crash-before=P,crash-after=P,throttle=P,timeout=P,forge=P,delay=S,kill=F,seed=N``:
- duplicate: a batch is delivered a second time (with ``delay``: a late copy of a record is
  sent back to its queue instead, arriving after the original was processed);
- crash-before / crash-after: the process dies just before, or just after, one of the
  handler's AWS calls takes effect (per call); the batch is redelivered and the process's
  memory is lost, as in a fresh container;
- throttle: one of the handler's AWS calls fails with a throttling error (per call);
- timeout: the invocation runs past its function timeout (per invocation): it is killed
  after a few of its calls, or after its last one, and its batch is redelivered;
- forge: a forger copies the batch's records straight into their queue's dead-letter queue
  (per batch), as anyone allowed SendMessage there could; the dead-letter consumer must
  refuse them, since SQS did not move them;
- delay: redeliveries come back after up to S seconds, so they arrive late and reordered;
- kill: every invocation of function F (trainer, neuron or loss) dies before any handler
  code runs, as on a timeout or out of memory at every delivery: its messages are
  dead-lettered and their runs must end FAILED, not hang;
- seed: the faults are drawn from this seed.
So that the other faults cannot dead-letter a message by themselves, a batch is only
faulted while every record in it has been received fewer than maxReceiveCount - 1 times.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, fields
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from infra.local.exceptions import ChaosSpecError

_RATES = ("duplicate", "crash_before", "crash_after", "throttle", "timeout", "forge")
_KILLABLE = ("trainer", "neuron", "loss")  # the dead-letter consumer is the safety net
_MAX_DELAY_S = 900  # SQS DelaySeconds and visibility can go no further in one step


class ProcessDeath(BaseException):
    """The invocation's process died: none of the handler's own failure handling runs."""


class DeadlinePassed(ProcessDeath):
    """Lambda stopped the invocation at its function's timeout: nothing it would have done
    after that happens."""


@dataclass(frozen=True)
class ChaosSpec:
    duplicate: float = 0.0
    crash_before: float = 0.0
    crash_after: float = 0.0
    throttle: float = 0.0
    timeout: float = 0.0
    forge: float = 0.0
    delay: float = 0.0
    kill: str = ""
    seed: int = 0

    @classmethod
    def parse(cls, text: str | None) -> ChaosSpec:
        """``"duplicate=0.3,crash-after=0.05,seed=2"``; ChaosSpecError (one line) if bad."""
        if not text:
            return cls()
        known = {f.name.replace("_", "-"): f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for part in text.split(","):
            key, _, raw = part.strip().partition("=")
            name = known.get(key.strip())
            if name is None:
                raise ChaosSpecError(f"--chaos: unknown fault {key!r}; known: {', '.join(known)}")
            if name == "kill":
                if raw not in _KILLABLE:
                    raise ChaosSpecError(f"--chaos: kill is one of {', '.join(_KILLABLE)}")
                values[name] = raw
                continue
            try:
                values[name] = int(raw) if name == "seed" else float(raw)
            except ValueError as exc:
                raise ChaosSpecError(f"--chaos: {key} needs a number, got {raw!r}") from exc
        spec = cls(**values)
        for name in _RATES:
            if not 0.0 <= getattr(spec, name) <= 1.0:
                raise ChaosSpecError(f"--chaos: {name.replace('_', '-')} is a probability in 0..1")
        if not 0.0 <= spec.delay <= _MAX_DELAY_S:
            raise ChaosSpecError(f"--chaos: delay is 0..{_MAX_DELAY_S} seconds")
        return spec

    @property
    def active(self) -> bool:
        return bool(self.kill) or any(getattr(self, name) for name in _RATES)


class Chaos:
    """Draws the faults of one runner and counts what it injected."""

    def __init__(self, spec: ChaosSpec) -> None:
        self.spec = spec
        self.injected: Counter[str] = Counter()
        self._random = random.Random(spec.seed)
        self._lock = threading.Lock()

    def chance(self, rate: float) -> bool:
        with self._lock:
            return rate > 0 and self._random.random() < rate

    def late_by(self) -> int:
        """Seconds a redelivery or a late duplicate waits (whole seconds, as SQS takes)."""
        with self._lock:
            return round(self._random.uniform(0, self.spec.delay)) if self.spec.delay else 0

    def count(self, kind: str, n: int = 1) -> None:
        with self._lock:
            self.injected[kind] += n

    def invocation(
        self,
        receive_counts: list[int],
        max_receives: int,
        function: str = "",
        deadline: float | None = None,
    ) -> Invocation:
        """The faults of one invocation of ``function`` (its key: trainer, neuron, ...) over
        a batch with these receive counts, which ends at ``deadline``."""
        if self.spec.kill and function == self.spec.kill:
            self.count("kill")
            return Invocation(self, None, killed=True)
        eligible = self.spec.active and max(receive_counts) < max_receives - 1
        kill_after = None
        if eligible and self.chance(self.spec.timeout):
            with self._lock:
                kill_after = self._random.randint(1, 8)
        return Invocation(self if eligible else None, kill_after, deadline=deadline)


class Invocation:
    """While entered (on the invoking thread), the handler's AWS calls meet the faults, and
    none is made past ``deadline`` (time.monotonic): a thread cannot be stopped at its
    timeout as Lambda stops a process, but this way no side effect outlives it."""

    def __init__(
        self,
        chaos: Chaos | None,
        kill_after: int | None,
        killed: bool = False,
        deadline: float | None = None,
    ) -> None:
        self.chaos, self.kill_after, self.calls = chaos, kill_after, 0
        self.killed, self.deadline = killed, deadline

    def __enter__(self) -> Invocation:
        if self.killed:
            raise ProcessDeath("killed before any handler code ran (--chaos kill)")
        _install()
        _current.invocation = self
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        _current.invocation = None
        if kind is None and self.kill_after is not None and self.chaos is not None:
            # It finished, but past its timeout: Lambda reports the batch failed anyway.
            self.chaos.count("timeout")
            raise ProcessDeath("the invocation ran past its function timeout")

    def around(self, call: Any, client: BaseClient, operation: str, params: Any) -> Any:
        name = f"{client.meta.service_model.service_name}.{operation}"
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise DeadlinePassed(f"stopped at its function timeout, before {name}")
        chaos = self.chaos
        if chaos is None:
            return call(client, operation, params)
        if chaos.chance(chaos.spec.crash_before):
            chaos.count("crash_before")
            raise ProcessDeath(f"died before {name}")
        if chaos.chance(chaos.spec.throttle):
            chaos.count("throttle")
            error = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded (chaos)"}}
            raise ClientError(error, operation)
        result = call(client, operation, params)
        self.calls += 1
        if chaos.chance(chaos.spec.crash_after):
            chaos.count("crash_after")
            raise ProcessDeath(f"died after {name}")
        if self.kill_after is not None and self.calls >= self.kill_after:
            self.kill_after = None
            chaos.count("timeout")
            raise ProcessDeath(f"killed at its function timeout, after {name}")
        return result


_current = threading.local()
_install_lock = threading.Lock()
_original: Any = None


def _faulty_make_api_call(client: BaseClient, operation: str, params: Any) -> Any:
    invocation = getattr(_current, "invocation", None)
    if invocation is None:  # the runner's own calls, and every other thread's
        return _original(client, operation, params)
    return invocation.around(_original, client, operation, params)


def _install() -> None:
    """Route botocore calls through the current invocation's faults (once per process;
    calls made outside an invocation pass straight through)."""
    global _original
    with _install_lock:
        if _original is None:
            _original = BaseClient._make_api_call
            BaseClient._make_api_call = _faulty_make_api_call
