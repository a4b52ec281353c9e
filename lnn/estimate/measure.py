"""The measurement runs of a plan, one after the other on one embedded stack, each traced
(its AWS calls and its handlers' invocations) and tallied."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from threadpoolctl import threadpool_limits

from infra.local.api_trace import ApiCallRecorder
from lnn.engines.stack import EmbeddedSession, embedded_stack, run_embedded
from lnn.estimate.compute import Samples
from lnn.estimate.dynamodb import DynamoItems
from lnn.estimate.invocations import timed_handlers
from lnn.estimate.plan import MeasurementRun, Plan
from lnn.estimate.pricebook import PriceBook
from lnn.estimate.tally import Tally
from lnn.estimate.trace import Network, RunTrace, tally_run
from lnn.prepare import PreparedData
from messages.status import RunStatus


class MeasurementFailedError(RuntimeError):
    """A measurement run did not succeed, so it measured nothing that can be projected."""


@dataclass(frozen=True)
class Measured:
    run: MeasurementRun
    tally: Tally
    samples: Samples  # compute of each kind of invocation and path share
    seconds: float  # wall time of the embedded run, from its start to its end
    engine_hops: int | None  # the hops the engine itself counts for the run (a cross-check)


def _network_of(session: EmbeddedSession) -> Network:
    """The served queues (as the runner found them) and the topics subscribed to them."""
    mappings = session.runner.refresh()
    arns = {m.queue_arn for m in mappings}
    sns = session.client.clients.sns
    topics = {
        sub["TopicArn"]
        for page in sns.get_paginator("list_subscriptions").paginate()
        for sub in page["Subscriptions"]
        if sub.get("Endpoint") in arns
    }
    return Network(frozenset(m.queue_url for m in mappings), frozenset(topics))


def _table_keys(session: EmbeddedSession) -> dict[str, tuple[str, ...]]:
    outputs, dynamodb = session.client.outputs, session.client.clients.dynamodb
    keys = {}
    for table in (outputs.runs_table, outputs.barriers_table):
        schema = dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]
        keys[table] = tuple(k["AttributeName"] for k in schema)
    return keys


def _measure_run(
    session: EmbeddedSession,
    run: MeasurementRun,
    data: PreparedData,
    network: Network,
    book: PriceBook,
    keys: dict[str, tuple[str, ...]],
) -> Measured:
    handlers = {m.handler for m in session.runner.mappings}
    recorder = ApiCallRecorder()
    with timed_handlers(handlers) as invocations:
        result = run_embedded(session, run.config, data, observe=recorder)
    if result.status != RunStatus.SUCCEEDED:
        raise MeasurementFailedError(
            f"measurement run {run.label} ended {result.status}: {result.reason}"
        )
    trace = RunTrace.of(recorder.operations, invocations)
    tally, samples = tally_run(trace, network, book, DynamoItems(book.units, keys))
    hops = result.extra.get("hops")
    engine_hops = hops if isinstance(hops, int) else None
    return Measured(run, tally, samples, recorder.seconds, engine_hops)


def measure_plans(
    plans: Sequence[Plan],
    data: PreparedData,
    book: PriceBook,
    *,
    stack: str = "lnn",
    on_run: Callable[[str], None] | None = None,
    shapes: Sequence[int] | None = None,
) -> list[dict[str, Measured]]:
    """Every run of each plan on one embedded stack, by label, after one unmeasured warm-up
    run: the first run of a process imports the handlers and fills caches, a cold start
    that would otherwise land in the fixed part and, by difference, lower the step's.
    ``shapes`` numbers each plan's shape in the announcements (from 0; by default each plan
    is one; a shape measured by two plans, with and without batch norm, has one number)."""
    announce = on_run or (lambda _: None)
    found: list[dict[str, Measured]] = []
    # One BLAS thread, as on Lambda: a function below 1,769 MB has less than one vCPU.
    with threadpool_limits(limits=1, user_api="blas"), embedded_stack(stack) as session:
        network, keys = _network_of(session), _table_keys(session)
        warm_up = plans[0].runs[0]
        announce(f"warm-up ({warm_up.label})")
        run_embedded(session, warm_up.config, data)
        numbers = list(range(len(plans))) if shapes is None else list(shapes)
        count = len(set(numbers))
        for number, plan in zip(numbers, plans, strict=True):
            shape = f"shape {number + 1}/{count}: " if count > 1 else ""
            measured = {}
            for run in plan.runs:
                announce(f"{shape}{run.label}")
                measured[run.label] = _measure_run(session, run, data, network, book, keys)
            found.append(measured)
    return found
