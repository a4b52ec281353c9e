"""The recorder's own bookkeeping (its copy of each call, payloads by size) is not the run's:
a handler's compute leaves it out, and so does the floor bench's embedded time."""

from infra.local.api_trace import ApiOperation
from lnn.estimate.invocations import Invocation
from lnn.estimate.trace import RunTrace


def _call(started: float, seconds: float, recorded_s: float) -> ApiOperation:
    return ApiOperation(
        "dynamodb",
        "UpdateItem",
        {"TableName": "b", "Key": {}},
        {},
        None,
        "f",
        thread=1,
        started=started,
        seconds=seconds,
        request_bytes=10,
        response_bytes=10,
        recorded_s=recorded_s,
    )


def test_a_handlers_compute_leaves_out_the_recorders_time() -> None:
    invocation = Invocation("f", 1024, 1, 1.0, 0.5, records=1)
    calls = [_call(1.1, 0.1, 0.02), _call(1.3, 0.05, 0.01)]
    trace = RunTrace.of(calls, [invocation])
    # 0.5 s less the calls' 0.15 s and the recorder's 0.03 s
    assert abs(trace.compute_seconds(0) - 0.32) < 1e-12
    unrecorded = RunTrace.of([_call(1.1, 0.1, 0.0)], [invocation])
    assert abs(unrecorded.compute_seconds(0) - 0.4) < 1e-12


def test_an_operation_without_the_figure_spent_nothing_recording_it() -> None:
    op = ApiOperation("s3", "GetObject", {}, {}, None, None, 1, 0.0, 0.1, 0, 0)
    assert op.recorded_s == 0.0
