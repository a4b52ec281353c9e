"""Acceptance for awscli users (docs/awscli.md): with `lnn up` serving and the stack deployed,
`aws` commands alone upload shared data, publish TrainRequests, follow the run item and
download the model; a request naming another run's object ends FAILED with the reason, and
the stack goes on to serve the next run."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from served import child_env, deploy_with_script, lnn_up

from messages.model_archive import decode_model

HIDDEN = 3
M = 160
RUN_TIMEOUT_S = 120
AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    with lnn_up(tmp_path) as served:
        yield served.endpoint_url


@pytest.fixture
def deploy_options() -> tuple[str, ...]:
    """Extra `scripts/deploy.py` options: none against `lnn up` (tests/localstack_host runs
    this test against LocalStack with `--local-runner`)."""
    return ()


def _aws(endpoint: str, *args: str) -> str:
    """One `aws` command against ``endpoint``; its stdout."""
    assert AWS, "awscli is missing: it is in the dev extras"
    done = subprocess.run(
        [AWS, "--endpoint-url", endpoint, "--output", "text", *args],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"aws {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _request(run_id: str, x_ref: dict[str, Any], y: np.ndarray) -> str:
    """The JSON a user writes: x as an S3 reference, y inline as base64 of its .npy bytes."""
    y_inline = {
        "storage": "inline",
        "dtype": "float64",
        "shape": list(y.shape),
        "data": base64.b64encode(_npy(y)).decode(),
    }
    return json.dumps(
        {
            "run_id": run_id,
            "dataset": "blobs",
            "layers": [
                {"units": HIDDEN, "activation": "tanh"},
                {"units": 1, "activation": "sigmoid"},
            ],
            "epochs": 5,
            "lr": 0.5,
            "data": {"x_train": x_ref, "y_train": y_inline},
        }
    )


def _status(endpoint: str, run_id: str) -> tuple[str, str]:
    """(status, reason) of the run item; ("", "") until it exists."""
    key = json.dumps({"pk": {"S": f"run#{run_id}"}, "sk": {"S": "run"}})
    found = _aws(
        endpoint,
        *("dynamodb", "get-item", "--table-name", "lnn-runs", "--key", key),
        *("--query", "[Item.status.S, Item.reason.S]"),
    )
    status, reason = found.split("\t")  # a missing attribute reads as None
    return ("", "") if status == "None" else (status, "" if reason == "None" else reason)


def _wait(endpoint: str, run_id: str) -> tuple[str, str]:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        status, reason = _status(endpoint, run_id)
        if status in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return status, reason
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} not over after {RUN_TIMEOUT_S} s")


def test_awscli_alone_trains_and_sees_a_bad_request_fail(
    endpoint: str, deploy_options: tuple[str, ...], tmp_path: Path
) -> None:
    deploy_with_script(endpoint, tmp_path, *deploy_options)
    topic = _aws(
        endpoint, "sns", "list-topics", "--query", "Topics[?ends_with(TopicArn, ':lnn-train')]"
    )
    bucket = _aws(
        endpoint, "s3api", "list-buckets", "--query", "Buckets[?starts_with(Name, 'lnn-')].Name"
    )
    assert topic.endswith(":lnn-train") and bucket.startswith("lnn-")

    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, M))
    y = (x[:1] + x[1:] > 0).astype(np.float64)
    (tmp_path / "x.npy").write_bytes(_npy(x))
    shape = {"dtype": "float64", "shape": list(x.shape)}

    # Another run's upload is not this request's to read.
    victim = "runs/victim/upload/x_train.npy"
    _aws(endpoint, "s3", "cp", str(tmp_path / "x.npy"), f"s3://{bucket}/{victim}")
    bad = _request("awscli-bad", {"storage": "s3", "bucket": bucket, "key": victim, **shape}, y)
    _aws(endpoint, "sns", "publish", "--topic-arn", topic, "--message", bad)
    status, reason = _wait(endpoint, "awscli-bad")
    assert status == "FAILED"
    assert reason == (
        f"s3://{bucket}/{victim}: outside the prefixes it may name "
        "(runs/awscli-bad/upload/, inputs/)"
    )

    # Shared data under inputs/, uploaded once; the next run trains on it.
    _aws(endpoint, "s3", "cp", str(tmp_path / "x.npy"), f"s3://{bucket}/inputs/blobs/x.npy")
    shared = {"storage": "s3", "bucket": bucket, "key": "inputs/blobs/x.npy", **shape}
    (tmp_path / "good.json").write_text(_request("awscli-good", shared, y))
    message = f"file://{tmp_path / 'good.json'}"
    _aws(endpoint, "sns", "publish", "--topic-arn", topic, "--message", message)
    assert _wait(endpoint, "awscli-good") == ("SUCCEEDED", "")

    model = tmp_path / "model.npz"
    _aws(endpoint, "s3", "cp", f"s3://{bucket}/runs/awscli-good/model.npz", str(model))
    params, config = decode_model(model.read_bytes())
    assert [(layer["W"].shape, layer["b"].shape) for layer in params] == [
        ((HIDDEN, 2), (HIDDEN, 1)),
        ((1, HIDDEN), (1, 1)),
    ]
    assert config["run_id"] == "awscli-good" and config["epochs"] == 5
