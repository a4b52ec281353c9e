"""`lnn up`: moto's AWS API on loopback plus the Lambda runner serving whatever gets deployed,
in this process or in N worker processes."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from infra.local.embedded import EmbeddedStack
from infra.local.emulator import loopback_api
from infra.local.hosting import run_functions
from infra.local.runner import DEFAULT_LOCAL_RETRY_DELAY
from infra.local.workers import WorkerPool, WorkerReport

__all__ = ["EmbeddedStack", "serve", "serve_functions"]

logger = logging.getLogger(__name__)

_SUPERVISE_INTERVAL_S = 0.5  # how soon a dead worker is noticed and replaced


def serve_functions(
    endpoint_url: str,
    stop: threading.Event,
    *,
    workers: int = 1,
    ready: Callable[[list[int]], Any] | None = None,
    **runner_options: Any,
) -> list[WorkerReport]:
    """Run the functions deployed at `endpoint_url` until `stop` or Ctrl-C.

    workers=1 runs them in this process; N > 1 in N worker processes, each with its own
    memory, racing for the same queues and barriers. `ready(pids)` is called once they
    serve. `runner_options` go to every LambdaRunner (retry_delay defaults to a short
    delay). Returns one report per worker, with its runner's statistics.
    """
    runner_options.setdefault("retry_delay", DEFAULT_LOCAL_RETRY_DELAY)
    if workers == 1:
        pid = os.getpid()
        stats = None
        with contextlib.suppress(KeyboardInterrupt):
            stats = run_functions(
                endpoint_url,
                stop,
                ready=None if ready is None else lambda: ready([pid]),
                **runner_options,
            ).as_dict()
        return [WorkerReport(1, pid, 0, stats)]
    level = logging.getLogger().getEffectiveLevel()
    with WorkerPool(endpoint_url, workers, runner_options=runner_options, log_level=level) as pool:
        if ready is not None:
            ready(pool.pids)
        with contextlib.suppress(KeyboardInterrupt):
            while not stop.wait(_SUPERVISE_INTERVAL_S):
                pool.supervise()
        return pool.stop()


def serve(
    host: str = "127.0.0.1",
    port: int = 4566,
    *,
    stop: threading.Event | None = None,
    ready: Callable[[str], Any] | None = None,
    workers: int = 1,
    **runner_options: Any,
) -> list[WorkerReport]:
    """Serve the AWS API on host:port and run deployed functions until `stop` or Ctrl-C.

    `ready(endpoint_url)` is called once the API accepts requests and the functions are
    served. port=0 picks a free port. Stacks deployed later by other processes are picked
    up by the runners' refresh. The API's state lives in this process: gone on return.
    """
    stop = stop or threading.Event()
    with loopback_api(host, port) as endpoint_url:
        logger.info("embedded AWS API on %s", endpoint_url)
        return serve_functions(
            endpoint_url,
            stop,
            workers=workers,
            ready=None if ready is None else lambda pids: ready(endpoint_url),
            **runner_options,
        )
