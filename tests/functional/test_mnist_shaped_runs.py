"""An MNIST-shaped run, scaled down (2,000 x 784 float32 features, ten classes), on the
embedded stack: the data travels as the run's stored batches in float32, no invocation runs
past its timeout, evaluation goes in several passes, duplicates change nothing, and the model
is the reference engine's."""

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from functions.training import layout as layout_module
from infra.local.chaos import ChaosSpec
from lnn.bench.mnist_shaped_data import MnistShape, make_arrays
from lnn.bench.workload import max_abs_diff, same_bytes
from lnn.engines.reference import train_reference
from lnn.engines.stack import embedded_stack, run_embedded
from lnn.prepare import PreparedData, split
from messages.train_request import TrainConfig

SHAPE = MnistShape(samples=2000, features=784, test_samples=400)
CONFIG = TrainConfig(
    dataset="mnist-shaped",
    layers=[
        {"units": 32, "activation": "relu"},
        {"units": 16, "activation": "relu"},
        {"units": 10, "activation": "softmax"},
    ],
    epochs=2,
    batch_size=128,
    optimizer="adam",
    lr=0.001,
    holdout=0.1,
    seed=4,
)


@pytest.fixture(scope="module")
def data() -> PreparedData:
    arrays = make_arrays(SHAPE)
    return PreparedData(
        x=np.ascontiguousarray(arrays["x_train"].T),
        y=np.eye(10)[arrays["y_train"]].T,
        x_test=np.ascontiguousarray(arrays["x_test"].T),
        y_test=np.eye(10)[arrays["y_test"]].T,
    )


@pytest.fixture
def several_eval_passes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # 784 float64 features x 1,024 samples: passes of 8 stored batches, 3 of them here.
    monkeypatch.setattr(layout_module, "EVAL_BATCH_BYTES", 784 * 8 * 1024)
    yield


def _run(data: PreparedData, chaos: ChaosSpec | None = None) -> tuple[Any, list[str]]:
    with embedded_stack("lnn", chaos=chaos) as session:
        result = run_embedded(session, CONFIG, data)
        client, _ = session
        pages = client.clients.s3.get_paginator("list_objects_v2").paginate(
            Bucket=client.outputs.bucket, Prefix=f"runs/{result.run_id}/"
        )
        keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    return result, keys


def test_an_mnist_shaped_run_equals_the_reference(
    data: PreparedData, several_eval_passes: None
) -> None:
    assert data.x.dtype == np.float32
    result, keys = _run(data)
    assert result.status == "SUCCEEDED", result.reason
    assert result.extra["timeouts_exceeded"] == {}
    expected = train_reference(CONFIG, split(data, holdout=CONFIG.holdout, seed=CONFIG.seed))
    assert max_abs_diff(result.params, expected.params) == 0.0
    assert (result.train_accuracy, result.dev_accuracy, result.test_accuracy) == (
        expected.train_accuracy,
        expected.dev_accuracy,
        expected.test_accuracy,
    )
    uploads = sorted(k for k in keys if "/upload/" in k)
    # 1,800 training samples in 15 batches, 200 dev and 400 test in batches of 128 (2 and 4).
    assert len(uploads) == 2 * (15 + 2 + 4)
    assert not [k for k in keys if "/data/" in k]  # the trainer wrote no copy of the data
    passes = {k.split("/")[4] for k in keys if k.endswith("/sums.json")}
    assert passes == {"b0", "b1"}  # the sums after the first two of three passes


def test_duplicates_change_nothing_of_an_mnist_shaped_run(data: PreparedData) -> None:
    clean, _ = _run(data)
    doubled, keys = _run(data, ChaosSpec.parse("duplicate=1.0,seed=2"))
    assert doubled.status == "SUCCEEDED", doubled.reason
    assert same_bytes(clean.params, doubled.params)
    assert not [k for k in keys if "/data/" in k]
