"""The estimate's plan, its differencing of measured runs and the critical path it reads from
a trace, on made-up runs whose answers are summed by hand."""

from typing import Any

import pytest

from infra.local.api_trace import ApiOperation
from lnn.estimate.compute import Samples, lambda_kind, path_kind
from lnn.estimate.dynamodb import DynamoItems
from lnn.estimate.invocations import Invocation
from lnn.estimate.measure import Measured
from lnn.estimate.plan import Plan, plan, shape_of
from lnn.estimate.pricebook import load_price_book
from lnn.estimate.projection import parts, run_tally
from lnn.estimate.tally import Tally
from lnn.estimate.trace import Network, RunTrace, stages, tally_run
from messages.train_request import TrainConfig

BOOK = load_price_book()
NETWORK = Network(frozenset({"q1"}), frozenset({"net"}))
LAYERS = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]


def config(**overrides: Any) -> TrainConfig:
    return TrainConfig(**{"dataset": "t", "layers": LAYERS, "epochs": 10, **overrides})


def test_the_plan_measures_the_kinds_of_step_the_run_has() -> None:
    # 10 columns in batches of 4: 3 steps per epoch; 4 steps measured need 2 more epochs.
    every_step = plan(config(batch_size=4, eval_every=2), 10, 4)
    assert every_step.steps_per_epoch == 3 and every_step.extra_steps == 6
    assert every_step.target.steps == 30 and every_step.target.evaluations == 5
    assert every_step.target.telemetry_steps == 30  # auto: every step of a short run
    assert [r.label for r in every_step.runs] == ["short-on", "long-on", "evaluating"]
    assert [r.shape.epochs for r in every_step.runs] == [1, 3, 3]
    assert every_step.run("evaluating").shape.evaluations == 3
    off = plan(config(telemetry_every=0, eval_every=0), 10, 2)
    assert [r.label for r in off.runs] == ["short-off", "long-off"]
    mixed = plan(config(epochs=100, telemetry_every=5), 10, 2)
    assert mixed.target.telemetry_steps == 21  # steps 1, 6, ..., 96 and the last
    assert mixed.target.evaluations == 20  # by default: every 5th epoch
    labels = ["short-off", "long-off", "short-on", "long-on", "evaluating"]
    assert [r.label for r in mixed.runs] == labels
    with pytest.raises(ValueError):
        plan(config(), 10, 0)


def test_parts_found_by_difference_give_back_the_run_they_were_made_of() -> None:
    measurement = plan(config(epochs=100, telemetry_every=5, eval_every=20, batch_size=5), 10, 3)
    assert measurement.steps_per_epoch == 2 and measurement.extra_epochs == 2
    fixed = Tally({"calls": 10.0, "path.p50_low": 1.0})
    with_telemetry = fixed + Tally({"calls": 1.0})
    off, on, evaluation = Tally({"calls": 5.0}), Tally({"calls": 7.0}), Tally({"calls": 3.0})
    measured = {
        "short-off": fixed + off * 2,
        "long-off": fixed + off * 6,
        "short-on": with_telemetry + on * 2,
        "long-on": with_telemetry + on * 6,
        "evaluating": fixed + off * 6 + evaluation * 2,
    }
    found = parts(measurement, as_measured(measurement, measured), BOOK)
    target = measurement.target
    assert (target.steps, target.telemetry_steps, target.evaluations) == (
        200,
        41,
        5,
    )  # steps 1, 6, ..., 196 and 200
    assert found.step["calls"] == pytest.approx((41 * 7 + 159 * 5) / 200)
    assert found.evaluation["calls"] == pytest.approx(3)
    assert found.fixed["calls"] == pytest.approx(11)
    assert run_tally(measurement, found)["calls"] == pytest.approx(11 + 41 * 7 + 159 * 5 + 4 * 3)
    assert run_tally(measurement, found)["path.p50_low"] == pytest.approx(1.0)


def as_measured(
    measurement: Plan, tallies: dict[str, Tally], samples: dict[str, Samples] | None = None
) -> dict[str, Measured]:
    samples = samples or {}
    return {
        r.label: Measured(r, tallies[r.label], samples.get(r.label, Samples()), 1.0, None)
        for r in measurement.runs
    }


def test_a_steps_compute_is_its_kinds_at_their_median_not_the_difference() -> None:
    measurement = plan(config(telemetry_every=0, eval_every=0), 10, 2)  # 1 and 3 steps
    neuron = lambda_kind(1024, "lnn-neuron", ["dynamodb.UpdateItem", "sns.Publish"])
    share = path_kind("p50_low", "lnn-neuron", ["dynamodb.UpdateItem"], publishes=True)
    # Two of each per step and one in the fixed part (loading the data): 1.0 s in the short
    # run, 0.6 s in the long one on a busy machine, so that by difference a step's compute
    # would be (0.66 - 1.02) / 2 s, less than nothing.
    short = Tally({f"n.{neuron}": 3, f"n.{share}": 3, "compute": 1.0 + 0.02})
    long = Tally({f"n.{neuron}": 7, f"n.{share}": 7, "compute": 0.6 + 3 * 0.02})
    samples = {
        "short-off": Samples({neuron: [1.0, 0.01, 0.01], share: [0.9, 0.008, 0.008]}),
        "long-off": Samples({neuron: [0.6] + [0.01] * 6, share: [0.5] + [0.008] * 6}),
    }
    found = parts(
        measurement, as_measured(measurement, {"short-off": short, "long-off": long}, samples), BOOK
    )
    assert found.step["compute"] == pytest.approx(2 * 0.01)
    assert found.step["path.compute.p50_low"] == pytest.approx(2 * 0.008)
    # Messaging and calls come from the counts: here none, so the path is its compute.
    assert found.step["path.p50_low"] == pytest.approx(2 * 0.008)
    # Lambda: 10 ms of compute + an UpdateItem (1 ms) + a publish (40 ms) at p50 low, at 1 GB.
    assert found.step["units.lambda_gb_second.p50_low"] == pytest.approx(2 * 0.051)
    assert found.fixed["compute"] == pytest.approx(1.02 - 0.02)


def test_a_run_shape_counts_steps_evaluations_and_telemetry_steps() -> None:
    shape = shape_of(config(epochs=7, batch_size=0, eval_every=3, telemetry_every=0), 50)
    assert (shape.steps, shape.evaluations, shape.telemetry_steps) == (7, 3, 0)  # epochs 2, 5, 6


def call(service: str, operation: str, started: float, seconds: float, **kw: Any) -> ApiOperation:
    fields: dict[str, Any] = {"params": {}, "response": {}, "error": None, "function": "f"}
    fields.update(thread=1, request_bytes=100, response_bytes=50)
    fields.update(kw)
    return ApiOperation(service, operation, started=started, seconds=seconds, **fields)


def invocation(started: float, seconds: float) -> Invocation:
    return Invocation("f", 1024, 1, started, seconds, records=1)


def two_hop_trace() -> RunTrace:
    publish = {"TopicArn": "net", "Message": "m"}
    operations = [
        call("sns", "Publish", 0.0, 0.01, params=publish, function=None),  # the client's
        call(
            "sqs",
            "ReceiveMessage",
            0.9,
            0.01,
            function=None,
            params={"QueueUrl": "q1"},
            response={"Messages": [{"Body": "m"}]},
        ),
        call("dynamodb", "UpdateItem", 1.1, 0.1, params={"TableName": "b", "Key": {}}),
        call("sns", "Publish", 1.3, 0.05, params=publish),
        call("dynamodb", "UpdateItem", 1.4, 0.05, params={"TableName": "b", "Key": {}}),
        call("sqs", "DeleteMessageBatch", 1.6, 0.01, function=None, params={"QueueUrl": "q1"}),
        call("sqs", "ReceiveMessage", 1.7, 0.01, function=None, params={"QueueUrl": "q1"}),
        call("s3", "PutObject", 2.05, 0.05, params={"Bucket": "x", "Key": "k"}),
        call("dynamodb", "GetItem", 3.0, 0.01, function=None, params={"TableName": "r"}),
    ]
    return RunTrace.of(operations, [invocation(1.0, 0.5), invocation(2.0, 0.2)])


def test_the_critical_path_is_read_from_the_publishes_in_the_trace() -> None:
    trace = two_hop_trace()
    assert [len(trace.calls[i]) for i in (0, 1)] == [3, 1]
    assert [s.publisher for s in stages(trace, NETWORK)] == [0, None]
    tally, samples = tally_run(trace, NETWORK, BOOK, DynamoItems(BOOK.units, {}))
    assert tally["hops"] == 2
    # Hop 1: 40 ms of SNS, then the first invocation until its publish: 0.3 s less its 0.1 s
    # UpdateItem (compute 0.2 s) and that call at DynamoDB's p50 low of 1 ms. Hop 2: 40 ms,
    # then the whole second invocation: 0.15 s of compute and a 20 ms S3 PUT.
    assert tally["path.p50_low"] == pytest.approx(0.040 + 0.2 + 0.001 + 0.040 + 0.15 + 0.020)
    assert tally["path.messaging.p99_high"] == pytest.approx(2 * 0.5)
    assert tally["path.call_count.p50_low"] == 2
    # Lambda: 0.3 s of compute + 2 x 1 ms + a 40 ms publish; 0.15 s + 20 ms; at 1 GB.
    assert tally["units.lambda_gb_second.p50_low"] == pytest.approx(0.342 + 0.170)
    assert tally["units.lambda_request"] == 2
    assert tally["compute"] == pytest.approx(0.3 + 0.15)
    first = lambda_kind(1024, "f", ["dynamodb.UpdateItem", "sns.Publish", "dynamodb.UpdateItem"])
    assert samples.values[first] == [pytest.approx(0.3)] and tally[f"n.{first}"] == 1
    share = path_kind("p99_high", "f", ["dynamodb.UpdateItem"], publishes=True)
    assert samples.values[share] == [pytest.approx(0.2)]


def test_the_bill_counts_the_networks_calls_not_the_clients_nor_idle_polls() -> None:
    tally, _ = tally_run(two_hop_trace(), NETWORK, BOOK, DynamoItems(BOOK.units, {}))
    assert tally.with_prefix("calls.") == {
        "dynamodb.UpdateItem": 2,
        "s3.PutObject": 1,
        "sns.Publish": 1,
        "sqs.DeleteMessageBatch": 1,
        "sqs.ReceiveMessage": 1,
    }
    assert tally["idle_receives"] == 1 and tally["client_calls"] == 2
    assert tally["units.sqs_request"] == 2 and tally["units.sns_request"] == 1
    assert tally["units.dynamodb_write_unit"] == 2 and tally["units.s3_put"] == 1
    assert tally["bytes.request"] == 6 * 100


def test_side_by_side_invocations_of_a_stage_last_as_long_as_the_slowest() -> None:
    publish = {"TopicArn": "net", "Message": "m"}
    trace = RunTrace.of(
        [call("sns", "Publish", 0.0, 0.01, params=publish, function=None)],
        [invocation(1.0, 0.3), invocation(2.0, 0.1)],
    )
    tally, _ = tally_run(trace, NETWORK, BOOK, DynamoItems(BOOK.units, {}))
    assert tally["hops"] == 1
    assert tally["path.p50_high"] == pytest.approx(0.040 + 0.3)


def test_the_start_is_the_first_hop_and_the_upload_is_the_clients_puts() -> None:
    upload = call("s3", "PutObject", -0.5, 0.3, params={"Bucket": "x", "Key": "d"}, function=None)
    trace = two_hop_trace()
    trace = RunTrace.of([upload, *trace.operations], trace.invocations)
    tally, _ = tally_run(trace, NETWORK, BOOK, DynamoItems(BOOK.units, {}))
    # Once a run: the TrainRequest's hop and the trainer's invocation up to its publish.
    assert tally["start.p50_low"] == pytest.approx(0.040 + 0.2 + 0.001)
    assert tally["upload.calls"] == 1 and tally["upload.bytes"] == 100
    assert tally["upload.measured_s"] == pytest.approx(0.3)
    assert tally["units.s3_put"] == 1  # the network's PutObject: the client's is not billed
