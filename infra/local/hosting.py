"""Serving deployed functions in this process: the body of `lnn up` and of each worker."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3

from infra.local.runner import LambdaRunner
from infra.local.stats import RunnerStats

_MAX_IDLE_SLEEP_S = 0.5  # idle sweeps are HTTP requests to the one emulator: keep them rare

_FAKE_KEY = "test"
_DEFAULT_REGION = "us-east-1"


def local_session() -> boto3.Session:
    """The ambient session, with fake credentials and a region where none are set."""
    session = boto3.Session()
    region = session.region_name or _DEFAULT_REGION
    if session.get_credentials() is None:
        return boto3.Session(
            aws_access_key_id=_FAKE_KEY, aws_secret_access_key=_FAKE_KEY, region_name=region
        )
    return boto3.Session(region_name=region)


def run_functions(
    endpoint_url: str,
    stop: threading.Event,
    *,
    ready: Callable[[], Any] | None = None,
    **runner_options: Any,
) -> RunnerStats:
    """Serve the functions deployed at `endpoint_url` in this process until `stop`."""
    with LambdaRunner(local_session(), endpoint_url, **runner_options) as runner:
        if ready is not None:
            ready()
        runner.run_forever(stop, max_idle_sleep=_MAX_IDLE_SLEEP_S)
    return runner.stats
