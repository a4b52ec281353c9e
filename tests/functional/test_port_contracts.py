"""The ports' contract, held against both implementations: the AWS adapters on moto and the
in-memory stack. Moto checks the adapters; the in-memory stack then checks the protocol."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
from observers import drain, events_queue

from functions.aws import DynamoBarriers
from functions.aws.ledger import deserialize, run_key
from functions.memory import InMemoryStack
from functions.ports import (
    Barriers,
    BlobStore,
    Bus,
    ObjectNotFoundError,
    RunLedger,
    ShardOutput,
)
from lnn.engines.stack import embedded_stack
from messages.limits import MAX_BARRIER_NOTES
from messages.schema import message_schema
from messages.status import HistoryEntry, RunRecord, RunStatus
from messages.tasks import ForwardTask


@dataclass
class Bed:
    blobs: BlobStore
    barriers: Barriers
    ledger: RunLedger
    bus: Bus
    received: Callable[[str], list[str]]  # bodies waiting in a queue: trainer, layer-1, output
    events: Callable[[], list[str]]


def _memory_bed() -> Bed:
    stack = InMemoryStack()

    def received(queue: str) -> list[str]:
        found = [m.body for m in stack.queued if m.queue == queue]
        stack.queued = [m for m in stack.queued if m.queue != queue]
        return found

    return Bed(
        stack.blobs,
        stack.barriers,
        stack.ledger,
        stack.bus,
        received,
        lambda: [json.dumps(e) for e in stack.events],
    )


@pytest.fixture(scope="module")
def moto_stack() -> Iterator[Any]:
    with embedded_stack() as session:
        client = session.client
        url = events_queue(client, "contract-events")
        yield client, url


def _moto_bed(moto_stack: Any) -> Bed:
    client, events_url = moto_stack
    sqs = client.clients.sqs
    return Bed(
        client.store.blobs,
        DynamoBarriers(client.outputs.barriers_table, dynamodb=client.clients.dynamodb),
        client.ledger,
        client.bus,
        lambda queue: drain(sqs, client.outputs.queue_urls[queue]),
        lambda: drain(sqs, events_url),
    )


@pytest.fixture(params=["memory", "moto"])
def bed(request: pytest.FixtureRequest) -> Bed:
    if request.param == "memory":
        return _memory_bed()
    return _moto_bed(request.getfixturevalue("moto_stack"))


_runs = iter(range(10**6))


def _run_id() -> str:  # the moto stack is shared by the module's tests
    return f"contract-{next(_runs)}"


def test_blobs_round_trip_and_report_missing_keys(bed: Bed) -> None:
    key = f"runs/{_run_id()}/a.bin"
    bed.blobs.put_bytes(key, b"\x00\x01payload")
    assert bed.blobs.get_bytes(key) == b"\x00\x01payload"
    bed.blobs.delete([key, f"{key}.absent"])
    with pytest.raises(ObjectNotFoundError, match=r"a\.bin"):
        bed.blobs.get_bytes(key)


def test_a_range_reads_part_of_an_object_and_stops_at_its_end(bed: Bed) -> None:
    key = f"runs/{_run_id()}/range.bin"
    bed.blobs.put_bytes(key, b"0123456789")
    assert bed.blobs.get_range(key, 0, 4) == b"0123"
    assert bed.blobs.get_range(key, 6, 100) == b"6789"
    assert bed.blobs.get_range(key, 10, 20) == b""
    with pytest.raises(ValueError, match="empty"):
        bed.blobs.get_range(key, 3, 3)
    empty = f"{key}.empty"
    bed.blobs.put_bytes(empty, b"")
    assert bed.blobs.get_range(empty, 0, 8) == b""
    with pytest.raises(ObjectNotFoundError, match=r"range\.bin\.absent"):
        bed.blobs.get_range(f"{key}.absent", 0, 4)


def test_an_arrival_claims_once_and_carries_its_output(bed: Bed) -> None:
    key = f"{_run_id()}#train#0#0#fwd#1"
    first = bed.barriers.arrive(key, 1, 2, ShardOutput(payload=b"one", value=0.25, message_id="a"))
    assert first.claimed and not first.complete and not first.publishes(1, "a")
    again = bed.barriers.arrive(key, 1, 2, ShardOutput(payload=b"other", message_id="b"))
    assert not again.claimed and again.arrived == {1} and again.payloads[1] == b"one"
    last = bed.barriers.arrive(key, 0, 2, ShardOutput(s3_key="runs/x/s0.npy", message_id="c"))
    assert last.claimed and last.complete and last.publishes(0, "c")
    assert last.s3_keys == {0: "runs/x/s0.npy"} and last.values == {1: 0.25}
    assert last.message_ids == {1: "a", 0: "c"}
    # a redelivery of a claiming message publishes (its process may have died): it heals
    healer = bed.barriers.arrive(key, 0, 2, ShardOutput(message_id="c"))
    assert not healer.claimed and healer.publishes(0, "c")
    assert bed.barriers.arrive(key, 1, 2, ShardOutput(message_id="a")).publishes(1, "a")
    # any other duplicate does nothing
    late = bed.barriers.arrive(key, 1, 2, ShardOutput(message_id="d"))
    assert not late.claimed and not late.publishes(1, "d")
    assert bed.barriers.read(key, 2).arrived == {0, 1}
    assert not bed.barriers.read(f"{key}#absent", 2).arrived


def test_telemetry_documents_ride_in_the_arrival_and_a_duplicate_keeps_the_first(
    bed: Bed,
) -> None:
    key = f"{_run_id()}#train#0#0#bwd#2"
    doc = '{"v":1,"layer":2,"sum":[0.1,"nan"]}'
    first = bed.barriers.arrive(key, 1, 2, ShardOutput(payload=b"da", telemetry=doc))
    assert first.telemetry == {1: doc}
    again = bed.barriers.arrive(key, 1, 2, ShardOutput(telemetry='{"other":1}'))
    assert not again.claimed and again.telemetry == {1: doc}
    last = bed.barriers.arrive(key, 0, 2, ShardOutput(payload=b"da0", telemetry="{}"))
    assert last.complete and last.claimed and last.telemetry == {0: "{}", 1: doc}
    assert last.payloads == {0: b"da0", 1: b"da"}
    assert bed.barriers.read(key, 2).telemetry == {0: "{}", 1: doc}
    plain = bed.barriers.arrive(f"{key}#plain", 0, 1, ShardOutput(payload=b"x"))
    assert plain.telemetry == {}


def test_spans_ride_in_the_arrival_and_the_mark_and_rare_ones_are_notes(bed: Bed) -> None:
    key = f"{_run_id()}#train#0#0#fwd#1"
    bed.barriers.arrive(key, 1, 2, ShardOutput(payload=b"one", span="1.5,1.75,1"))
    bed.barriers.arrive(key, 1, 2, ShardOutput(span="9.0,9.5,2"))  # a duplicate: ignored
    bed.barriers.note(key, {"outcome": "duplicate", "start": 9.0})
    bed.barriers.arrive(key, 0, 2, ShardOutput(payload=b"zero", span="2.0,2.25,1"))
    bed.barriers.note(key, {"outcome": "healed", "delivery": 2})
    absent = f"{key}#absent"
    noted_only = f"{key}#noted"
    bed.barriers.note(noted_only, {"outcome": "failed"})  # before any arrival: creates it
    found = bed.barriers.timelines([key, absent, noted_only, key], 4)
    assert set(found) == {key, noted_only}
    assert found[key].arrivals == {1: "1.5,1.75,1", 0: "2.0,2.25,1"}
    assert found[key].ordinals == {1: 1, 0: 2}  # shard 0 arrived second: it completed
    assert found[key].notes == (
        {"outcome": "duplicate", "start": 9.0},
        {"outcome": "healed", "delivery": 2},
    )
    assert found[noted_only].notes == ({"outcome": "failed"},) and not found[noted_only].arrivals
    assert bed.barriers.arrive(noted_only, 0, 1).claimed  # a note does not claim anything
    assert bed.barriers.read(key, 2).payloads == {1: b"one", 0: b"zero"}


def test_a_barrier_keeps_its_first_notes_and_stays_writable(bed: Bed) -> None:
    """However often a task is redelivered, its notes cannot fill the barrier's item."""
    key = f"{_run_id()}#train#0#0#fwd#1"
    for delivery in range(MAX_BARRIER_NOTES + 5):
        bed.barriers.note(key, {"outcome": "duplicate", "delivery": delivery, "pad": "x" * 300})
    (timeline,) = bed.barriers.timelines([key], 1).values()
    assert [n["delivery"] for n in timeline.notes] == list(range(MAX_BARRIER_NOTES))
    assert bed.barriers.arrive(key, 0, 1, ShardOutput(payload=b"after")).claimed


def test_a_small_parameter_version_rides_in_its_arrival_and_a_duplicate_keeps_it(
    bed: Bed,
) -> None:
    key = f"{_run_id()}#train#0#0#bwd#2"
    assert bed.barriers.shard_params(key, 0) is None  # no item yet
    bed.barriers.arrive(key, 0, 2, ShardOutput(payload=b"da", params=b"npz-0"))
    bed.barriers.arrive(key, 0, 2, ShardOutput(params=b"other"))  # a duplicate
    bed.barriers.arrive(key, 1, 2, ShardOutput(payload=b"da1"))
    assert bed.barriers.shard_params(key, 0) == b"npz-0"
    assert bed.barriers.shard_params(key, 1) is None  # it carried none


def test_timelines_read_more_keys_than_one_batch_holds(bed: Bed) -> None:
    run = _run_id()
    keys = [f"{run}#train#{i}#0#fwd#1" for i in range(130)]
    for i, key in enumerate(keys):
        bed.barriers.arrive(key, 0, 1, ShardOutput(span=f"{i}.0,{i}.5,1"))
    found = bed.barriers.timelines(keys, 1)
    assert [found[k].arrivals[0] for k in keys] == [f"{i}.0,{i}.5,1" for i in range(130)]


def _step(bed: Bed, run: str, step: int, cost: float, message: str, **options: Any) -> Any:
    epochs_done = options.pop("epochs_done", None)
    return bed.ledger.claim_step(run, step, cost, epochs_done=epochs_done, message_id=message)


def test_steps_are_claimed_once_and_healed_by_the_claiming_message(bed: Bed) -> None:
    run = _run_id()
    created, record = bed.ledger.start(run, dataset="toy", epochs=3, message_id="m0")
    assert created and record.status is RunStatus.RUNNING and record.step == 0
    again, found = bed.ledger.start(run, dataset="toy", epochs=3, message_id="m9")
    assert not again and found.start_message == "m0"
    claim = _step(bed, run, 1, 0.5, "m1")
    assert claim is not None and claim.claimed and claim.record.cost_sum == 0.5
    healing = _step(bed, run, 1, 0.5, "m1")  # the claiming message, redelivered
    assert healing is not None and not healing.claimed
    assert _step(bed, run, 1, 0.5, "m2") is None  # a duplicate sent separately
    assert _step(bed, run, 3, 0.1, "m3") is None  # not next
    # A sum whose last bits a decimal rounding would lose reads back bit for bit.
    second = _step(bed, run, 2, 0.1 + 0.2 + 1e-13, "m4", epochs_done=1)
    assert second is not None and second.record.cost_sum == 0.1 + 0.2 + 1e-13
    assert second.record.epoch == 1 and second.record.step_message == "m4"
    whole = _step(bed, run, 3, 3.0, "m5")  # stored as the number 3, read back as a float
    assert whole is not None and whole.record.cost_sum == 3.0
    assert _step(bed, run, 1, 0.5, "m1") is None  # the step has moved on


def test_evaluations_and_the_terminal_transitions(bed: Bed) -> None:
    run = _run_id()
    bed.ledger.start(run, dataset="toy", epochs=3, message_id="m0")
    assert bed.ledger.claim_eval(run, 1, message_id="e1").claimed
    assert not bed.ledger.claim_eval(run, 1, message_id="e1").claimed  # heals
    assert bed.ledger.claim_eval(run, 1, message_id="e2") is None
    assert bed.ledger.claim_eval(run, 0, message_id="e0") is None
    bed.ledger.note_error(run, "ThrottlingError: retried")
    assert bed.ledger.get(run).last_error == "ThrottlingError: retried"
    accuracies = {"train_accuracy": 0.75, "dev_accuracy": None}
    assert bed.ledger.succeed(run, model_key="m.npz", final_cost=0.2, accuracies=accuracies)
    assert not bed.ledger.succeed(run, model_key="m.npz", final_cost=0.2, accuracies={})
    assert not bed.ledger.cancel(run, "late") and not bed.ledger.fail(run, "late")
    record = bed.ledger.get(run)
    assert (record.status, record.model_key, record.train_accuracy, record.last_error) == (
        RunStatus.SUCCEEDED,
        "m.npz",
        0.75,
        None,  # the run recovered from that error
    )
    assert _step(bed, run, 1, 0.1, "m1") is None


def test_stopping_needs_a_running_run_and_reject_records_a_refused_request(bed: Bed) -> None:
    run, absent, refused = _run_id(), _run_id(), _run_id()
    bed.ledger.start(run, dataset="toy", epochs=1)
    assert bed.ledger.cancel(run, "enough") and not bed.ledger.fail(run, "late")
    assert bed.ledger.get(run).reason == "enough"
    assert not bed.ledger.cancel(absent, "x") and not bed.ledger.fail(absent, "x")
    assert _step(bed, absent, 1, 0.1, "m1") is None
    assert bed.ledger.get(absent) is None  # no phantom records
    assert bed.ledger.reject(refused, "too deep") and not bed.ledger.reject(refused, "again")
    record = bed.ledger.get(refused)
    assert (record.status, record.reason, record.dataset) == (RunStatus.FAILED, "too deep", None)


def test_a_request_rejects_only_the_run_it_started(bed: Bed) -> None:
    run = _run_id()
    digest = "ab" * 32
    bed.ledger.start(run, dataset="toy", epochs=1, message_id="m-start", cancel_digest=digest)
    assert not bed.ledger.reject(run, "another request's", message_id="m-other")
    assert not bed.ledger.reject(run, "a request without an id")
    record = bed.ledger.get(run)
    assert (record.status, record.cancel_digest) == (RunStatus.RUNNING, digest)
    assert bed.ledger.reject(run, "its own request", message_id="m-start")
    assert bed.ledger.get(run).reason == "its own request"


def test_history_and_listing(bed: Bed) -> None:
    older, newer = _run_id(), _run_id()
    bed.ledger.start(older, dataset="toy", epochs=2)
    bed.ledger.start(newer, dataset="toy", epochs=2)
    for epoch in (2, 1):
        bed.ledger.put_history(newer, HistoryEntry(epoch=epoch, cost=1.0 / epoch))
    assert [e.epoch for e in bed.ledger.history(newer)] == [1, 2]
    assert [e.epoch for e in bed.ledger.history(newer, after=1)] == [2]
    listed = [record.run_id for record in bed.ledger.runs()]
    assert listed.index(newer) < listed.index(older)


def test_the_bus_routes_tasks_and_events(bed: Bed) -> None:
    run = _run_id()
    task = ForwardTask(run_id=run, epoch=0, batch=0, step=0, phase="eval", layer=1, shard=0)
    bed.bus.send_tasks([task] * 12, "1")  # more than one PublishBatch
    bed.bus.send_tasks([task], "out")
    bed.bus.send_to_trainer(task)
    assert [json.loads(b)["run_id"] for b in bed.received("layer-1")] == [run] * 12
    assert len(bed.received("output")) == 1 and len(bed.received("trainer")) == 1
    ledger_events = bed.events()
    from functions.protocol.trainer import cancel_run

    bed.ledger.start(run, dataset="toy", epochs=1)
    assert cancel_run(bed.ledger, bed.bus, run, "stop")
    events = [json.loads(body) for body in bed.events()]
    assert [(e["event"], e["run_id"]) for e in events] == [("run_cancelled", run)]
    assert ledger_events == []


def test_the_stored_run_item_is_a_run_record(moto_stack: Any) -> None:
    client, _ = moto_stack
    run = _run_id()
    client.ledger.start(run, dataset="toy", epochs=2)
    client.ledger.claim_step(run, 1, 0.5, epochs_done=1, message_id="m1")
    client.ledger.succeed(run, model_key="runs/m.npz", final_cost=0.5, accuracies={})
    raw = client.clients.dynamodb.get_item(TableName=client.outputs.runs_table, Key=run_key(run))
    item = deserialize(raw["Item"])
    record = RunRecord.model_validate(item)
    assert record.stored() == item
    # The document `lnn schema RunRecord` publishes describes the stored item too.
    jsonschema.Draft202012Validator(message_schema("RunRecord")).validate(item)
