"""A long run keeps a bounded number of parameter versions, and a late duplicate of a
pruned step is a no-op, not a failure."""

import json

from functions.protocol.trainer import KEEP_VERSIONS, PRUNE_EVERY
from lnn.datasets import load_dataset
from lnn.engines.stack import embedded_stack
from lnn.prepare import prepare
from messages.status import RunStatus
from messages.train_request import TrainConfig


def test_old_parameter_versions_are_pruned_and_late_duplicates_stop_quietly() -> None:
    dataset = load_dataset("flower")
    # Wide enough that its versions are S3 objects (24 KB each): a small layer's ride in
    # barrier items, which expire instead (functions/protocol/versions.py).
    config = TrainConfig(
        dataset="flower",
        layers=[{"units": 1000, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
        epochs=5 * PRUNE_EVERY,
        lr=1.2,
        shards=2,
    )
    data = prepare(dataset, [layer.model_dump() for layer in config.layers])
    with embedded_stack() as (client, runner):
        run_id = client.start(config, data).run_id

        def finished() -> bool:
            record = client.record(run_id)
            return record is not None and record.status.is_terminal

        assert runner.run_until(finished, timeout=300)
        assert client.record(run_id).status is RunStatus.SUCCEEDED
        s3, bucket = client.clients.s3, client.outputs.bucket
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=f"runs/{run_id}/params/l1/s0/"
        )
        versions = [obj["Key"] for page in pages for obj in page.get("Contents", [])]
        assert f"runs/{run_id}/params/l1/s0/v{config.epochs}.npz" in versions  # the final one
        assert 0 < len(versions) <= KEEP_VERSIONS + PRUNE_EVERY + 1

        # A duplicate of step 0's first forward task arrives long after its version went.
        stale = {
            "kind": "forward",
            "run_id": run_id,
            "epoch": 0,
            "batch": 0,
            "step": 0,
            "phase": "train",
            "layer": 1,
            "shard": 0,
        }
        client.clients.sns.publish(
            TopicArn=client.outputs.network_topic_arn,
            Message=json.dumps(stale),
            MessageAttributes={"layer": {"DataType": "String", "StringValue": "1"}},
        )
        records_before = runner.stats.records
        assert runner.run_until(lambda: runner.stats.records > records_before, timeout=30)
        assert runner.stats.failed == 0 and runner.stats.dead_lettered == 0
        assert client.record(run_id).status is RunStatus.SUCCEEDED
