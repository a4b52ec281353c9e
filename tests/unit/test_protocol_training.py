"""The protocol trains end to end on the in-memory stack and equals the reference engine."""

import numpy as np
import pytest
from memory_runs import (
    RUN,
    assert_same_first_layer,
    config,
    max_difference,
    reference_result,
    toy_data,
    train,
)

from functions.memory import InMemoryStack
from functions.protocol import find_plan
from lnn.first_layer import read_stack_first_layer
from messages.status import RunStatus

TOLERANCE = 1e-9
BATCH_NORMED = [
    {"units": 5, "activation": "relu", "batch_norm": True},
    {"units": 4, "activation": "tanh", "batch_norm": True},
    {"units": 1, "activation": "sigmoid"},
]


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"shards": 1},
        {"shards": 4, "batch_size": 0, "optimizer": "momentum", "dropout": 1.0},
        {"optimizer": "gd", "l2": 0.0, "eval_every": 1},
        {
            "layers": [
                {"units": 5, "activation": "leaky_relu"},
                {"units": 2, "activation": "softmax"},
            ],
            "shards": 3,
        },
        {"layers": BATCH_NORMED, "shards": 3},
        {"layers": BATCH_NORMED, "shards": 5, "optimizer": "rmsprop", "lr_decay": 0.5},
        {"layers": BATCH_NORMED, "shards": 1, "batch_size": 0, "optimizer": "momentum"},
        {"layers": BATCH_NORMED, "shards": 2, "optimizer": "gd", "dropout": 1.0, "l2": 0.0},
    ],
    ids=[
        "sharded-minibatch-dropout-adam",
        "one-shard",
        "four-shards-full-batch",
        "gd-eval",
        "softmax",
        "batch-norm-sharded-minibatch-dropout-adam",
        "batch-norm-one-unit-per-shard-rmsprop-decay",
        "batch-norm-one-shard-full-batch-momentum",
        "batch-norm-gd",
    ],
)
def test_in_memory_run_equals_the_reference(overrides: dict) -> None:
    x, y = toy_data()
    if overrides.get("layers", [{}])[-1].get("activation") == "softmax":
        y = np.vstack([y, 1 - y])
    cfg = config(**overrides)
    stack = train(InMemoryStack(), cfg, x, y)
    record = stack.record(RUN)
    assert record is not None and record.status is RunStatus.SUCCEEDED, record
    params, stored_config = stack.model(RUN)
    reference = reference_result(cfg, x, y)
    assert max_difference(params, reference.params) <= TOLERANCE
    # The evaluations (batch norm's running averages among their inputs) agree too.
    assert record.final_cost == pytest.approx(reference.final_cost, abs=TOLERANCE)
    assert (record.train_accuracy, record.dev_accuracy) == (
        reference.train_accuracy,
        reference.dev_accuracy,
    )
    plan = find_plan(stack.store, RUN)
    assert plan is not None
    kept = read_stack_first_layer(stack.store, stack.barriers, plan, record.step)
    assert_same_first_layer(kept, reference.first_layer, TOLERANCE)
    assert stored_config["run_id"] == RUN and stored_config["layers"] == [
        layer.model_dump() for layer in cfg.layers
    ]
    assert not stack.dead_lettered


def test_a_run_reports_its_epochs_and_lifecycle() -> None:
    x, y = toy_data()
    cfg = config(epochs=3, eval_every=2)
    stack = train(InMemoryStack(), cfg, x, y)
    record = stack.record(RUN)
    assert record is not None and record.epoch == 3 and record.step == 3 * 2
    history = stack.ledger.history(RUN)
    assert [entry.epoch for entry in history] == [1, 2, 3]
    assert history[1].train_accuracy is not None and history[0].train_accuracy is None
    assert record.final_cost == pytest.approx(history[-1].cost)
    kinds = [event["event"] for event in stack.events]
    assert kinds[0] == "run_accepted" and kinds[-1] == "run_succeeded"
    assert kinds.count("epoch_completed") == 3
