"""`serve` (lnn up): a loopback moto server whose deployments the runner picks up."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local import PortInUseError, serve
from infra.local.server import serve_functions
from infra.local.workers import WorkerReport

FAKE = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}


def _wait(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_serve_runs_a_function_deployed_later_by_another_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    import runner_sample_handlers as handlers
    import runner_sample_stack as samples

    handlers.CALLS.clear()
    stop = threading.Event()
    endpoints: list[str] = []
    server = threading.Thread(
        target=serve,
        kwargs={
            "port": 0,
            "stop": stop,
            "ready": endpoints.append,
            "retry_delay": 0,
            "refresh_interval": 0.1,
        },
    )
    server.start()
    try:
        assert _wait(lambda: bool(endpoints), timeout=10)
        (endpoint,) = endpoints
        assert endpoint.startswith("http://127.0.0.1:")
        session = boto3.Session(**FAKE)
        sample = samples.deploy_sample(
            session, "served", "runner_sample_handlers.ok", endpoint_url=endpoint
        )
        sqs = session.client("sqs", endpoint_url=endpoint)
        sqs.send_message(QueueUrl=sample.queue_url, MessageBody="over the wire")

        assert _wait(lambda: samples.depth(sqs, sample.queue_url) == 0, timeout=10)
        (call,) = handlers.CALLS
        assert call.event["Records"][0]["body"] == "over the wire"
        assert call.env["AWS_ENDPOINT_URL"] == endpoint
    finally:
        stop.set()
        server.join(timeout=10)
    assert not server.is_alive()
    port = int(endpoint.rsplit(":", 1)[1])
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))


def test_a_runner_against_an_api_it_did_not_start_serves_only_the_disabled_mappings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`lnn up --endpoint-url`: the runner of `serve` (moto) takes the enabled mapping, a
    runner serving "Disabled" the mapping deployed disabled for it, and nothing else."""
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    import runner_sample_stack as samples

    options = {"retry_delay": 0, "refresh_interval": 0.1}
    stop = threading.Event()
    endpoints: list[str] = []
    emulator = threading.Thread(
        target=serve, kwargs={"port": 0, "stop": stop, "ready": endpoints.append, **options}
    )
    emulator.start()
    threads = [emulator]
    reports: list[WorkerReport] = []
    try:
        assert _wait(lambda: bool(endpoints), timeout=10)
        (endpoint,) = endpoints
        session = boto3.Session(**FAKE)
        handler = "runner_sample_handlers.ok"
        enabled = samples.deploy_sample(session, "on", handler, endpoint_url=endpoint)
        disabled = samples.deploy_sample(
            session, "off", handler, endpoint_url=endpoint, enabled=False
        )
        local = threading.Thread(
            target=lambda: reports.extend(
                serve_functions(endpoint, stop, serve="Disabled", **options)
            )
        )
        local.start()
        threads.append(local)
        sqs = session.client("sqs", endpoint_url=endpoint)
        for sample in (enabled, disabled):
            sqs.send_message(QueueUrl=sample.queue_url, MessageBody="for someone")
        for sample in (enabled, disabled):
            assert _wait(lambda s=sample: samples.depth(sqs, s.queue_url) == 0, timeout=10)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)
    (report,) = reports
    assert report.stats is not None
    assert {name: f["records"] for name, f in report.stats["functions"].items()} == {
        disabled.function_name: 1
    }


def test_serve_refuses_a_taken_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(PortInUseError):
            serve(port=taken.getsockname()[1], stop=threading.Event())
