"""Each handler invocation of an embedded run, timed: which function, how long, how many
records, on which thread (so that the AWS calls it made can be told apart)."""

from __future__ import annotations

import functools
import importlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Invocation:
    function: str
    memory_mb: int
    thread: int
    started: float  # time.perf_counter()
    seconds: float
    records: int

    @property
    def ended(self) -> float:
        return self.started + self.seconds


def _timed(handler: Callable[..., Any], into: list[Invocation]) -> Callable[..., Any]:
    @functools.wraps(handler)
    def timed(event: dict[str, Any], context: Any) -> Any:
        started = time.perf_counter()
        try:
            return handler(event, context)
        finally:
            into.append(
                Invocation(
                    function=context.function_name,
                    memory_mb=int(context.memory_limit_in_mb),
                    thread=threading.get_ident(),
                    started=started,
                    seconds=time.perf_counter() - started,
                    records=len(event.get("Records", [])),
                )
            )

    return timed


@contextmanager
def timed_handlers(handler_names: Iterable[str]) -> Iterator[list[Invocation]]:
    """While entered, the handlers named ``module.attribute`` (a function's Handler setting)
    record each invocation into the list given. The Lambda runner looks a handler up by its
    name on every invocation, so the timed one is the one it calls."""
    invocations: list[Invocation] = []
    originals: list[tuple[Any, str, Any]] = []
    try:
        for name in sorted(set(handler_names)):
            module_name, _, attribute = name.rpartition(".")
            module = importlib.import_module(module_name)
            original = getattr(module, attribute)
            originals.append((module, attribute, original))
            setattr(module, attribute, _timed(original, invocations))
        yield invocations
    finally:
        for module, attribute, original in reversed(originals):
            setattr(module, attribute, original)
