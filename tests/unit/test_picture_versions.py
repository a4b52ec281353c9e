"""Layer 1's versions at the run's picture steps outlive pruning (and the barrier items'
expiry), every other stale version is deleted, and the reader of a kept step returns the
reference engine's W at that step."""

import json

import numpy as np
from memory_runs import RUN, config, toy_data, train

from functions.memory import InMemoryStack
from functions.protocol import find_plan, read_layer
from functions.protocol.trainer import stale_versions
from functions.protocol.versions import inline
from functions.training.schedule import PICTURE_STEPS, picture_steps, telemetry_cadence
from functions.training.split import split_training_data
from lnn.engines.reference import train_reference

BACKWARD_OF_STEP_1 = {"kind": "backward", "layer": 1, "step": 1, "phase": "train"}
STEPS = 100  # full batch: one step an epoch, past three pruning rounds (steps 32, 64, 96)


def _versions(stack: InMemoryStack, layer: int, shard: int) -> set[int]:
    prefix = f"runs/{RUN}/params/l{layer}/s{shard}/v"
    found = (k.removeprefix(prefix) for k in stack.blobs.objects if k.startswith(prefix))
    return {int(name.removesuffix(".npz")) for name in found}


def _config(n_features: int, **overrides: object):
    layers = [{"units": 4, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}]
    options = dict(layers=layers, epochs=STEPS, batch_size=0, dropout=1.0, telemetry_every=2)
    return config(**{**options, **overrides})


def test_picture_steps_are_the_init_the_last_step_and_at_most_the_limit_of_telemetry() -> None:
    every_other = telemetry_cadence(2, STEPS, 1)  # steps 1, 3, ..., 99 and the last, 100
    steps = picture_steps(every_other)
    assert len(every_other.steps()) == 51 and len(steps) == PICTURE_STEPS + 1
    assert steps[:2] == (0, 1) and steps[-1] == STEPS
    assert set(steps[1:]) <= set(every_other.steps())
    gaps = np.diff(steps[1:])
    # Evenly spread: every second or third telemetry step (the last, 100, is one after 99).
    assert set(gaps[:-1].tolist()) == {4, 6} and gaps[-1] <= 6
    assert picture_steps(telemetry_cadence(10, 30, 1)) == (0, 1, 11, 21, 30)
    assert picture_steps(telemetry_cadence(0, 30, 1)) == (0, 30)  # telemetry off
    assert picture_steps(telemetry_cadence(0, 0, 1)) == (0,)  # no step at all


def test_pruning_keeps_layer_1s_picture_versions_and_deletes_every_other_stale_one() -> None:
    x, y = toy_data(n_features=700)
    stack = train(InMemoryStack(), _config(700), x, y)
    plan = find_plan(stack.store, RUN)
    assert plan is not None and not inline(plan, 1) and inline(plan, 2)
    pruned = {v for step in range(1, STEPS + 1) for v in stale_versions(step)}
    assert pruned == set(range(80))  # the rounds at steps 32, 64 and 96
    newest = set(range(80, STEPS + 1))
    for shard in (0, 1):
        assert _versions(stack, 1, shard) == set(plan.picture_steps) | newest
    # Layer 2 rides inline: S3 has its version 0, never pruned, and nothing else.
    assert _versions(stack, 2, 0) == {0}


def test_an_inline_first_layer_stores_its_picture_versions_as_objects() -> None:
    x, y = toy_data()
    stack = train(InMemoryStack(), _config(3), x, y)
    plan = find_plan(stack.store, RUN)
    assert plan is not None and inline(plan, 1)
    # Its other versions are in barrier items, which expire after a week; these stay.
    for shard in (0, 1):
        assert _versions(stack, 1, shard) == set(plan.picture_steps)


def test_the_reader_of_a_kept_step_returns_the_reference_engines_w_at_that_step() -> None:
    x, y = toy_data(n_features=700)
    cfg = _config(700, optimizer="gd")
    stack = train(InMemoryStack(), cfg, x, y)
    plan = find_plan(stack.store, RUN)
    assert plan is not None
    seen: dict[int, np.ndarray] = {}

    def on_step(step: int, params: list, records: list) -> None:
        if step in plan.picture_steps:
            seen[step] = params[0]["W"]

    split = split_training_data(x, y, holdout=cfg.holdout, seed=cfg.seed)
    reference = train_reference(cfg, split, on_step=on_step)
    stack.restart()  # a new process: nothing remembered, every shard read from S3
    for step in sorted(plan.picture_steps - {0}):
        w = read_layer(stack.store, stack.barriers, plan, 1, step)["W"]
        assert w.shape == (4, 700)
        assert np.max(np.abs(w - seen[step])) < 1e-9, step
    w0 = read_layer(stack.store, stack.barriers, plan, 1, 0)["W"]
    np.testing.assert_array_equal(w0.astype(np.float32), reference.first_layer[0])  # W(init)
    assert not np.allclose(w0, reference.params[0]["W"])  # the init: training moved it


def test_a_late_duplicate_of_a_picture_steps_backward_writes_no_version() -> None:
    """Step 1 is a picture step, so layer 1's version 1 is kept; a duplicate of its
    backward task redelivered after the run finds that version, but its step has passed:
    it stops before computing version 2, which pruning deleted, and writes nothing."""
    x, y = toy_data(n_features=700)
    stack = InMemoryStack()
    stack.submit(_config(700), x, y, RUN)

    def backward_of_step_1() -> list[str]:
        return [
            m.body
            for m in stack.queued
            if m.queue == "layer-1"
            and json.loads(m.body) | BACKWARD_OF_STEP_1 == json.loads(m.body)
        ]

    stack.run(until=lambda: bool(backward_of_step_1()))
    late = backward_of_step_1()
    stack.run()
    plan = find_plan(stack.store, RUN)
    assert plan is not None and 1 in plan.picture_steps and 2 not in plan.picture_steps
    kept = [_versions(stack, 1, shard) for shard in (0, 1)]
    assert all(2 not in versions for versions in kept)  # pruned
    for body in late:
        stack.publish("layer-1", body)
    stack.run()
    assert [_versions(stack, 1, shard) for shard in (0, 1)] == kept
