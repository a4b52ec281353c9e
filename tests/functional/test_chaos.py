"""Faults injected with --chaos, each kind alone and all together over five seeds, change no
byte of the model: sharded layers, mini-batches, dropout and Adam (docs/design.md, "Failure
model"); and all together over two seeds on the same network batch-normalized, whose running
averages are written with every version too."""

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from infra.local.chaos import ChaosSpec
from lnn.bench.workload import same_bytes
from lnn.datasets import load_dataset
from lnn.engines.base import TrainingResult
from lnn.engines.stack import train_on_stack
from lnn.prepare import PreparedData, prepare
from messages.train_request import TrainConfig

LAYERS = [
    {"units": 4, "activation": "relu"},
    {"units": 3, "activation": "tanh"},
    {"units": 1, "activation": "sigmoid"},
]
CONFIG = TrainConfig(
    dataset="moons",
    layers=LAYERS,
    shards=2,
    batch_size=16,
    epochs=1,
    optimizer="adam",
    dropout=0.8,
    lr=0.01,
    seed=3,
)
# The same network with both hidden layers batch-normalized.
BATCH_NORMED = TrainConfig.model_validate(
    {
        **CONFIG.model_dump(),
        "layers": [{**layer, "batch_norm": True} for layer in LAYERS[:-1]] + LAYERS[-1:],
    }
)
# Rates high enough for dozens of faults in a run of about 30 invocations and 150 calls.
KINDS = {
    "duplicate": ("duplicate=0.5", "duplicate"),
    "crash-before": ("crash-before=0.12", "crash_before"),
    "crash-after": ("crash-after=0.12", "crash_after"),
    "throttle": ("throttle=0.12", "throttle"),
    "timeout": ("timeout=0.4", "timeout"),
    "late": ("duplicate=0.5,delay=1", "duplicate"),
    # Letters written straight into the dead-letter queues, which their consumer refuses.
    "forge": ("forge=0.5", "forge"),
    "all": (
        "duplicate=0.3,crash-before=0.05,crash-after=0.05,throttle=0.05,timeout=0.1,forge=0.1,"
        "delay=1",
        None,
    ),
}
MIN_FAULTS = 8


@pytest.fixture(scope="module")
def data() -> PreparedData:
    return prepare(load_dataset("moons", samples=48), LAYERS)


@pytest.fixture(scope="module")
def clean(data: PreparedData, stack_target: Callable[[], dict[str, Any]]) -> TrainingResult:
    result = train_on_stack(CONFIG, data, **stack_target())
    assert result.status == "SUCCEEDED", result.reason
    return result


@pytest.fixture(scope="module")
def clean_batch_normed(
    data: PreparedData, stack_target: Callable[[], dict[str, Any]]
) -> TrainingResult:
    result = train_on_stack(BATCH_NORMED, data, **stack_target())
    assert result.status == "SUCCEEDED", result.reason
    return result


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("kind", list(KINDS))
def test_chaos_changes_no_byte_of_the_model(
    kind: str,
    seed: int,
    data: PreparedData,
    clean: TrainingResult,
    stack_target: Callable[[], dict[str, Any]],
) -> None:
    check_chaos(kind, seed, data, clean, stack_target())


@pytest.mark.parametrize("seed", range(2))
def test_chaos_changes_no_byte_of_a_batch_normed_model(
    seed: int,
    data: PreparedData,
    clean_batch_normed: TrainingResult,
    stack_target: Callable[[], dict[str, Any]],
) -> None:
    for layer in clean_batch_normed.params[:-1]:  # moved by every step: worth comparing
        assert "b" not in layer and np.all(layer["running_var"] != 1.0)
    check_chaos("all", seed, data, clean_batch_normed, stack_target(), config=BATCH_NORMED)


def check_chaos(
    kind: str,
    seed: int,
    data: PreparedData,
    clean: TrainingResult,
    target: dict[str, Any],
    *,
    config: TrainConfig = CONFIG,
) -> None:
    """Train `config` under the faults of `kind` drawn from `seed`, there where `target` (the
    keyword arguments of `stack_target`) says; the model must be `clean`'s, byte for byte."""
    spec, counted = KINDS[kind]
    chaos = ChaosSpec.parse(f"{spec},seed={seed}")
    result = train_on_stack(config, data, chaos=chaos, **target)
    assert result.status == "SUCCEEDED", result.reason
    injected = dict(result.extra["chaos"])
    deaths = injected.pop("process_deaths")
    faults = injected[counted] if counted else sum(injected.values())
    assert faults >= MIN_FAULTS, injected
    if kind in ("crash-before", "crash-after", "timeout"):
        assert deaths >= MIN_FAULTS
    assert same_bytes(clean.params, result.params)
    assert [h.model_dump() for h in result.history] == [h.model_dump() for h in clean.history]


def test_a_trainer_that_dies_on_every_delivery_ends_its_run_failed(
    data: PreparedData, stack_target: Callable[[], dict[str, Any]]
) -> None:
    """The TrainRequest never gets as far as its run record: its dead letter records the run
    FAILED, so the client stops waiting well before the stall limit."""
    started = time.monotonic()
    chaos = ChaosSpec.parse("kill=trainer")
    result = train_on_stack(CONFIG, data, chaos=chaos, stall_after=600, **stack_target())
    assert result.status == "FAILED"
    assert (result.reason or "").startswith(
        "the run never started: train_request message was dead-lettered after 5 deliveries"
    )
    assert result.extra["chaos"]["kill"] == 5
    assert time.monotonic() - started < 300


def test_a_bad_chaos_spec_is_one_line() -> None:
    with pytest.raises(ValueError, match=r"^--chaos: unknown fault 'explode'"):
        ChaosSpec.parse("explode=1")
    with pytest.raises(ValueError, match="probability"):
        ChaosSpec.parse("crash-before=2")
    with pytest.raises(ValueError, match=r"^--chaos: kill is one of trainer, neuron, loss$"):
        ChaosSpec.parse("kill=deadletters")
