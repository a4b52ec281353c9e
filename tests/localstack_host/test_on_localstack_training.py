"""The functional tests' training checks on LocalStack on the host, the functions served by
the project's runner in this process (deployed with their mappings disabled).

The cases, the comparisons and the chaos checks are the functional tests' own
(tests/functional/test_engine_equality.py, test_chaos.py); only the selection is smaller,
because every AWS call here is a round trip to LocalStack (DynamoDB ~35 ms a write).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from test_chaos import (
    CONFIG,
    KINDS,
    check_chaos,
    clean,
    data,
    test_a_trainer_that_dies_on_every_delivery_ends_its_run_failed,
)
from test_engine_equality import (
    BATCH_NORM,
    CASES,
    assert_same,
    run_both,
    test_cold_containers_read_everything_back_and_change_nothing,
    test_duplicate_delivery_changes_no_byte_of_the_model,
)

from lnn.bench.workload import same_bytes
from lnn.engines.base import TrainingResult
from lnn.engines.stack import train_on_stack
from lnn.prepare import PreparedData

pytestmark = pytest.mark.localstack_host

# Run here as they are: duplicates of every message, and every read from the durable copy.
__all__ = [
    "clean",
    "data",
    "test_a_trainer_that_dies_on_every_delivery_ends_its_run_failed",
    "test_cold_containers_read_everything_back_and_change_nothing",
    "test_duplicate_delivery_changes_no_byte_of_the_model",
]

EQUALITY = [
    ("planar", 64),  # one shard per unit: "one Lambda per neuron"
    ("deep-adam-l2-dropout-minibatch", 3),  # mini-batches, dropout, Adam, L2, dev split
    ("digits-softmax", 3),  # softmax; full-batch arrays large enough to go through S3
    (BATCH_NORM, 3),  # batch norm: its statistics per mini-batch, running averages, dropout
]


@pytest.mark.parametrize(("name", "shards"), EQUALITY, ids=[f"{n}-{s}" for n, s in EQUALITY])
def test_localstack_equals_reference(
    name: str, shards: int, stack_target: Callable[[], dict[str, Any]]
) -> None:
    assert_same(*run_both(CASES[name], shards, **stack_target()))


@pytest.mark.parametrize("kind", list(KINDS))
def test_chaos_on_localstack_changes_no_byte_of_the_model(
    kind: str,
    data: PreparedData,
    clean: TrainingResult,
    stack_target: Callable[[], dict[str, Any]],
) -> None:
    check_chaos(kind, 0, data, clean, stack_target())


def test_localstack_and_moto_train_the_same_bytes(
    data: PreparedData, clean: TrainingResult
) -> None:
    """Two independent emulators of the same AWS calls: the same model, byte for byte."""
    on_moto = train_on_stack(CONFIG, data)
    assert on_moto.status == "SUCCEEDED", on_moto.reason
    assert same_bytes(on_moto.params, clean.params)
    assert [h.model_dump() for h in on_moto.history] == [h.model_dump() for h in clean.history]
