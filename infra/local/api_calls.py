"""Count every AWS API call made in this process, by "service.Operation"; tracers (see
infra.local.api_trace) see each call whole, on the same hook."""

from __future__ import annotations

import functools
import threading
from collections import Counter
from typing import Any, Protocol

from botocore.client import BaseClient

_lock = threading.Lock()
_active: list[ApiCallCounter] = []
_tracers: list[ApiTracer] = []
_original: Any = None


class ApiTracer(Protocol):
    def around(self, call: Any, client: BaseClient, operation: str, params: Any) -> Any:
        """Make the call with ``call(client, operation, params)`` and return its result."""


def _counting_make_api_call(client: BaseClient, operation_name: str, api_params: Any) -> Any:
    key = f"{client.meta.service_model.service_name}.{operation_name}"
    for counter in tuple(_active):
        counter._add(key)
    call = _original
    for tracer in tuple(_tracers):
        call = functools.partial(tracer.around, call)
    return call(client, operation_name, api_params)


def _hook() -> None:
    global _original
    # Hooked once for the process's life (idle, it only passes calls on): hooking and
    # unhooking around other wrappers of the same method (chaos) could chain them in a loop.
    if _original is None:
        _original = BaseClient._make_api_call
        BaseClient._make_api_call = _counting_make_api_call


def _install(counter: ApiCallCounter) -> None:
    with _lock:
        _hook()
        _active.append(counter)


def add_tracer(tracer: ApiTracer) -> None:
    """From now on every botocore call in the process goes through ``tracer.around``."""
    with _lock:
        _hook()
        _tracers.append(tracer)


def remove_tracer(tracer: ApiTracer) -> None:
    with _lock:
        _tracers.remove(tracer)


def _uninstall(counter: ApiCallCounter) -> None:
    with _lock:
        _active.remove(counter)


class ApiCallCounter:
    """While entered, counts calls of every botocore client (handlers, runner, deploy).

    Hooks botocore.client.BaseClient._make_api_call process-wide (once); nests and overlaps.
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()

    def _add(self, key: str) -> None:
        with self._counts_lock:
            self._counts[key] += 1

    def __enter__(self) -> ApiCallCounter:
        _install(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _uninstall(self)

    def snapshot(self) -> dict[str, int]:
        """Calls so far, e.g. {"sqs.ReceiveMessage": 12}."""
        with self._counts_lock:
            return dict(self._counts)

    def by_service(self) -> dict[str, int]:
        """Calls so far per service, e.g. {"sqs": 30, "lambda": 2}."""
        totals: Counter[str] = Counter()
        for key, count in self.snapshot().items():
            totals[key.split(".", 1)[0]] += count
        return dict(totals)

    def total(self) -> int:
        return sum(self.snapshot().values())

    def reset(self) -> None:
        with self._counts_lock:
            self._counts.clear()
