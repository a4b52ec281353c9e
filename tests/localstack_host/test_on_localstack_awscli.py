"""The awscli users' acceptance test (tests/functional/test_awscli.py) as it is, against
LocalStack on the host: its stack "lnn" deployed by `scripts/deploy.py --local-runner`,
its functions served by `lnn up --endpoint-url URL --stack lnn`, every other call an `aws`
command against LocalStack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from served_stack import ServedStack
from test_awscli import test_awscli_alone_trains_and_sees_a_bad_request_fail

pytestmark = pytest.mark.localstack_host

__all__ = ["test_awscli_alone_trains_and_sees_a_bad_request_fail"]


@pytest.fixture
def endpoint(endpoint_url: str, tmp_path: Path) -> Iterator[str]:
    """LocalStack, with `lnn up` serving stack "lnn" (deployed by the test), torn down after."""
    served = ServedStack.at(endpoint_url, "lnn")
    with served.up(tmp_path) as up:
        yield endpoint_url
    assert up.returncode == 0, up.log_text()
    removed = served.lnn("deploy", "--teardown", "--stack", "lnn")
    assert removed.returncode == 0, removed.stderr


@pytest.fixture
def deploy_options() -> tuple[str, ...]:
    return ("--local-runner",)
