"""The message-passing engines: the embedded stack (moto + the local Lambda runner, in this
process) and a deployed stack at an endpoint (LocalStack, `lnn up`, AWS)."""

import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from functions.aws.clients import reset_clients
from functions.protocol import loss_in_output_shard, pass_stages, reset_services
from functions.protocol.uploads import sizes_of
from functions.training.layout import data_layout
from functions.training.schedule import eval_epochs
from infra.bundle import build_source_bundle
from infra.local import ApiCallCounter, EmbeddedStack, LambdaRunner
from infra.local.chaos import ChaosSpec
from infra.local.stats import RunnerStats
from infra.stack import build_stack, deploy_stack, resolve_names
from infra.stack.aws import CLIENT_LIMITS, Clients, make_session
from lnn.client import RunStalledError, StackClient, never_started_reason
from lnn.engines.base import StopCheck, TrainingResult
from lnn.engines.results import fetch_result, interrupted, stalled
from lnn.prepare import PreparedData, sources
from messages.function_sizes import DEFAULT_FUNCTION_SIZES, FunctionSizes
from messages.status import STALL_AFTER_S, HistoryEntry, RunRecord
from messages.train_request import TrainConfig

EpochCallback = Callable[[HistoryEntry], None]


class StackObserver(Protocol):
    """Someone following the run from the waiting loop (the watch page): called with each
    record the loop reads, in its thread, with its client; its own calls count as the
    client's. ``calls`` gives the embedded engine's AWS calls per hop so far; ``history`` the
    entries the loop has just read itself (None when it read none), so they are read once."""

    def poll(
        self,
        client: StackClient,
        run_id: str,
        record: RunRecord | None,
        calls: Callable[[], dict[str, Any]] | None = None,
        *,
        history: Sequence[HistoryEntry] | None = None,
    ) -> None: ...


_STATUS_POLL_S = 0.25  # with a progress bar to feed
_QUIET_POLL_S = 1.0  # without one: fewer GetItems, at most a second late
TIMEOUT_S = 24 * 3600.0


class EmbeddedSession(NamedTuple):
    client: StackClient
    runner: LambdaRunner


class _Follower:
    """Reports new epochs and answers "is the run over?" without polling DynamoDB per hop.

    It looks at the run every poll interval, and at once when the runner has gone quiet
    after delivering something since the last look: a run that just ended is seen
    without waiting out the interval (in-process, nothing else is in flight then).
    """

    def __init__(
        self,
        client: StackClient,
        run_id: str,
        on_epoch: EpochCallback | None,
        calls: ApiCallCounter,
        stall_after: float,
        runner: LambdaRunner,
        observer: StackObserver | None = None,
        critical_path: Callable[[], dict[str, Any]] | None = None,
        stop: StopCheck | None = None,
    ) -> None:
        self.client, self.run_id, self.on_epoch, self.calls = client, run_id, on_epoch, calls
        self.stop = stop
        self.stall_after = stall_after
        self.runner = runner
        self.observer, self.critical_path = observer, critical_path
        self.seen = 0
        self.records_seen = 0
        self.next_check = 0.0
        self.record: RunRecord | None = None
        # Made right after the run was submitted: a run without a record stall_after s
        # later never started (its request dead-lettered, say), and waiting stops.
        self.submitted = time.monotonic()
        self.never_started = False

    def done(self) -> bool:
        # Once the run has a record it can be cancelled; before, the wait goes on (bounded
        # by stall_after) so that a run starting late is not left running.
        if self.stop is not None and self.record is not None and self.stop():
            return True
        records = self.runner.stats.records
        went_quiet = self.runner.idle and records != self.records_seen
        if time.monotonic() < self.next_check and not went_quiet:
            return False
        self.records_seen = records
        pause = _STATUS_POLL_S if self.on_epoch is not None else _QUIET_POLL_S
        self.next_check = time.monotonic() + pause
        with self.calls:
            return self._check()

    def _check(self) -> bool:
        self.record = self.client.record(self.run_id)
        completed = self.record.epoch if self.record else 0
        read: list[HistoryEntry] | None = None
        if self.on_epoch is not None and completed > self.seen:
            read = self.client.history(self.run_id, after=self.seen)
            for entry in read:
                if entry.epoch > self.seen:
                    self.seen = entry.epoch
                    self.on_epoch(entry)
        if self.observer is not None:
            self.observer.poll(
                self.client, self.run_id, self.record, self.critical_path, history=read
            )
        if self.record is None:
            self.never_started = time.monotonic() - self.submitted > self.stall_after
            return self.never_started
        return self.record.status.is_terminal or self.record.stalled(self.stall_after)


def _critical_path(
    api_calls: dict[str, int], client_calls: dict[str, int], runner: LambdaRunner
) -> dict[str, float | int]:
    """AWS calls the network itself made, per shard task (a task message = a shard's hop).

    Left out: this side's calls (upload, TrainRequest, status polls) and the runner's empty
    receives, which belong to no hop; receives and deletes count once per batch.
    """
    network = Counter(api_calls)
    network.subtract(client_calls)
    network["sqs.ReceiveMessage"] -= runner.stats.empty_receives
    calls = sum(network.values())
    tasks = runner.stats.records
    return {
        "calls": calls,
        "shard_tasks": tasks,
        "calls_per_shard_hop": round(calls / tasks, 3) if tasks else None,
        "idle_receives": runner.stats.empty_receives,
        "client_calls": sum(client_calls.values()),
    }


def _injected(runner: LambdaRunner) -> dict[str, int]:
    """The faults the runner injected, by kind, and the process deaths they caused."""
    deaths = sum(f.process_deaths for f in runner.stats.functions.values())
    return {**dict(sorted(runner.chaos.injected.items())), "process_deaths": deaths}


def _timeouts_exceeded(runner: LambdaRunner) -> dict[str, int]:
    """Invocations that ran past their function's deployed timeout, by function: the runner
    cannot stop a thread, so it counts what Lambda would have killed."""
    return {
        name: stats.timeouts_exceeded
        for name, stats in sorted(runner.stats.functions.items())
        if stats.timeouts_exceeded
    }


def _hops(config: TrainConfig, record: RunRecord, eval_passes: int) -> int:
    """Messages on the run's critical path: the TrainRequest; per step, one per barrier the
    step claims (functions/protocol/telemetry.py); per evaluation, the barriers of each of
    its ``eval_passes`` passes (the invocation completing the last one closes it).
    Duplicates and retries are off that path."""
    depth, folded = len(config.layers), loss_in_output_shard(config)
    per_step = len(pass_stages(depth, folded, "train"))
    per_eval = len(pass_stages(depth, folded, "eval")) * eval_passes
    evals = sum(1 for e in eval_epochs(config.epochs, config.eval_every) if e <= record.eval_epoch)
    return 1 + record.step * per_step + evals * per_eval


def _eval_passes(config: TrainConfig, data: PreparedData) -> int:
    """The passes of each of the run's evaluations, from the sizes of its splits."""
    layout = data_layout(config, sizes_of(sources(data, config)), int(data.x.shape[0]))
    return len(layout.eval_passes)


@contextmanager
def embedded_stack(
    stack: str = "lnn",
    *,
    chaos: ChaosSpec | None = None,
    endpoint_url: str | None = None,
    max_depth: int = 8,
    sizes: FunctionSizes = DEFAULT_FUNCTION_SIZES,
) -> Iterator[EmbeddedSession]:
    """Deploy the stack and give its client and a Lambda runner in this process.

    Without `endpoint_url` the stack goes into an in-process moto and the runner serves
    its (enabled) mappings. With it, the stack is deployed at that API for a local runner
    (mappings disabled, so that the API's own poller leaves the queues alone; functions
    it cannot run are no error: LocalStack without Docker) and the runner serves the
    disabled mappings. The stack is left deployed there: use a fresh `stack` name per use.
    Its functions get `sizes` (by default what `lnn deploy` deploys), and the runner holds
    each invocation to its function's timeout as Lambda does.
    """
    local_runner = endpoint_url is not None
    reset_clients()
    reset_services()
    try:
        with ExitStack() as resources:
            if local_runner:
                session = make_session(endpoint_url=endpoint_url)
            else:
                session = resources.enter_context(EmbeddedStack()).session
            tmp = resources.enter_context(tempfile.TemporaryDirectory())
            bundle = build_source_bundle(Path(tmp) / "lnn-source.zip").read_bytes()
            names = resolve_names(
                session, stack=stack, max_depth=max_depth, endpoint_url=endpoint_url
            )
            spec = build_stack(names, sizes=sizes, mappings_enabled=not local_runner)
            outputs = deploy_stack(spec, session=session, bundle=bundle, endpoint_url=endpoint_url)
            # The deploy's outputs are what a lookup would find (some 45 calls more).
            client = StackClient(outputs, Clients.create(session, endpoint_url))
            # Deployed once, above: the runner need not re-read the mappings.
            runner = LambdaRunner(
                session,
                endpoint_url,
                chaos=chaos,
                retry_delay=0,
                refresh_interval=float("inf"),
                serve="Disabled" if local_runner else "Enabled",
                functions=[fn.name for fn in spec.functions],
            )
            with runner:
                yield EmbeddedSession(client, runner)
    finally:
        reset_clients()
        reset_services()
    reset_services()


def _embedded(
    config: TrainConfig,
    data: PreparedData,
    *,
    stack: str,
    chaos: ChaosSpec | None,
    on_epoch: EpochCallback | None,
    stall_after: float,
    endpoint_url: str | None = None,
    max_depth: int = 8,
    observer: StackObserver | None = None,
    stop: StopCheck | None = None,
) -> TrainingResult:
    # The embedded engine deploys its own stack: deep enough for the network it trains.
    depth = max(max_depth, config.depth)
    served = embedded_stack(stack, chaos=chaos, endpoint_url=endpoint_url, max_depth=depth)
    with served as session:
        return run_embedded(
            session,
            config,
            data,
            on_epoch=on_epoch,
            stall_after=stall_after,
            observer=observer,
            stop=stop,
        )


def run_embedded(
    session: EmbeddedSession,
    config: TrainConfig,
    data: PreparedData,
    *,
    on_epoch: EpochCallback | None = None,
    stall_after: float = STALL_AFTER_S,
    observe: AbstractContextManager[object] | None = None,
    observer: StackObserver | None = None,
    stop: StopCheck | None = None,
) -> TrainingResult:
    """One run on a stack from `embedded_stack` (which may serve several, one after the
    other). `observe` is entered from the run's start until it ends (e.g. to trace its
    calls), without the runner's discovery before and the download of the results after;
    `observer` is polled while it runs (the live page); once `stop` says so the run is
    cancelled and what it trained is returned (CANCELLED)."""
    client, runner = session
    passes = _eval_passes(config, data)
    runner.stats = RunnerStats()  # this run's own deliveries and idle polls
    with ApiCallCounter() as counter:
        runner.refresh()
        counter.reset()  # count the run, not the deploy and the runner's discovery
        client_counter = ApiCallCounter()
        with observe or nullcontext():
            submitting = time.time()
            with client_counter:
                run_id = client.start(config, data).run_id
            submitted = time.time()

            def calls_so_far() -> dict[str, Any]:
                record = follower.record
                hops = {"hops": _hops(config, record, passes)} if record is not None else {}
                network = _critical_path(counter.snapshot(), client_counter.snapshot(), runner)
                return {**hops, **network}

            follower = _Follower(
                client,
                run_id,
                on_epoch,
                client_counter,
                stall_after,
                runner,
                observer,
                calls_so_far,
                stop,
            )
            runner.run_until(follower.done, timeout=TIMEOUT_S)
            ended = time.time()
        api_calls = counter.snapshot()
        record = follower.record
        extra = {
            "api_calls": api_calls,
            "hops": 0 if record is None else _hops(config, record, passes),
            "critical_path": _critical_path(api_calls, client_counter.snapshot(), runner),
            "chaos": _injected(runner),
            "timeouts_exceeded": _timeouts_exceeded(runner),
            # Unix seconds, the clock of the handlers' spans: the upload is submitting to
            # submitted, the trainer's start from then to the first step's first span.
            "timeline": {"submitting": submitting, "submitted": submitted, "ended": ended},
        }
        if record is None:  # the follower gave up on a run that never got a record
            reason = never_started_reason(run_id, stall_after)
            return stalled(client, run_id, RunStalledError(reason), extra)
        if record.stalled(stall_after):
            gave_up = RunStalledError(record.stalled_reason(stall_after), record)
            return stalled(client, run_id, gave_up, extra)
        if not record.status.is_terminal:  # the follower stopped for ``stop``

            def deliver(done: Callable[[], bool], within: float) -> bool:
                return runner.run_until(done, timeout=within)

            return interrupted(client, run_id, extra, settle=deliver, stall_after=stall_after)
        return fetch_result(client, run_id, record, extra)


def _endpoint(
    config: TrainConfig,
    data: PreparedData,
    *,
    stack: str,
    on_epoch: EpochCallback | None,
    endpoint_url: str | None,
    stall_after: float,
    observer: StackObserver | None = None,
    stop: StopCheck | None = None,
) -> TrainingResult:
    # The user's side of a stack it does not serve: calls give up on a silent API.
    session = make_session(endpoint_url=endpoint_url, limits=CLIENT_LIMITS)
    client = StackClient.connect(stack=stack, session=session, endpoint_url=endpoint_url)
    run_id = client.start(config, data).run_id

    def observe(record: RunRecord | None, history: list[HistoryEntry]) -> None:
        if observer is not None:  # the entries the wait read, handed over to be read once
            observer.poll(client, run_id, record, history=history)

    try:
        record = client.wait(
            run_id,
            timeout=TIMEOUT_S,
            poll=1.0,
            on_epoch=on_epoch,
            stall_after=stall_after,
            on_poll=None if observer is None else observe,
            stop=stop,
        )
    except RunStalledError as gave_up:
        return stalled(client, run_id, gave_up, {})
    if not record.status.is_terminal:  # the wait stopped for ``stop``
        return interrupted(client, run_id, stall_after=stall_after)
    return fetch_result(client, run_id, record)


def train_on_stack(
    config: TrainConfig,
    data: PreparedData,
    *,
    engine: str = "embedded",
    stack: str = "lnn",
    chaos: ChaosSpec | None = None,
    endpoint_url: str | None = None,
    on_epoch: EpochCallback | None = None,
    stall_after: float = STALL_AFTER_S,
    max_depth: int = 8,
    observer: StackObserver | None = None,
    stop: StopCheck | None = None,
) -> TrainingResult:
    """Train on the embedded engine (the Lambda runner in this process: against an
    in-process moto, or, with `endpoint_url`, against that API, the stack deployed there
    for it at `max_depth`) or on the stack deployed at an endpoint (`engine="endpoint"`,
    served by whoever serves it). A run that makes no progress for ``stall_after`` seconds
    is reported STALLED (it keeps its record, RUNNING). ``observer`` follows the run from
    the waiting loop (the watch page). ``stop`` is asked as the run goes: once it says so,
    the run is cancelled on the stack and what it trained is returned, CANCELLED."""
    if engine == "embedded":
        return _embedded(
            config,
            data,
            stack=stack,
            chaos=chaos,
            on_epoch=on_epoch,
            stall_after=stall_after,
            endpoint_url=endpoint_url,
            max_depth=max_depth,
            observer=observer,
            stop=stop,
        )
    return _endpoint(
        config,
        data,
        stack=stack,
        on_epoch=on_epoch,
        endpoint_url=endpoint_url,
        stall_after=stall_after,
        observer=observer,
        stop=stop,
    )
