"""Acceptance: `lnn up` in one process, `scripts/deploy.py` in another, and a plain boto3
SNS publish from this one train a small network to SUCCEEDED over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from served import deploy_with_script, lnn_up, session

from lnn.client import StackClient
from lnn.datasets import load_dataset
from lnn.prepare import prepare
from messages import InlineArray, TrainingData, TrainRequest
from messages.status import RunStatus

HIDDEN = 4
RUN_TIMEOUT_S = 120


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    with lnn_up(tmp_path) as served:
        yield served.endpoint_url


def _request() -> TrainRequest:
    dataset = load_dataset("moons", seed=0, samples=200)
    layers = [{"units": HIDDEN, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    data = prepare(dataset, layers)
    return TrainRequest(
        run_id="http-run",
        dataset=dataset.name,
        layers=layers,
        epochs=20,
        lr=0.5,
        data=TrainingData(
            x_train=InlineArray.from_numpy(data.x), y_train=InlineArray.from_numpy(data.y)
        ),
    )


def test_a_plain_sns_publish_trains_on_the_served_stack(endpoint: str, tmp_path: Path) -> None:
    stdout = deploy_with_script(endpoint, tmp_path)
    client = StackClient.connect(session=session(), endpoint_url=endpoint)
    assert client.outputs.train_topic_arn in stdout

    request = _request()
    sns = session().client("sns", endpoint_url=endpoint)
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
