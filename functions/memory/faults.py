"""Process deaths at port calls, for the in-memory stack.

A real process can die just before a call takes effect or just after it (a timeout, an
out-of-memory kill): then none of its handler code runs any more, its message is redelivered
and its memory is gone. ``ProcessCrash`` is a BaseException for that reason: the handlers'
``except Exception`` failure handling must not see it, as it would not run in a dead process.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal


class ProcessCrash(BaseException):
    """The process running the handler died."""


@dataclass(frozen=True)
class CrashPlan:
    """Die at port call number ``at`` (0-based, counted over the whole run), ``when`` it is
    about to take effect or right after it did."""

    at: int
    when: Literal["before", "after"]


@dataclass
class CallCounter:
    """Numbers every port call of a run and fires the crash plan, once."""

    plan: CrashPlan | None = None
    calls: list[str] = field(default_factory=list)

    def around(self, name: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        index = len(self.calls)
        self.calls.append(name)
        firing = self.plan is not None and self.plan.at == index
        if firing and self.plan is not None and self.plan.when == "before":
            raise ProcessCrash(f"died before {name} (call {index})")
        result = call(*args, **kwargs)
        if firing:
            raise ProcessCrash(f"died after {name} (call {index})")
        return result


class Tripwire:
    """A port whose every public method call passes through a CallCounter."""

    def __init__(self, port: Any, name: str, counter: CallCounter) -> None:
        self._port, self._name, self._counter = port, name, counter

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._port, attribute)
        if attribute.startswith("_") or not callable(value):
            return value
        return functools.partial(self._counter.around, f"{self._name}.{attribute}", value)
