"""`lnn up`: a moto server on loopback plus a LambdaRunner serving whatever gets deployed."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from typing import Any

import boto3

from infra.local.embedded import EmbeddedStack
from infra.local.exceptions import PortInUseError
from infra.local.moto_compat import disable_moto_sqs_lambda_delivery
from infra.local.runner import DEFAULT_LOCAL_RETRY_DELAY, LambdaRunner

__all__ = ["EmbeddedStack", "serve", "serve_endpoint"]

logger = logging.getLogger(__name__)

_FAKE_KEY = "test"
_DEFAULT_REGION = "us-east-1"
_MAX_IDLE_SLEEP = 0.5  # idle sweeps are HTTP requests here: keep them rare


def _check_free(host: str, port: int) -> None:
    # moto's server thread would die on a taken port and leave start() waiting forever.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUseError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


def _local_session() -> boto3.Session:
    """The ambient session, with fake credentials and a region where none are set."""
    session = boto3.Session()
    region = session.region_name or _DEFAULT_REGION
    if session.get_credentials() is None:
        return boto3.Session(
            aws_access_key_id=_FAKE_KEY, aws_secret_access_key=_FAKE_KEY, region_name=region
        )
    return boto3.Session(region_name=region)


def serve(
    host: str = "127.0.0.1",
    port: int = 4566,
    *,
    stop: threading.Event | None = None,
    ready: Callable[[str], Any] | None = None,
    **runner_options: Any,
) -> None:
    """Serve the AWS API on host:port and run deployed functions until `stop` or Ctrl-C.

    `ready(endpoint_url)` is called once the API accepts requests. port=0 picks a free
    port. `runner_options` go to LambdaRunner (retry_delay defaults to a short delay).
    Stacks deployed later by other processes are picked up by the runner's refresh.
    """
    from moto.server import ThreadedMotoServer

    if port:
        _check_free(host, port)
    stop = stop or threading.Event()
    disable_moto_sqs_lambda_delivery()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one log line per request
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    try:
        endpoint_url = f"http://{host}:{server.get_host_and_port()[1]}"
        runner_options.setdefault("retry_delay", DEFAULT_LOCAL_RETRY_DELAY)
        with LambdaRunner(_local_session(), endpoint_url, **runner_options) as runner:
            logger.info("embedded AWS API on %s", endpoint_url)
            if ready is not None:
                ready(endpoint_url)
            with contextlib.suppress(KeyboardInterrupt):
                runner.run_forever(stop, max_idle_sleep=_MAX_IDLE_SLEEP)
    finally:
        server.stop()


def serve_endpoint(
    endpoint_url: str,
    *,
    stop: threading.Event | None = None,
    ready: Callable[[LambdaRunner], Any] | None = None,
    **runner_options: Any,
) -> None:
    """Serve, from this checkout, the functions of stacks deployed for a local runner (their
    mappings disabled: `lnn deploy --local-runner`) at an API this process did not start
    (LocalStack, a moto server, AWS), until `stop` or Ctrl-C.

    `ready(runner)` is called after the first reading of the mappings. Stacks deployed later
    are picked up by the runner's refresh.
    """
    stop = stop or threading.Event()
    runner_options.setdefault("retry_delay", DEFAULT_LOCAL_RETRY_DELAY)
    with LambdaRunner(_local_session(), endpoint_url, serve="Disabled", **runner_options) as runner:
        runner.refresh()
        if ready is not None:
            ready(runner)
        with contextlib.suppress(KeyboardInterrupt):
            runner.run_forever(stop, max_idle_sleep=_MAX_IDLE_SLEEP)
