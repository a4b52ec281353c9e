"""One embedded run's recorded calls and timed invocations turned into its tally: the calls
and bytes the network made, what AWS would bill for them, and its critical path.

The critical path is found in the trace, not assumed: a hop is a message that starts the
next stage, i.e. a publish to a topic that feeds a served queue (or a send to one). The
invocations after one such publish, up to and including the one that makes the next, are
that hop's stage; on AWS they run side by side, so the stage lasts the messaging latency
plus its slowest invocation up to its publish.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from infra.local.api_trace import ApiOperation
from lnn.estimate.billing import units_of
from lnn.estimate.compute import (
    Samples,
    calls_latency,
    gb_seconds,
    lambda_kind,
    path_kind,
    record,
)
from lnn.estimate.dynamodb import DynamoItems
from lnn.estimate.invocations import Invocation
from lnn.estimate.pricebook import BANDS, PriceBook
from lnn.estimate.tally import Tally

_PUBLISH = frozenset({"Publish", "PublishBatch"})
_SEND = frozenset({"SendMessage", "SendMessageBatch"})
# The client's calls that put the training data in S3 before the TrainRequest.
_UPLOAD = frozenset({"PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"})


@dataclass(frozen=True)
class Network:
    """The stack's queues that functions consume and the topics delivering to them."""

    queue_urls: frozenset[str]
    topic_arns: frozenset[str]

    def hop_kind(self, op: ApiOperation) -> str | None:
        """ "sns" or "sqs" when ``op`` hands messages to a served function, else None."""
        if op.error is not None:
            return None
        if op.service == "sns" and op.operation in _PUBLISH:
            return "sns" if op.params.get("TopicArn") in self.topic_arns else None
        if op.service == "sqs" and op.operation in _SEND:
            return "sqs" if op.params.get("QueueUrl") in self.queue_urls else None
        return None

    def polls(self, op: ApiOperation) -> bool:
        """A call of the Lambda poller (the runner) on a served queue."""
        served = op.params.get("QueueUrl") in self.queue_urls
        return op.function is None and op.service == "sqs" and served


@dataclass(frozen=True)
class Stage:
    kind: str  # what carried the hop into it: sns or sqs
    consumers: tuple[int, ...]  # indices into the run's invocations
    publisher: int | None  # the consumer that started the next stage (None: the last)


@dataclass(frozen=True)
class RunTrace:
    operations: list[ApiOperation]  # in the order they started
    invocations: list[Invocation]  # in the order they started
    calls: dict[int, list[ApiOperation]]  # each invocation's own calls
    outside: list[ApiOperation]  # calls made outside any handler (poller, client)

    @classmethod
    def of(cls, operations: Sequence[ApiOperation], invocations: Sequence[Invocation]) -> RunTrace:
        ops = sorted(operations, key=lambda o: o.started)
        invs = sorted(invocations, key=lambda i: i.started)
        by_thread: dict[int, list[int]] = defaultdict(list)
        for index, inv in enumerate(invs):
            by_thread[inv.thread].append(index)
        starts = {t: [invs[i].started for i in idx] for t, idx in by_thread.items()}
        calls: dict[int, list[ApiOperation]] = defaultdict(list)
        outside: list[ApiOperation] = []
        for op in ops:
            position = bisect.bisect_right(starts.get(op.thread, []), op.started) - 1
            index = by_thread[op.thread][position] if position >= 0 else None
            if index is not None and op.started <= invs[index].ended:
                calls[index].append(op)
            else:
                outside.append(op)
        return cls(ops, invs, dict(calls), outside)

    def compute_seconds(self, index: int, before: float | None = None) -> float:
        """Time the invocation spent outside its AWS calls (up to ``before``), and outside the
        recorder's own bookkeeping of them."""
        inv = self.invocations[index]
        end = inv.ended if before is None else before
        calls = [op for op in self.calls.get(index, []) if op.started < end]
        waited = sum(op.seconds + op.recorded_s for op in calls)
        return max(0.0, end - inv.started - waited)


def stages(trace: RunTrace, network: Network) -> list[Stage]:
    first = next((network.hop_kind(op) for op in trace.outside if network.hop_kind(op)), None)
    if first is None:
        raise ValueError("the trace holds no publish that started the run")
    found: list[Stage] = []
    kind, consumers = first, []
    for index in range(len(trace.invocations)):
        consumers.append(index)
        hops = [k for op in trace.calls.get(index, []) if (k := network.hop_kind(op))]
        if hops:
            found.append(Stage(kind, tuple(consumers), index))
            kind, consumers = hops[0], []
    if consumers:
        found.append(Stage(kind, tuple(consumers), None))
    return found


@dataclass(frozen=True)
class PathPart:
    compute: float
    calls: float  # the latency of the AWS calls on the way
    calls_made: tuple[str, ...]  # their names

    @property
    def seconds(self) -> float:
        return self.compute + self.calls


def _path_part(
    trace: RunTrace, network: Network, book: PriceBook, index: int, band: str, *, publishes: bool
) -> PathPart:
    """An invocation's share of its stage: all of it, or for the publisher up to its first
    publish of the next stage (what follows runs beside the next stage)."""
    ops = trace.calls.get(index, [])
    cut = next((op.started for op in ops if network.hop_kind(op)), None) if publishes else None
    before = [op for op in ops if cut is None or op.started < cut]
    names = tuple(op.name for op in before)
    return PathPart(trace.compute_seconds(index, cut), calls_latency(names, band, book), names)


def _critical_path(
    trace: RunTrace,
    network: Network,
    book: PriceBook,
    values: dict[str, float],
    samples: dict[str, list[float]],
) -> None:
    found = stages(trace, network)
    values["hops"] = float(len(found))
    for band in BANDS:
        for number, stage in enumerate(found):
            shares = [
                (i, _path_part(trace, network, book, i, band, publishes=i == stage.publisher))
                for i in stage.consumers
            ]
            index, slowest = max(shares, key=lambda share: share[1].seconds)
            messaging = book.hop[stage.kind].seconds[band]
            values[f"path.{band}"] += messaging + slowest.seconds
            if number == 0:  # the TrainRequest's hop and the trainer's start: once a run
                values[f"start.{band}"] = messaging + slowest.seconds
            values[f"path.messaging.{band}"] += messaging
            values[f"path.calls.{band}"] += slowest.calls
            values[f"path.compute.{band}"] += slowest.compute
            values[f"path.call_count.{band}"] += len(slowest.calls_made)
            kind = path_kind(
                band,
                trace.invocations[index].function,
                slowest.calls_made,
                publishes=index == stage.publisher,
            )
            record(values, samples, kind, slowest.compute)


def _lambda_units(
    trace: RunTrace, book: PriceBook, values: dict[str, float], samples: dict[str, list[float]]
) -> None:
    """Requests and GB-seconds: each invocation's compute plus its calls at AWS's latency."""
    values["units.lambda_request"] = float(len(trace.invocations))
    for index, inv in enumerate(trace.invocations):
        calls = [op.name for op in trace.calls.get(index, [])]
        compute = trace.compute_seconds(index)
        values["compute"] += compute
        record(values, samples, lambda_kind(inv.memory_mb, inv.function, calls), compute)
        for band in BANDS:
            seconds = compute + calls_latency(calls, band, book)
            values[f"units.lambda_gb_second.{band}"] += gb_seconds(inv.memory_mb, seconds, book)


def tally_run(
    trace: RunTrace, network: Network, book: PriceBook, items: DynamoItems
) -> tuple[Tally, Samples]:
    """The run's tally, and the compute of each kind of invocation and path share in it."""
    values: dict[str, float] = defaultdict(float)
    samples: dict[str, list[float]] = defaultdict(list)
    in_handlers = {id(op) for ops in trace.calls.values() for op in ops}
    for op in trace.operations:  # in order: DynamoDB's item sizes build up as they happened
        units = units_of(op, book.units, items)
        idle = op.operation == "ReceiveMessage" and not op.response.get("Messages")
        if id(op) in in_handlers or op.function is not None or network.polls(op):
            if network.polls(op) and idle:
                values["idle_receives"] += 1
                continue
            values["calls"] += 1
            values[f"calls.{op.name}"] += 1
            values["bytes.request"] += op.request_bytes
            values["bytes.response"] += op.response_bytes
            if units is None:
                values[f"unpriced.{op.name}"] += 1
            for name, count in (units or {}).items():
                values[f"units.{name}"] += count
        else:
            values["client_calls"] += 1
            if op.service == "s3" and op.operation in _UPLOAD:
                values["upload.calls"] += 1
                values["upload.bytes"] += op.request_bytes
                values["upload.measured_s"] += op.seconds
    values["invocations"] = float(len(trace.invocations))
    values["shard_tasks"] = float(sum(inv.records for inv in trace.invocations))
    _lambda_units(trace, book, values, samples)
    _critical_path(trace, network, book, values, samples)
    return Tally(dict(values)), Samples(dict(samples))
