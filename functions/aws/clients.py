"""boto3 clients, created once per process: client creation costs more than most calls.

The endpoint comes from boto3's own AWS_ENDPOINT_URL, so the same code reaches AWS, LocalStack
or the embedded moto; the cache key includes it so a changed endpoint gets fresh clients.
"""

import os
import threading
from typing import Any

import boto3
from botocore.config import Config

# Spelled out, not left to botocore's defaults (the same values): a call to an API that
# stopped answering gives up after 5 attempts of at most 60 s each, so the local runner's
# handlers cannot wait for ever either (on AWS, the function's own timeout comes first).
# Deploys use the same limits (infra/stack/aws.py).
CALL_TIMEOUT_S = 60
CALL_ATTEMPTS = 5
_CONFIG = Config(
    connect_timeout=CALL_TIMEOUT_S,
    read_timeout=CALL_TIMEOUT_S,
    retries={"mode": "standard", "max_attempts": CALL_ATTEMPTS},
)
_lock = threading.Lock()
_clients: dict[tuple[str, str | None, str | None], Any] = {}


def client(service: str) -> Any:
    key = (service, os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("AWS_DEFAULT_REGION"))
    found = _clients.get(key)
    if found is None:
        with _lock:
            found = _clients.get(key)
            if found is None:
                found = _clients[key] = boto3.client(service, config=_CONFIG)
    return found


def reset_clients() -> None:
    """Forget every client (an embedded stack starts and stops its own emulator)."""
    with _lock:
        _clients.clear()
