"""The distributed network equals the in-process reference engine (docs/design.md, rule 3).

Each case trains the same request on both engines and compares model.npz arrays and the
per-epoch history to 1e-9 (its confusion matrices exactly). Shards of one unit reproduce
"one Lambda per neuron".
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from infra.local.chaos import ChaosSpec
from lnn.bench.workload import same_bytes
from lnn.datasets import load_dataset
from lnn.engines.reference import train_reference
from lnn.engines.stack import train_on_stack
from lnn.layer_text import parse_layers
from lnn.prepare import prepare, split
from lnn.telemetry import differences
from messages.train_request import TrainConfig

TOLERANCE = 1e-9

CASES = {
    "logistic": dict(dataset="breast_cancer", layers="1:sigmoid", epochs=4, lr=0.5),
    "planar": dict(dataset="flower", layers="4:tanh,1:sigmoid", epochs=4, lr=1.2),
    "deep-adam-l2-dropout-minibatch": dict(
        dataset="moons",
        layers="6:relu,4:leaky_relu,1:sigmoid",
        epochs=3,
        lr=0.01,
        optimizer="adam",
        l2=0.3,
        dropout=0.8,
        batch_size=64,
        holdout=0.2,
        eval_every=2,
        lr_decay=0.5,
        decay_interval=2,
    ),
    "digits-softmax": dict(
        dataset="digits",
        layers="32:relu,10:softmax",
        epochs=2,
        lr=0.1,
        holdout=0.2,
        optimizer="momentum",
    ),
    # Batch norm on both hidden layers: its statistics over each mini-batch, dropout after
    # the activation, and the running averages that every evaluation normalizes with.
    "batch-norm-minibatch-dropout": dict(
        dataset="moons",
        layers="5:relu:bn,4:tanh:bn,1:sigmoid",
        epochs=2,
        lr=0.05,
        optimizer="adam",
        dropout=0.8,
        l2=0.1,
        batch_size=64,
        holdout=0.2,
    ),
}
BATCH_NORM = "batch-norm-minibatch-dropout"


def run_both(case: dict, shards: int, chaos: ChaosSpec | None = None, **target: Any):
    """The reference engine's result and the embedded engine's, there where `target` (the
    keyword arguments of `stack_target`) says."""
    options = dict(case)
    dataset = load_dataset(options.pop("dataset"))
    config = TrainConfig(
        dataset=dataset.name, layers=parse_layers(options.pop("layers")), shards=shards, **options
    )
    data = prepare(dataset, [layer.model_dump() for layer in config.layers])
    columns = split(data, holdout=config.holdout, seed=config.seed)
    return train_reference(config, columns), train_on_stack(config, data, chaos=chaos, **target)


def assert_same(reference, network) -> None:
    assert network.status == "SUCCEEDED", network.reason
    assert len(network.params) == len(reference.params)
    for ref, net in zip(reference.params, network.params, strict=True):
        assert sorted(net) == sorted(ref)
        for name, expected in ref.items():
            assert net[name].shape == expected.shape, name
            assert np.max(np.abs(net[name] - expected)) <= TOLERANCE, name
    assert [h.epoch for h in network.history] == [h.epoch for h in reference.history]
    for ref, net in zip(reference.history, network.history, strict=True):
        assert abs(ref.cost - net.cost) <= TOLERANCE
        for field in ("train_accuracy", "dev_accuracy", "test_accuracy"):
            expected, got = getattr(ref, field), getattr(net, field)
            assert (expected is None) == (got is None), field
            if expected is not None:
                assert abs(expected - got) <= TOLERANCE, field
        # Counts of the same predictions: equal, not merely close.
        for field in ("train_confusion", "dev_confusion", "test_confusion"):
            assert getattr(net, field) == getattr(ref, field), field
    assert any(h.train_confusion is not None for h in network.history)
    # W1 at the picture steps: float32 copies of arrays within TOLERANCE, which may still
    # round one float32 step apart.
    assert sorted(network.first_layer) == sorted(reference.first_layer)
    assert 0 in network.first_layer
    for step, w_net in network.first_layer.items():
        np.testing.assert_allclose(
            w_net, reference.first_layer[step], rtol=np.finfo(np.float32).eps, atol=TOLERANCE
        )
    # Telemetry (every step of these short runs under "auto"), read back from S3.
    assert network.telemetry and len(network.telemetry) == len(reference.telemetry)
    assert differences(reference.telemetry, network.telemetry, tolerance=TOLERANCE) == []


@pytest.mark.parametrize("shards", [3, 64], ids=["three-unit-shards", "unit-per-shard"])
@pytest.mark.parametrize("name", list(CASES))
def test_embedded_equals_reference(name: str, shards: int) -> None:
    reference, network = run_both(CASES[name], shards)
    assert_same(reference, network)


def test_batch_norm_in_one_shard_a_layer_equals_reference() -> None:
    """Unsharded, each layer's statistics come from one invocation (the other end of the
    sharded cases above)."""
    reference, network = run_both(CASES[BATCH_NORM], shards=1)
    assert_same(reference, network)
    for layer in network.params[:-1]:  # the running averages moved, in 1e-9 of the reference
        assert np.all(layer["running_mean"] != 0.0) and np.all(layer["running_var"] != 1.0)


def test_duplicate_delivery_changes_no_byte_of_the_model(
    stack_target: Callable[[], dict[str, Any]],
) -> None:
    case = CASES["deep-adam-l2-dropout-minibatch"]
    _, clean = run_both(case, shards=2, **stack_target())
    _, doubled = run_both(case, shards=2, chaos=ChaosSpec(duplicate=1.0), **stack_target())
    assert doubled.status == "SUCCEEDED", doubled.reason
    assert same_bytes(clean.params, doubled.params)
    assert [h.model_dump() for h in clean.history] == [h.model_dump() for h in doubled.history]
    assert sorted(clean.first_layer) == sorted(doubled.first_layer)
    for step, w in clean.first_layer.items():
        assert w.tobytes() == doubled.first_layer[step].tobytes(), step


def test_cold_containers_read_everything_back_and_change_nothing(
    monkeypatch: pytest.MonkeyPatch, stack_target: Callable[[], dict[str, Any]]
) -> None:
    """Every invocation as if in a fresh container: no array or Z survives in the process,
    so each read goes to its durable copy (S3 object or barrier item)."""
    from functions.protocol import arrays as memory

    case = CASES["deep-adam-l2-dropout-minibatch"]
    _, warm = run_both(case, shards=2, **stack_target())
    for capacity in (
        "ARRAY_CACHE_BYTES",
        "PLAN_CACHE_RUNS",
        "BATCH_CACHE_ENTRIES",
        "Z_CACHE_ENTRIES",
    ):
        monkeypatch.setattr(memory, capacity, 0)
    _, cold = run_both(case, shards=2, **stack_target())
    assert cold.status == "SUCCEEDED", cold.reason
    assert same_bytes(warm.params, cold.params)
    assert sorted(warm.first_layer) == sorted(cold.first_layer)
    for step, w in warm.first_layer.items():
        assert w.tobytes() == cold.first_layer[step].tobytes(), step
