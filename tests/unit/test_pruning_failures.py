"""Pruning only saves storage: a delete the store refuses is reported by the S3 adapter, and
the run that asked for it goes on as it was."""

from typing import Any

import pytest
from memory_runs import BATCH_NORMED_TOY, RUN, config, toy_data, train

from functions.aws.s3 import S3BlobStore
from functions.memory import InMemoryStack
from functions.ports import DeleteError
from lnn.bench.workload import same_bytes
from messages.status import RunStatus


class _RefusingS3:
    """DeleteObjects as S3 answers a role without s3:DeleteObject: per key, in Errors."""

    def delete_objects(self, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]:
        keys = [o["Key"] for o in Delete["Objects"]]
        return {"Errors": [{"Key": k, "Code": "AccessDenied"} for k in keys]}


def test_the_s3_adapter_reports_a_refused_delete() -> None:
    store = S3BlobStore("bucket", s3=_RefusingS3())
    with pytest.raises(DeleteError, match=r"refused to delete 2 of 2 objects \(AccessDenied"):
        store.delete(["runs/a/params/x", "runs/a/params/y"])


@pytest.mark.parametrize("layers", [None, BATCH_NORMED_TOY], ids=["plain", "batch-norm"])
def test_a_run_whose_pruning_is_refused_trains_the_same_model(layers: list[dict] | None) -> None:
    x, y = toy_data(n_features=2000)  # layer 1's versions are too large for its barrier item
    network = {} if layers is None else {"layers": layers}
    cfg = config(epochs=40, batch_size=0, dropout=1.0, **network)  # past the pruning at step 32
    expected = train(InMemoryStack(), cfg, x, y).model(RUN)[0]
    stack = InMemoryStack()

    refused: list[int] = []

    def refuse(keys: list[str]) -> None:
        refused.append(len(keys))
        raise DeleteError(f"refused to delete {len(keys)} objects")

    stack.blobs.delete = refuse  # type: ignore[method-assign]
    train(stack, cfg, x, y)
    assert refused and stack.record(RUN).status is RunStatus.SUCCEEDED
    assert same_bytes(stack.model(RUN)[0], expected)
