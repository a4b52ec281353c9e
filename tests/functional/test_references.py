"""S3 references of real TrainRequests on moto: a request naming another run's object or an
object its header contradicts ends FAILED with the reason and lands in the trainer's DLQ;
shared data under inputs/ trains, read in ranges through S3."""

from typing import Any

import numpy as np

from functions.protocol.keys import upload_key
from lnn.engines.stack import embedded_stack
from messages.arrays import InlineArray, S3Array, encode_npy
from messages.status import RunStatus
from messages.train_request import TrainingData, TrainRequest

M = 120  # samples: x is 2,880 bytes, more than the header probe, so two ranged reads


def _request(run_id: str, x: S3Array, y: np.ndarray) -> TrainRequest:
    return TrainRequest(
        run_id=run_id,
        dataset="refs",
        layers=[{"units": 2, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
        epochs=1,
        data=TrainingData(x_train=x, y_train=InlineArray.from_numpy(y)),
    )


def _dead_letters(sqs: Any, url: str) -> int:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def test_requests_are_held_to_their_prefixes_and_headers() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, M))
    y = (x[:1] > 0).astype(np.float64)
    with embedded_stack() as (client, runner):
        s3, bucket = client.clients.s3, client.outputs.bucket

        def put(key: str, array: np.ndarray) -> S3Array:
            s3.put_object(Bucket=bucket, Key=key, Body=encode_npy(array))
            return S3Array(bucket=bucket, key=key, dtype="float64", shape=x.shape)

        stolen = put(upload_key("victim", "x_train"), x)
        oversized = put(upload_key("big", "x_train"), np.zeros((3, 100_000)))
        shared = put("inputs/refs/x.npy", x)
        for run_id, ref in (("thief", stolen), ("big", oversized), ("shared", shared)):
            client.submit(_request(run_id, ref, y))
        runs = ("thief", "big", "shared")

        def done() -> bool:
            records = [client.record(run) for run in runs]
            return all(r is not None and r.status.is_terminal for r in records)

        assert runner.run_until(done, timeout=120)
        thief, big, good = (client.require_record(run) for run in runs)
        assert thief.status is RunStatus.FAILED
        assert thief.reason == (
            f"s3://{bucket}/runs/victim/upload/x_train.npy: outside the prefixes it may name "
            "(runs/thief/upload/, inputs/)"
        )
        assert big.status is RunStatus.FAILED
        assert big.reason == (
            f"s3://{bucket}/runs/big/upload/x_train.npy: the object holds float64 (3, 100000) "
            f"but the reference declares float64 (3, {M})"
        )
        assert good.status is RunStatus.SUCCEEDED, good.reason
        dlq = client.outputs.queue_urls["trainer-dlq"]
        assert runner.run_until(lambda: _dead_letters(client.clients.sqs, dlq) == 2, timeout=60)
