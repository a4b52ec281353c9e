"""Telemetry through the in-memory stack: the reference engine's records, to round-off, sharded
or not; the model unchanged by it; one extra write per layer on a telemetry step, none on
another step. (Crashes with telemetry on: test_protocol_crashes.py.)"""

from collections import Counter

import numpy as np
import pytest
from memory_runs import RUN, config, toy_data, train

from functions.memory import InMemoryStack
from functions.telemetry import TelemetryRecord
from functions.training.split import split_training_data
from lnn.bench.workload import same_bytes
from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference
from lnn.telemetry import differences
from messages.train_request import TrainConfig


def reference(cfg: TrainConfig, x: np.ndarray, y: np.ndarray) -> TrainingResult:
    return train_reference(cfg, split_training_data(x, y, holdout=cfg.holdout, seed=cfg.seed))


SOFTMAX = [
    {"units": 5, "activation": "relu"},
    {"units": 3, "activation": "softmax"},
]


def softmax_data() -> tuple[np.ndarray, np.ndarray]:
    x, _ = toy_data(m=24)
    labels = (x[0] > 0).astype(int) + (x[1] > 0.5).astype(int)
    return x, np.eye(3)[labels].T


@pytest.mark.parametrize("shards", [1, 3])
@pytest.mark.parametrize("net", ["mixed", "softmax"])
def test_stack_telemetry_equals_the_reference(shards: int, net: str) -> None:
    if net == "mixed":  # relu, tanh, sigmoid; dropout, L2, Adam, mini-batches
        x, y = toy_data()
        cfg = config(shards=shards, telemetry_every=1)
    else:
        x, y = softmax_data()
        cfg = config(shards=shards, layers=SOFTMAX, dropout=1.0, telemetry_every=2, epochs=3)
    stack = train(InMemoryStack(), cfg, x, y)
    expected = reference(cfg, x, y).telemetry
    found = stack.telemetry(RUN)
    assert found and differences(found, expected) == []
    depth = len(cfg.layers)
    assert [(r.step, r.telemetry.layer) for r in found][:depth] == [
        (1, k + 1) for k in range(depth)
    ]
    assert all(r.telemetry.whole for r in found)
    outputs = [r for r in found if r.telemetry.layer == depth]
    assert all(r.classes is not None for r in outputs)
    assert all(r.classes is None for r in found if r.telemetry.layer < depth)
    m_batch = [r.telemetry.forward.count for r in outputs]
    assert sum(int(r.classes.confusion.sum()) for r in outputs) == sum(m_batch)


def test_one_shard_telemetry_is_the_reference_bit_for_bit() -> None:
    x, y = toy_data()
    cfg = config(shards=1, telemetry_every=1)
    found = train(InMemoryStack(), cfg, x, y).telemetry(RUN)
    expected = reference(cfg, x, y).telemetry
    assert [r.to_document() for r in found] == [r.to_document() for r in expected]


def test_telemetry_changes_no_byte_of_the_model() -> None:
    x, y = toy_data()
    on, off = config(telemetry_every=1), config(telemetry_every=0)
    assert same_bytes(reference(cfg=on, x=x, y=y).params, reference(off, x, y).params)
    stack_on = train(InMemoryStack(), on, x, y)
    stack_off = train(InMemoryStack(), off, x, y)
    assert same_bytes(stack_on.model(RUN)[0], stack_off.model(RUN)[0])
    assert stack_off.telemetry(RUN) == [] and reference(off, x, y).telemetry == []
    assert len(stack_on.telemetry(RUN)) == 3 * 2 * 2  # layers x batches x epochs


def test_a_telemetry_step_costs_one_write_per_layer_and_another_step_nothing() -> None:
    x, y = toy_data()
    calls = {}
    for every in (0, 3):
        stack = train(InMemoryStack(), config(telemetry_every=every), x, y)
        calls[every] = Counter(stack.counter.calls)
    observed = len({r.step for r in stack.telemetry(RUN)})
    assert observed == 2  # steps 1 and 4 of 4: the first and the last
    extra = calls[3] - calls[0]
    # Per telemetry step a record per layer (3); and step 1 becomes a picture step, whose
    # layer-1 version (inline: 4 units on 2 shards) is an object per shard, kept for the
    # pictures (step 4, the last, is one with telemetry off too).
    assert extra == Counter({"blobs.put_bytes": observed * 3 + 2}), extra
    assert not calls[0] - calls[3]


def test_a_large_shard_document_goes_to_s3_and_still_merges(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import functions.protocol.telemetry as glue

    x, y = toy_data()
    cfg = config(telemetry_every=1)
    inline = train(InMemoryStack(), cfg, x, y).telemetry(RUN)
    monkeypatch.setattr(glue, "TELEMETRY_ITEM_BUDGET", 100)
    monkeypatch.setattr(glue, "TELEMETRY_MESSAGE_BUDGET", 100)
    stack = train(InMemoryStack(), cfg, x, y)
    assert [r.to_document() for r in stack.telemetry(RUN)] == [r.to_document() for r in inline]
    parts = {k.split("/", 4)[-1] for k in stack.blobs.objects if "/telemetry/" in k}
    assert {"b0/l3/loss0.json", "b0/l3/s0.json", "b1/l1/s1.json"} <= parts


def test_the_comparison_sees_a_float_beyond_the_tolerance_and_any_count() -> None:
    x, y = toy_data()
    records = reference(config(telemetry_every=1, epochs=1), x, y).telemetry
    doc = records[0].to_document()
    nudged = TelemetryRecord.from_document({**doc, "forward": {**doc["forward"]}})
    assert differences(records[:1], [nudged]) == []
    sums = list(doc["forward"]["sum"])
    for shift, seen in ((1e-12, False), (1e-6, True)):
        moved = {**doc, "forward": {**doc["forward"], "sum": [sums[0] + shift, *sums[1:]]}}
        found = differences(records[:1], [TelemetryRecord.from_document(moved)])
        assert bool(found) is seen, found
    counted = {**doc, "forward": {**doc["forward"], "count": doc["forward"]["count"] + 1}}
    assert differences(records[:1], [TelemetryRecord.from_document(counted)])
    assert differences(records, records[:-1]) == [
        f"{len(records)} records against {len(records) - 1}"
    ]


def test_a_reader_holding_the_plan_reads_only_the_steps_it_was_told_are_whole() -> None:
    """The live page's feed knows the run's plan and its last claimed step: the read asks
    for neither the plan again nor any step past that one."""
    from functions.protocol import RunPlan, plan_key, read_telemetry

    x, y = toy_data()
    stack = train(InMemoryStack(), config(telemetry_every=1), x, y)
    plan = RunPlan.from_document(stack.store.get_json(plan_key(RUN)))
    everything = read_telemetry(stack.store, RUN)
    store = stack.store
    asked: list[str] = []
    get_bytes = store.blobs.get_bytes

    def counting(key: str) -> bytes:
        asked.append(key)
        return get_bytes(key)

    store.blobs.get_bytes = counting  # type: ignore[method-assign]
    first_two = read_telemetry(store, RUN, after_step=0, through_step=2, plan=plan)
    assert [r.step for r in first_two] == [r.step for r in everything if r.step <= 2]
    assert plan_key(RUN) not in asked
    assert len(asked) == 2 * plan.depth  # one object per layer of steps 1 and 2


BATCH_NORM = [
    {"units": 4, "activation": "relu", "batch_norm": True},
    {"units": 3, "activation": "tanh", "batch_norm": True},
    {"units": 1, "activation": "sigmoid"},
]


@pytest.mark.parametrize("shards", [1, 2, 3, 4])  # 4: one unit per shard in both BN layers
def test_batch_norm_telemetry_of_the_stack_is_the_reference(shards: int) -> None:
    """Byte for byte with one shard per layer, as the reference engine runs; several shards
    carry the training's own round-off (a shard's rows of W A_prev, the sum of the shards'
    dA_prev), within 1e-9 as every run does (the merge itself is exact:
    test_telemetry_norm.py)."""
    x, y = toy_data()
    cfg = config(shards=shards, layers=BATCH_NORM, telemetry_every=1)
    found = train(InMemoryStack(), cfg, x, y).telemetry(RUN)
    expected = reference(cfg, x, y).telemetry
    assert found and differences(found, expected) == []
    if shards == 1:
        assert [r.to_document() for r in found] == [r.to_document() for r in expected]
    for record in found:
        t = record.telemetry
        assert (t.norm is None) is (t.layer == 3)
        assert t.bias_name == ("b" if t.layer == 3 else "beta")
    first = next(r.telemetry for r in found if r.step == 1 and r.telemetry.layer == 1)
    # Step 1 used the initial gamma (ones); its Z_tilde is centred on beta (zeros).
    assert first.norm is not None and np.array_equal(first.norm.mean("gamma"), np.ones(4))
    assert np.allclose(first.forward.z_mean, 0.0, atol=1e-12)
    assert np.all(first.norm.mean("batch_var") > 0)
