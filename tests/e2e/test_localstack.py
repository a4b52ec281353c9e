"""Opt-in (pytest -m localstack): the real Lambda path on LocalStack in Docker.

Needs `docker compose up -d localstack` first; deploys with scripts/deploy.py --localstack
under its own stack name, trains flower with a plain boto3 publish and tears down.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import boto3
import numpy as np
import pytest
from localstack_client.config import get_service_endpoint

from lnn.client import StackClient
from lnn.datasets import load_dataset
from lnn.prepare import prepare
from messages import InlineArray, TrainingData, TrainRequest

pytestmark = pytest.mark.localstack

REPO = Path(__file__).resolve().parents[2]
STACK = "lnn-e2e"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# Each hop is an SQS poll plus a Lambda container call: minutes, not seconds.
RUN_TIMEOUT_S = 1800


def _deploy(*options: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | FAKE_AWS
    return subprocess.run(
        [sys.executable, "scripts/deploy.py", "--localstack", "--stack", STACK, *options],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    url = str(get_service_endpoint("edge"))
    try:
        with urlopen(f"{url}/_localstack/health", timeout=5) as response:
            assert response.status == 200
    except OSError as exc:
        pytest.fail(f"LocalStack is not answering at {url}: run `docker compose up -d` ({exc})")
    deployed = _deploy("--max-depth", "2")
    assert deployed.returncode == 0, deployed.stderr
    try:
        yield url
    finally:
        removed = _deploy("--teardown")
        assert removed.returncode == 0, removed.stderr


def test_flower_trains_on_localstack_lambdas(endpoint: str, tmp_path: Path) -> None:
    session = boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    client = StackClient.connect(stack=STACK, session=session, endpoint_url=endpoint)
    dataset = load_dataset("flower")
    layers = [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    data = prepare(dataset, layers)
    request = TrainRequest(
        run_id="localstack-flower",
        dataset=dataset.name,
        layers=layers,
        epochs=50,
        lr=1.2,
        data=TrainingData(
            x_train=InlineArray.from_numpy(data.x), y_train=InlineArray.from_numpy(data.y)
        ),
    )
    sns = session.client("sns", endpoint_url=endpoint)
    sns.publish(TopicArn=client.outputs.train_topic_arn, Message=request.model_dump_json())

    record = client.wait(request.run_id, timeout=RUN_TIMEOUT_S, poll=2.0)
    assert record["status"] == "SUCCEEDED", record.get("reason")
    assert record["epoch"] == 50
    with np.load(client.download_model(request.run_id, tmp_path)) as model:
        assert model["W1"].shape == (4, 2) and model["b1"].shape == (4, 1)
        assert model["W2"].shape == (1, 4) and model["b2"].shape == (1, 1)
