"""Fixtures for the checks against LocalStack on the host (scripts/localstack_host.py).

The tests here run the functional tests' own cases and checks (imported from
tests/functional) with `stack_target` pointing at LocalStack: a fresh stack per use,
deployed for the local runner, whose functions the test process serves.
"""

from __future__ import annotations

import itertools
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config

if TYPE_CHECKING:
    from served_stack import ServedStack

ENV_URL = "LNN_LOCALSTACK_URL"

_HERE = Path(__file__).resolve().parent
_spent: dict[str, float] = {"seconds": 0.0, "tests": 0}
_prefix: list[str] = []  # the node id prefix of the tests here

FUNCTIONAL = _HERE.parent / "functional"
if str(FUNCTIONAL) not in sys.path:
    sys.path.insert(0, str(FUNCTIONAL))


def pytest_configure(config: pytest.Config) -> None:
    if _HERE.is_relative_to(config.rootpath):
        _prefix.append(_HERE.relative_to(config.rootpath).as_posix() + "/")
    config.addinivalue_line(
        "markers",
        "localstack_host: against LocalStack started by scripts/localstack_host.py "
        f"(skipped unless ${ENV_URL} is set)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get(ENV_URL):
        return
    ours = [item for item in items if "localstack_host" in item.keywords]
    if ours and os.environ.get("CI"):
        # CI runs them: a missing endpoint there is a broken CI script, not a reason to skip.
        raise pytest.UsageError(f"CI is set but {ENV_URL} is not: .ci/run starts LocalStack")
    skip = pytest.mark.skip(reason=f"set {ENV_URL} (scripts/localstack_host.py start)")
    for item in ours:
        item.add_marker(skip)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up the time of the tests here (setup, call, teardown) for the summary line."""
    if _prefix and report.nodeid.startswith(_prefix[0]) and not report.skipped:
        _spent["seconds"] += report.duration
        _spent["tests"] += report.when == "call"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _spent["tests"]:
        terminalreporter.write_line(
            f"LocalStack on the host ({os.environ.get(ENV_URL)}): {_spent['tests']:.0f} tests "
            f"in {_spent['seconds']:.0f} s"
        )


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


@pytest.fixture(scope="session")
def stack_target(endpoint_url: str) -> Callable[[], dict[str, Any]]:
    """The functional tests' `stack_target` at LocalStack: each call names a fresh stack
    (LocalStack keeps the functions of a torn-down stack, so stacks are not reused)."""
    from served_stack import MAX_DEPTH  # tests/functional must be on sys.path first

    prefix = f"ls{uuid.uuid4().hex[:6]}"
    count = itertools.count(1)

    def target() -> dict[str, Any]:
        return {
            "endpoint_url": endpoint_url,
            "stack": f"{prefix}-{next(count)}",
            "max_depth": MAX_DEPTH,
        }

    return target


@pytest.fixture(scope="module")
def served_stack(
    endpoint_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedStack]:
    """A fresh stack deployed with `lnn deploy --local-runner`, served by `lnn up
    --endpoint-url --stack` (tests/functional/served.py's `lnn_up`), both torn down after:
    the teardown must exit 0 although LocalStack keeps the Failed functions."""
    from served_stack import MAX_DEPTH, ServedStack

    served = ServedStack.at(endpoint_url, f"cli{uuid.uuid4().hex[:6]}")
    deployed = served.lnn(
        "deploy", "--local-runner", "--stack", served.stack, "--max-depth", str(MAX_DEPTH)
    )
    assert deployed.returncode == 0, deployed.stderr
    with served.up(tmp_path_factory.mktemp("up")) as up:
        yield served
    assert up.returncode == 0, up.log_text()
    removed = served.lnn("deploy", "--teardown", "--stack", served.stack)
    assert removed.returncode == 0, removed.stderr
