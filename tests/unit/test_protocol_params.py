"""Small parameter versions ride in the backward arrival that made them; large ones and
version 0 are S3 objects. Either way every reader finds the same bytes."""

from memory_runs import RUN, config, identical, max_difference, reference_params, toy_data, train

from functions.memory import InMemoryStack
from functions.protocol.keys import params_key
from functions.protocol.plan import RunPlan
from functions.protocol.versions import inline
from messages.limits import PARAMS_ITEM_BUDGET


def _plan(n_features: int, units: list[int], shards: int = 1, optimizer: str = "gd") -> RunPlan:
    layers = [{"units": u, "activation": "relu"} for u in units]
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


def test_a_container_without_memory_reads_the_version_from_its_barrier() -> None:
    x, y = toy_data()
    cfg = config(epochs=2, telemetry_every=0)
    warm = train(InMemoryStack(), cfg, x, y).model(RUN)[0]
    stack = InMemoryStack()
    stack.submit(cfg, x, y, RUN)
    while stack.queued:
        stack.restart()  # a new container for every delivery: nothing is remembered
        stack.deliver_one()
    reads = stack.counter.calls.count("barriers.shard_params")
    assert reads > 0 and identical(stack.model(RUN)[0], warm)


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
    assert identical(stack.model(RUN)[0], reference_params(cfg, x, y))
