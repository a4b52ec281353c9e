"""Acceptance: `lnn up` in one process, `scripts/deploy.py` in another, and a plain boto3
SNS publish from this one train a small network to SUCCEEDED over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import numpy as np
import pytest

from lnn.client import StackClient
from lnn.datasets import load_dataset
from lnn.prepare import prepare
from messages import InlineArray, TrainingData, TrainRequest
from messages.status import RunStatus

REPO = Path(__file__).resolve().parents[2]
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
HIDDEN = 4
RUN_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LNN_"))}
    return {**env, **FAKE_AWS}


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    """`lnn up` on a free port, always stopped (and its log shown if the test failed)."""
    port = _free_port()
    log = (tmp_path / "up.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "lnn.cli.main", "up", "--port", str(port)],
        cwd=REPO,
        env=_child_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not _answers(port):
            assert server.poll() is None, (tmp_path / "up.log").read_text()
            assert time.monotonic() < deadline, "lnn up did not listen within 30 s"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        print((tmp_path / "up.log").read_text()[-4000:])


def _request() -> TrainRequest:
    dataset = load_dataset("moons", seed=0, samples=200)
    layers = [{"units": HIDDEN, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    data = prepare(dataset, layers)
    return TrainRequest(
        dataset=dataset.name,
        layers=layers,
        epochs=20,
        lr=0.5,
        data=TrainingData(
            x_train=InlineArray.from_numpy(data.x), y_train=InlineArray.from_numpy(data.y)
        ),
    )


def _tiny_bundle(path: Path) -> Path:
    """`lnn up` imports the handlers from this checkout, so the zip's content is not run;
    a tiny one spares the bundle build (tests/functional/test_bundle.py covers that)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("functions/handlers/__init__.py", "")
    return path


def test_a_plain_sns_publish_trains_on_the_served_stack(endpoint: str, tmp_path: Path) -> None:
    bundle = _tiny_bundle(tmp_path / "bundle.zip")
    command = [sys.executable, "scripts/deploy.py", "--endpoint-url", endpoint]
    deploy = subprocess.run(
        [*command, "--max-depth", "2", "--bundle", str(bundle)],
        cwd=REPO,
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert deploy.returncode == 0, deploy.stderr
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    client = StackClient.connect(session=session, endpoint_url=endpoint)
    assert client.outputs.train_topic_arn in deploy.stdout

    request = _request()
    sns = session.client("sns", endpoint_url=endpoint)
    sns.publish(TopicArn=client.outputs.train_topic_arn, Message=request.model_dump_json())

    epochs: list[int] = []
    record = client.wait(
        request.run_id,
        timeout=RUN_TIMEOUT_S,
        poll=0.5,
        on_epoch=lambda entry: epochs.append(entry.epoch),
    )
    assert record.status is RunStatus.SUCCEEDED, record.reason
    assert record.epoch == 20
    assert epochs == list(range(1, 21))
    with np.load(client.download_model(request.run_id, tmp_path)) as model:
        assert model["W1"].shape == (HIDDEN, 2) and model["b1"].shape == (HIDDEN, 1)
        assert model["W2"].shape == (1, HIDDEN) and model["b2"].shape == (1, 1)
