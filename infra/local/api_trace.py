"""ApiCallRecorder: every AWS call made in this process, one record each, in order.

A record holds what the call was (service, operation, the params with their payloads
kept by size only), who made it (the Lambda function whose handler ran, from the runtime's
``AWS_LAMBDA_FUNCTION_NAME``; None for the runner's polls and the client), when and how
long it took here, the bytes of its HTTP request and response bodies, and its response
(payloads again by size). Enough to price a run's calls and to replay them elsewhere.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from infra.local.api_calls import add_tracer, remove_tracer
from infra.local.sized import shrink

FUNCTION_NAME_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME"  # set by the Lambda runtime (and runner)


@dataclass(frozen=True)
class ApiOperation:
    service: str
    operation: str
    params: dict[str, Any]
    response: dict[str, Any]  # the parsed response, or the error response of a failed call
    error: str | None  # the error code of a call that failed
    function: str | None
    thread: int
    started: float  # time.perf_counter()
    seconds: float
    request_bytes: int
    response_bytes: int
    # The recorder's own time on this call after it returned (copying its params and response
    # with the payloads by size): not the caller's, so timings that the recorder brackets
    # (a handler's compute, a run's wall time) take it out again.
    recorded_s: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.service}.{self.operation}"


class _Wire:
    """HTTP body sizes of the call in flight on this thread (filled by the client's events)."""

    __slots__ = ("request_bytes", "response_bytes")

    def __init__(self) -> None:
        self.request_bytes = 0
        self.response_bytes = 0


_in_flight = threading.local()
_sized_clients: weakref.WeakSet[BaseClient] = weakref.WeakSet()
_sized_lock = threading.Lock()


def _wires() -> list[_Wire]:
    wires = getattr(_in_flight, "wires", None)
    if wires is None:
        wires = _in_flight.wires = []
    return wires


def _on_send(request: Any, **_: Any) -> None:
    wires = _wires()
    if not wires:  # hooked once per client: calls made while no recorder is entered
        return
    # A streamed upload (S3 with a trailing checksum) is chunked: its own length is decoded.
    headers = request.headers
    length = headers.get("X-Amz-Decoded-Content-Length") or headers.get("Content-Length")
    body = request.body
    size = int(length) if length is not None else len(body) if isinstance(body, bytes | str) else 0
    for wire in wires:
        wire.request_bytes = size  # a retry sends the same body again: the last one counts


def _on_response(http_response: Any, model: Any, **_: Any) -> None:
    wires = _wires()
    if not wires or http_response is None:
        return
    if model.has_streaming_output:  # reading .content here would consume the caller's stream
        size = int(http_response.headers.get("content-length") or 0)
    else:
        size = len(http_response.content or b"")
    for wire in wires:
        wire.response_bytes = size


def _size_events(client: BaseClient) -> None:
    """Hook the client's send and response events, once per client."""
    with _sized_lock:
        if client in _sized_clients:
            return
        _sized_clients.add(client)
    client.meta.events.register("before-send", _on_send, unique_id="lnn-api-trace-send")
    client.meta.events.register("after-call", _on_response, unique_id="lnn-api-trace-response")


class ApiCallRecorder:
    """While entered, records every botocore call of the process (all threads, all clients).

    ``seconds`` is how long it was entered; ``operations`` the records in the order the
    calls started; ``own_seconds`` the part of ``seconds`` spent recording them.
    """

    def __init__(self) -> None:
        self._operations: list[ApiOperation] = []
        self._lock = threading.Lock()
        self.entered_at: float | None = None
        self.exited_at: float | None = None

    def __enter__(self) -> ApiCallRecorder:
        add_tracer(self)
        self.entered_at = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.exited_at = time.perf_counter()
        remove_tracer(self)

    @property
    def seconds(self) -> float:
        if self.entered_at is None:
            return 0.0
        return (self.exited_at or time.perf_counter()) - self.entered_at

    @property
    def own_seconds(self) -> float:
        with self._lock:
            return sum(op.recorded_s for op in self._operations)

    @property
    def operations(self) -> list[ApiOperation]:
        with self._lock:
            return sorted(self._operations, key=lambda op: op.started)

    def around(self, call: Any, client: BaseClient, operation: str, params: Any) -> Any:
        _size_events(client)
        wire = _Wire()
        wires = _wires()
        wires.append(wire)
        function = os.environ.get(FUNCTION_NAME_VARIABLE)
        response: Any = {}
        error = None
        started = time.perf_counter()
        try:
            response = call(client, operation, params)
            return response
        except ClientError as exc:
            error, response = exc.response.get("Error", {}).get("Code", "ClientError"), exc.response
            raise
        finally:
            ended = time.perf_counter()
            seconds = ended - started
            wires.remove(wire)
            kept = {k: v for k, v in dict(response).items() if k != "ResponseMetadata"}
            record = ApiOperation(
                service=client.meta.service_model.service_name,
                operation=operation,
                params=shrink(dict(params)),
                response=shrink(kept),
                error=error,
                function=function,
                thread=threading.get_ident(),
                started=started,
                seconds=seconds,
                request_bytes=wire.request_bytes,
                response_bytes=wire.response_bytes,
                recorded_s=time.perf_counter() - ended,
            )
            with self._lock:
                self._operations.append(record)
