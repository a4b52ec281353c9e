"""ApiCallRecorder records each call whole (payloads by size, bytes on the wire, who made
it, errors), and a recorded run of calls replays on a fresh emulator."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from infra.local import ApiCallCounter, EmbeddedStack
from infra.local.api_trace import FUNCTION_NAME_VARIABLE, ApiCallRecorder
from infra.local.sized import PAYLOAD_THRESHOLD, Sized, materialize, shrink
from lnn.bench.floor import replay


@pytest.fixture
def stack() -> Iterator[EmbeddedStack]:
    with EmbeddedStack() as embedded:
        yield embedded


def test_payloads_are_kept_by_size_and_identifiers_verbatim() -> None:
    params = {"Key": "runs/r/x.npy", "Body": b"\1" * 2000, "Entries": [{"Body": "é" * 300}]}
    small = shrink(params)
    assert small["Key"] == "runs/r/x.npy"
    assert small["Body"] == Sized(bytes, 2000)
    assert small["Entries"][0]["Body"] == Sized(str, 600)  # UTF-8 bytes, over the threshold
    again = materialize(small)
    assert again["Body"] == b"\0" * 2000 and again["Entries"][0]["Body"] == "x" * 600
    assert shrink({"a": "x" * (PAYLOAD_THRESHOLD - 1)})["a"] == "x" * (PAYLOAD_THRESHOLD - 1)


def test_records_each_call_with_sizes_caller_and_error(
    stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs, s3 = stack.session.client("sqs"), stack.session.client("s3")
    url = sqs.create_queue(QueueName="traced")["QueueUrl"]
    s3.create_bucket(Bucket="traced-bucket")
    with ApiCallCounter() as counter, ApiCallRecorder() as recorder:
        sqs.send_message(QueueUrl=url, MessageBody="m" * 5000)
        monkeypatch.setenv(FUNCTION_NAME_VARIABLE, "lnn-neuron")
        s3.put_object(Bucket="traced-bucket", Key="k", Body=b"b" * 3000)
        assert s3.get_object(Bucket="traced-bucket", Key="k")["Body"].read() == b"b" * 3000
        monkeypatch.delenv(FUNCTION_NAME_VARIABLE)
        with pytest.raises(s3.exceptions.NoSuchKey):
            s3.get_object(Bucket="traced-bucket", Key="absent")
    send, put, get, missing = recorder.operations
    assert Counter(op.name for op in recorder.operations) == counter.snapshot()
    assert send.params["MessageBody"] == Sized(str, 5000) and send.request_bytes >= 5000
    assert send.function is None and put.function == get.function == "lnn-neuron"
    assert put.request_bytes == 3000 and put.params["Body"] == Sized(bytes, 3000)
    assert get.response_bytes == 3000 and get.response["Body"] == Sized(bytes, 3000)
    assert missing.error == "NoSuchKey" and get.error is None
    assert all(op.seconds > 0 for op in recorder.operations) and recorder.seconds > 0


def test_the_recorders_own_time_is_kept_apart(stack: EmbeddedStack) -> None:
    """Copying each call (payloads by size) is the recorder's time, not the caller's: kept per
    call, and within the time it was entered."""
    sqs = stack.session.client("sqs")
    with ApiCallRecorder() as recorder:
        url = sqs.create_queue(QueueName="own-time")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="m" * 5000)
    assert all(op.recorded_s > 0 for op in recorder.operations)
    assert recorder.own_seconds == sum(op.recorded_s for op in recorder.operations)
    assert 0 < recorder.own_seconds < recorder.seconds


def test_nested_recorders_each_record_their_own_span(stack: EmbeddedStack) -> None:
    sqs = stack.session.client("sqs")
    with ApiCallRecorder() as outer:
        url = sqs.create_queue(QueueName="nested")["QueueUrl"]
        with ApiCallRecorder() as inner:
            sqs.send_message(QueueUrl=url, MessageBody="x")
    assert [op.operation for op in outer.operations] == ["CreateQueue", "SendMessage"]
    assert [op.operation for op in inner.operations] == ["SendMessage"]
    assert inner.operations[0].request_bytes == outer.operations[1].request_bytes > 0


def test_a_recording_replays_on_a_fresh_emulator_with_its_receipt_handles() -> None:
    with EmbeddedStack() as first:
        sqs = first.session.client("sqs")
        url = sqs.create_queue(QueueName="replayed")["QueueUrl"]
        with ApiCallRecorder() as recorder:
            sqs.send_message(QueueUrl=url, MessageBody="y" * 4000)
            handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
            sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "0", "ReceiptHandle": handle}])
            assert "Messages" not in sqs.receive_message(QueueUrl=url)
    with EmbeddedStack() as fresh:
        fresh.session.client("sqs").create_queue(QueueName="replayed")
        result = replay(recorder.operations, fresh.session)
        assert (result.calls, result.mismatches) == (4, 0)
        left = fresh.session.client("sqs").get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        assert left["Attributes"]["ApproximateNumberOfMessages"] == "0"  # the delete matched
