"""A request the stack's functions cannot hold is refused before it starts, in one line naming
the limit (functions/training/capacity.py), by the trainer for any publisher."""

import dataclasses

import numpy as np
from memory_runs import RUN

from functions.memory import InMemoryStack
from functions.training.capacity import HELD_SHARE, capacity_refusal
from messages.function_sizes import DEFAULT_FUNCTION_SIZES
from messages.status import RunStatus
from messages.train_request import TrainConfig

MB = 1024 * 1024
SMALL = DEFAULT_FUNCTION_SIZES.replaced(memory={"trainer": 256, "neuron": 128, "loss": 256})


def _config(batch_size: int, units: int = 8) -> TrainConfig:
    return TrainConfig(
        dataset="wide",
        layers=[{"units": units, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}],
        epochs=1,
        batch_size=batch_size,
    )


def test_a_step_may_hold_a_quarter_of_the_smallest_workers_memory() -> None:
    budget = 128 * MB // HELD_SHARE  # neuron 128 MB, loss 256 MB: the neuron bounds it
    fits = budget // 8 // 1000  # samples of 1,000 float64 features in the budget
    assert capacity_refusal(_config(0), SMALL, n_features=1000, m_train=fits) is None
    reason = capacity_refusal(_config(0), SMALL, n_features=1000, m_train=fits + 1)
    assert reason == (
        f"a step of {fits + 1:,} samples x 1,000 features (layers up to 8 units) holds 32.0 MB "
        "in float64; a neuron (128 MB) holds at most 32.0 MB: use a smaller --batch-size, or "
        "deploy the neurons with more memory"
    )
    # The same data in mini-batches fits; a layer wider than the data counts too.
    assert capacity_refusal(_config(128), SMALL, n_features=1000, m_train=fits + 1) is None
    wide = capacity_refusal(_config(2048, units=4096), SMALL, n_features=10, m_train=10_000)
    assert wide is not None and "layers up to 4,096 units) holds 64.0 MB" in wide


def test_whole_arrays_may_hold_a_quarter_of_the_trainers_memory() -> None:
    cfg, budget = _config(64), 256 * MB // HELD_SHARE
    assert capacity_refusal(cfg, SMALL, n_features=8, m_train=100, whole_bytes=budget) is None
    reason = capacity_refusal(cfg, SMALL, n_features=8, m_train=100, whole_bytes=budget + 1)
    assert reason is not None and reason.startswith(
        "the request's whole arrays are 64.0 MB; the trainer (256 MB) reads at most 64.0 MB of them"
    )
    # Stored batches: the trainer reads none of the data, whatever its size.
    assert capacity_refusal(cfg, SMALL, n_features=8, m_train=10**6) is None


def test_the_trainer_refuses_a_request_its_stack_cannot_hold() -> None:
    stack = InMemoryStack()
    stack.settings = dataclasses.replace(stack.settings, function_sizes=SMALL)
    stack.restart()
    x = np.random.default_rng(0).normal(size=(1000, 4200))  # a 33.6 MB full batch
    y = (x[:1] > 0).astype(np.float64)
    stack.submit(_config(0), x, y, RUN)
    stack.run()
    record = stack.record(RUN)
    assert record is not None and record.status is RunStatus.FAILED
    assert record.reason is not None and record.reason.startswith(
        "a step of 4,200 samples x 1,000 features (layers up to 8 units) holds 32.0 MB"
    )
    assert [m.queue for m in stack.dead_lettered] == ["trainer"]
    assert not [k for k in stack.blobs.objects if k.startswith(f"runs/{RUN}/data/")]
