"""Small parameter versions ride in the backward arrival that made them; large ones and
version 0 are S3 objects. Either way every reader finds the same bytes."""

import io

import numpy as np
import pytest
from memory_runs import (
    BATCH_NORMED_TOY,
    RUN,
    config,
    max_difference,
    reference_params,
    running_averages_moved,
    toy_data,
    train,
)

from functions.memory import InMemoryStack
from functions.protocol.keys import params_key
from functions.protocol.plan import RunPlan
from functions.protocol.versions import inline
from functions.training.config import initial_params
from lnn.bench.workload import same_bytes
from messages.limits import PARAMS_ITEM_BUDGET


def _plan(
    n_features: int,
    units: list[int],
    shards: int = 1,
    optimizer: str = "gd",
    batch_norm: bool = False,
) -> RunPlan:
    hidden = [{"units": u, "activation": "relu", "batch_norm": batch_norm} for u in units[:-1]]
    layers = [*hidden, {"units": units[-1], "activation": "relu"}]
    cfg = config(layers=layers, shards=shards, optimizer=optimizer)
    return RunPlan(RUN, cfg, n_features, (8, 0, 0))


def test_the_cat_network_keeps_its_first_layer_in_s3_and_the_rest_inline() -> None:
    plan = _plan(12_288, [20, 7, 5, 1])
    assert [inline(plan, layer) for layer in (1, 2, 3, 4)] == [False, True, True, True]
    # the budget is shared by the layer's shards, and Adam's moments count
    assert PARAMS_ITEM_BUDGET == 20_000
    assert inline(_plan(3, [500]), 1)  # W and b: 500 x 4 floats, 16 KB
    assert not inline(_plan(3, [700]), 1)  # 22.4 KB
    assert not inline(_plan(3, [700], shards=4), 1)  # the item's budget is shared
    assert not inline(_plan(3, [200], optimizer="adam"), 1)  # 2 moments each: 19.2 KB + headers


def _params_objects(stack: InMemoryStack) -> set[str]:
    return {k for k in stack.blobs.objects if k.startswith(f"runs/{RUN}/params/")}


def test_inline_versions_write_no_object_and_train_the_reference_model() -> None:
    x, y = toy_data()
    cfg = config(epochs=2, telemetry_every=0)
    stack = train(InMemoryStack(), cfg, x, y)
    # every layer of the toy network fits: S3 holds version 0 of each shard, and layer 1's
    # last version (2 epochs of 2 batches), kept for its pictures (telemetry off: no other)
    assert _params_objects(stack) == {
        params_key(RUN, layer, shard, 0) for layer, shards in ((1, 2), (2, 2), (3, 1))
        for shard in range(shards)
    } | {params_key(RUN, 1, shard, 4) for shard in (0, 1)}  # fmt: skip
    assert max_difference(stack.model(RUN)[0], reference_params(cfg, x, y)) < 1e-9


@pytest.mark.parametrize("layers", [None, BATCH_NORMED_TOY], ids=["plain", "batch-norm"])
def test_a_container_without_memory_reads_the_version_from_its_barrier(
    layers: list[dict] | None,
) -> None:
    x, y = toy_data()
    cfg = config(epochs=2, telemetry_every=0, **({"layers": layers} if layers else {}))
    warm = train(InMemoryStack(), cfg, x, y).model(RUN)[0]
    stack = InMemoryStack()
    stack.submit(cfg, x, y, RUN)
    while stack.queued:
        stack.restart()  # a new container for every delivery: nothing is remembered
        stack.deliver_one()
    reads = stack.counter.calls.count("barriers.shard_params")
    assert reads > 0 and same_bytes(stack.model(RUN)[0], warm)


def test_a_large_layer_keeps_its_versions_in_s3() -> None:
    x, y = toy_data(n_features=700)
    cfg = config(
        layers=[{"units": 4, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}],
        epochs=1,
        batch_size=0,
        shards=1,
        telemetry_every=0,
    )
    stack = train(InMemoryStack(), cfg, x, y)
    objects = _params_objects(stack)
    assert params_key(RUN, 1, 0, 1) in objects  # 4 x 701 floats with Adam: S3
    assert params_key(RUN, 2, 0, 1) not in objects  # 1 x 5 floats: inline
    assert same_bytes(stack.model(RUN)[0], reference_params(cfg, x, y))


def _version_bytes(plan: RunPlan, layer: int) -> int:
    """The .npz bytes of the layer's widest shard version: its arrays and optimizer state."""
    lo, hi = max(plan.ranges(layer), key=lambda r: r[1] - r[0])
    whole = initial_params(plan.config, plan.n_features)[layer - 1]
    params = {name: array[lo:hi] for name, array in whole.items()}
    trained = {name: params[name] for name in plan.specs[layer - 1].trained}
    buffer = io.BytesIO()
    np.savez(buffer, **params, **plan.optimizer.init_state(trained))
    return len(buffer.getvalue())


def test_a_batch_normed_layer_sizes_its_versions_with_every_array() -> None:
    # gamma, beta and their moments, and the running averages: one column more than W and b
    # with gd, three more with Adam, and five more arrays' headers.
    assert inline(_plan(3, [150, 1], optimizer="adam"), 1)  # 150 x 12 floats: 15.9 KB
    assert not inline(_plan(3, [150, 1], optimizer="adam", batch_norm=True), 1)  # 150 x 17
    assert inline(_plan(3, [400, 1]), 1) and inline(_plan(3, [250, 1], batch_norm=True), 1)
    assert not inline(_plan(3, [350, 1], batch_norm=True), 1)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("shards", [1, 3])
@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "batch-norm"])
def test_a_version_that_rides_inline_fits_its_share(
    optimizer: str, shards: int, batch_norm: bool
) -> None:
    """Whatever the layer's arrays, ``inline`` admits no version beyond its share of the
    barrier item, and turns away none that would fit with room for a few headers."""
    share = PARAMS_ITEM_BUDGET // shards
    widths = range(1, 3 * 400, 7 * shards)
    for units in widths:
        plan = _plan(3, [units, 1], shards=shards, optimizer=optimizer, batch_norm=batch_norm)
        size = _version_bytes(plan, 1)
        if inline(plan, 1):
            assert size <= share, units
        else:
            assert size > share - 1024, units


def _versions_written_to_s3(stack: InMemoryStack, layer: int) -> set[int]:
    """Every version of the layer's shards put in S3 so far, pruned since or not."""
    prefix = f"runs/{RUN}/params/l{layer}/"
    return {
        int(key.rsplit("/v", 1)[1].removesuffix(".npz"))
        for key in stack.written
        if key.startswith(prefix)
    }


class _WrittenBlobs(InMemoryStack):
    """An in-memory stack that remembers every key it was asked to put."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[str] = []
        put = self.blobs.put_bytes

        def recording_put(key: str, body: bytes) -> None:
            self.written.append(key)
            put(key, body)

        self.blobs.put_bytes = recording_put  # type: ignore[method-assign]


def test_batch_normed_layers_inline_and_in_s3_train_the_reference_model() -> None:
    """A small batch-normed layer's versions ride in its barrier; a wide one's (700 inputs)
    are S3 objects. Either way the run is the reference's, running averages included."""
    x, y = toy_data(n_features=700)
    layers = [
        {"units": 4, "activation": "relu", "batch_norm": True},  # 2 x 700 W a shard: S3
        {"units": 3, "activation": "tanh", "batch_norm": True},  # 2 x 4 W a shard: inline
        {"units": 1, "activation": "sigmoid"},
    ]
    cfg = config(layers=layers, epochs=2, telemetry_every=0)
    stack = train(_WrittenBlobs(), cfg, x, y)
    assert stack.record(RUN).step == 4
    assert _versions_written_to_s3(stack, 1) == {0, 1, 2, 3, 4}
    assert _versions_written_to_s3(stack, 2) == {0}
    params = stack.model(RUN)[0]
    assert running_averages_moved(params)
    assert max_difference(params, reference_params(cfg, x, y)) < 1e-9
