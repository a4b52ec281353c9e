"""The message timeline: one span per delivery of a shard task, on the in-memory stack.

A clean run leaves exactly one claimed-or-completed span per shard task and one completed
span per barrier; duplicates, healed publishers, failures and dead letters show up as the
deliveries they were; the trace is valid Trace Event JSON with one track per function/shard.
"""

import json
from collections import Counter
from itertools import pairwise

import numpy as np
import pytest
from memory_runs import RUN, config, toy_data, train

from functions.memory import CrashPlan, InMemoryStack
from functions.protocol.keys import params_key
from functions.protocol.telemetry import run_passes
from functions.telemetry.spans import Span, dumps_spans, loads_spans
from lnn.trace import chrome_trace
from messages.status import RunStatus


def _cfg(**overrides: object):
    return config(epochs=2, batch_size=10, shards=2, telemetry_every=0, **overrides)


def _tasks(stack: InMemoryStack) -> Counter:
    """Every shard task the run's plan makes: (phase, direction, epoch, batch, layer, shard)."""
    from functions.protocol.keys import plan_key
    from functions.protocol.plan import RunPlan

    plan = RunPlan.from_document(stack.store.get_json(plan_key(RUN)))
    found: Counter = Counter()
    for stages in run_passes(plan):
        for s in stages:
            shards = 1 if s.direction == "loss" else len(plan.ranges(s.layer))
            for shard in range(shards):
                found[(s.phase, s.direction, s.epoch, s.batch, s.layer, shard)] += 1
    return found


def _key(span: Span) -> tuple:
    return (span.phase, span.direction, span.epoch, span.batch, span.layer, span.shard)


SOFTMAX = [{"units": 4, "activation": "relu"}, {"units": 2, "activation": "softmax"}]


@pytest.mark.parametrize("output_shards", [1, 2])
def test_a_clean_run_leaves_one_span_per_shard_task_and_one_completion_per_barrier(
    output_shards: int,
) -> None:
    x, y = toy_data()
    if output_shards == 1:  # the loss and the output layer's backward run in its shard
        cfg = _cfg()
    else:  # the loss stage is a hop of its own
        cfg, y = _cfg(layers=SOFTMAX), np.vstack([y, 1 - y])
    stack = train(InMemoryStack(), cfg, x, y)
    spans = stack.spans(RUN)
    assert {s.outcome for s in spans} == {"claimed", "completed"}
    assert Counter(_key(s) for s in spans) == _tasks(stack)
    completions = Counter((s.phase, s.direction, s.epoch, s.batch, s.layer) for s in spans)
    completed = Counter(
        (s.phase, s.direction, s.epoch, s.batch, s.layer) for s in spans if s.outcome == "completed"
    )
    assert set(completed.values()) == {1} and completed.keys() == completions.keys()
    for s in spans:
        assert s.start <= s.end and s.delivery == 1
        assert s.function == ("loss" if s.direction == "loss" else "neuron")
    # the order of the protocol: a stage starts after the stage before it completed
    by_key = {(_key(s)[:5]): s for s in spans if s.outcome == "completed"}
    for s in spans:
        if s.direction == "fwd" and s.layer > 1:
            assert s.start >= by_key[(s.phase, "fwd", s.epoch, s.batch, s.layer - 1)].end


def test_a_step_without_rare_events_writes_no_extra_call() -> None:
    x, y = toy_data()
    stack = train(InMemoryStack(), _cfg(), x, y)
    assert "barriers.note" not in stack.counter.calls


def test_duplicates_show_up_as_dropped_deliveries_of_tasks_that_ran() -> None:
    x, y = toy_data()
    stack = train(InMemoryStack(duplicate=0.3, seed=3), _cfg(), x, y)
    spans = stack.spans(RUN)
    main = [s for s in spans if s.outcome in ("claimed", "completed")]
    duplicates = [s for s in spans if s.outcome == "duplicate"]
    assert Counter(_key(s) for s in main) == _tasks(stack)  # still one per task
    assert duplicates and {_key(s) for s in duplicates} <= {_key(s) for s in main}
    assert stack.counter.calls.count("barriers.note") == len(duplicates)


def test_a_publisher_that_died_is_healed_by_its_redelivery() -> None:
    x, y = toy_data()
    cfg = _cfg()
    clean = train(InMemoryStack(), cfg, x, y)
    # die right after an arrival that completed its barrier, before it published
    calls = clean.counter.calls
    at = next(i for i, name in enumerate(calls) if calls[i : i + 2] == [name, "bus.send_tasks"]
              and name == "barriers.arrive")  # fmt: skip
    stack = train(InMemoryStack(crash=CrashPlan(at, "after")), cfg, x, y)
    assert stack.record(RUN).status is RunStatus.SUCCEEDED
    healed = [s for s in stack.spans(RUN) if s.outcome == "healed"]
    assert len(healed) == 1 and healed[0].delivery == 2


def test_failed_deliveries_and_the_dead_letter_are_spans_of_their_task() -> None:
    x, y = toy_data()
    stack = InMemoryStack(max_receives=3)
    stack.submit(_cfg(), x, y, RUN)
    lost = params_key(RUN, 1, 0, 0)  # layer 1 shard 0 can no longer read its parameters
    stack.run(until=lambda: bool(stack.blobs.objects.get(lost)))
    stack.blobs.delete([lost])
    stack.restart()  # or the trainer's container still holds its copy
    stack.run()
    assert stack.record(RUN).status is RunStatus.FAILED
    spans = stack.spans(RUN)
    failed = [s for s in spans if s.outcome == "failed"]
    assert [s.delivery for s in failed] == [1, 2, 3]
    assert all((s.direction, s.layer, s.shard) == ("fwd", 1, 0) for s in failed)
    assert all("ObjectNotFoundError" in (s.detail or "") for s in failed)
    dead = [s for s in spans if s.outcome == "dead_lettered"]
    assert dead and all(s.direction == "fwd" and s.layer == 1 for s in dead)


def test_the_trace_is_valid_trace_event_json_with_one_track_per_function_and_shard() -> None:
    x, y = toy_data()
    stack = train(InMemoryStack(duplicate=0.2, seed=1), _cfg(), x, y)
    spans = stack.spans(RUN)
    document = json.loads(json.dumps(chrome_trace(spans, run_id=RUN)))
    events = document["traceEvents"]
    slices = [e for e in events if e["ph"] == "X"]
    assert len(slices) == len(spans)
    for e in slices:
        assert {"name", "cat", "ts", "dur", "pid", "tid", "args"} <= e.keys()
        assert isinstance(e["ts"], float | int) and e["dur"] > 0
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e["name"] == "thread_name"}
    assert {(e["pid"], e["tid"]) for e in slices} <= names.keys()
    main_lanes = {n for n in names.values() if not n.endswith("(repeats)")}
    assert main_lanes == {s.lane for s in spans}
    assert "neuron L3 s0" in main_lanes and "neuron L1 s1" in main_lanes
    assert "loss" not in main_lanes  # one output shard: the loss runs inside it
    # a track's slices must nest (a viewer requirement): on a main track they never overlap
    for track in {(e["pid"], e["tid"]) for e in slices}:
        if names[track].endswith("(repeats)"):
            continue
        ordered = sorted(
            (e["ts"], e["ts"] + e["dur"]) for e in slices if (e["pid"], e["tid"]) == track
        )
        assert all(a[1] <= b[0] + 1 for a, b in pairwise(ordered))


def test_spans_round_trip_through_their_file() -> None:
    x, y = toy_data()
    spans = train(InMemoryStack(duplicate=0.2), _cfg(), x, y).spans(RUN)
    assert loads_spans(dumps_spans(spans)) == spans
    assert np.all(np.diff([s.start for s in loads_spans(dumps_spans(spans))]) >= 0)


def test_the_trace_counts_epochs_from_1_as_the_page_and_history_do() -> None:
    x, y = toy_data()
    stack = train(InMemoryStack(), _cfg(), x, y)  # two epochs
    slices = [e for e in chrome_trace(stack.spans(RUN))["traceEvents"] if e["ph"] == "X"]
    epochs = {e["name"].split(" e", 1)[1].split(" ")[0] for e in slices}
    assert epochs == {"1", "2"}
