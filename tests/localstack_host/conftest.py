"""Fixtures for the checks against LocalStack on the host (scripts/localstack_host.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config

ENV_URL = "LNN_LOCALSTACK_URL"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "localstack_host: against LocalStack started by scripts/localstack_host.py "
        f"(skipped unless ${ENV_URL} is set)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get(ENV_URL):
        return
    skip = pytest.mark.skip(reason=f"set {ENV_URL} (scripts/localstack_host.py start)")
    for item in items:
        if "localstack_host" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def endpoint_url() -> str:
    return os.environ[ENV_URL].rstrip("/")


@pytest.fixture(scope="session")
def aws(endpoint_url: str) -> Callable[[str], Any]:
    """aws("sqs") -> a boto3 client for the endpoint, with fake credentials."""
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    config = Config(retries={"max_attempts": 2, "mode": "standard"}, read_timeout=60)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url, config=config)

    return client


@pytest.fixture
def name() -> str:
    """A fresh resource name, so that reruns against the same LocalStack do not collide."""
    return f"lnn-smoke-{uuid.uuid4().hex[:8]}"
