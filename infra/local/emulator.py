"""The AWS API of `lnn up`: moto's server app on loopback, serving one request at a time.

moto's backends are not safe under concurrent requests. A conditional UpdateItem reads,
checks and writes without a lock, so two first arrivals at a barrier can both create the
item and one arrival is lost; SQS DeleteMessage rebuilds a queue's message list while
SendMessage appends to it, so a message can vanish. AWS makes each such call atomic and
the protocol relies on it, and with several workers these requests do race. moto's
handlers are Python under the GIL, so one at a time costs no parallelism there was.
A long poll (WaitTimeSeconds > 0) lets go while it waits, or it would block the very
SendMessage it waits for.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from infra.local.exceptions import PortInUseError
from infra.local.moto_compat import correct_moto
from infra.local.speedups import speed_up_moto

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _OneAtATime:
    """A lock that knows whether this thread holds it, so a waiting call can let go."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mine = threading.local()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            self._mine.held = True
            try:
                yield
            finally:
                self._mine.held = False

    @contextmanager
    def released(self) -> Iterator[None]:
        if not getattr(self._mine, "held", False):  # moto used in-process, not served
            yield
            return
        self._mine.held = False
        self._lock.release()
        try:
            yield
        finally:
            self._lock.acquire()
            self._mine.held = True


# moto's state is process-wide, so is the lock: every served app in the process shares it.
_SERIAL = _OneAtATime()
_patch_lock = threading.Lock()


def _let_long_polls_wait_unlocked() -> None:
    from moto.sqs.models import Queue

    with _patch_lock:
        original = Queue.wait_for_messages
        if getattr(original, "lnn_unlocked", False):
            return

        def wait_for_messages(queue: Any, timeout: int) -> None:
            with _SERIAL.released():
                original(queue, timeout)

        wait_for_messages.lnn_unlocked = True  # type: ignore[attr-defined]
        Queue.wait_for_messages = wait_for_messages


def serialized(app: WsgiApp) -> WsgiApp:
    """`app`, answering one request at a time (its response body read inside the lock)."""

    def one_at_a_time(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with _SERIAL.held():
            return list(app(environ, start_response))

    return one_at_a_time


def _check_free(host: str, port: int) -> None:
    """Fail with a clear error, not a server thread that dies unseen, on a taken port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUseError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


@contextmanager
def loopback_api(host: str = "127.0.0.1", port: int = 4566) -> Iterator[str]:
    """moto's AWS API on host:port (0 = a free port) for the block; yields its URL.

    Its state is this process's memory: it is gone when the block ends.
    """
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    if port:
        _check_free(host, port)
    correct_moto()
    speed_up_moto()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # it logs every request
    _let_long_polls_wait_unlocked()
    app = serialized(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="moto-api", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
