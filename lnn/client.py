"""StackClient: the user's side of a deployed stack (upload, submit, watch, cancel, download)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import uuid4

from functions.aws import DynamoBarriers, DynamoRunLedger, S3BlobStore, SnsBus
from functions.protocol import (
    ArrayStore,
    LruCache,
    cancel_run,
    find_plan,
    nbytes,
    read_spans,
    read_telemetry,
    upload_batches,
)
from functions.telemetry import TelemetryRecord
from functions.telemetry.spans import Span
from functions.training.capacity import capacity_refusal, request_refusal
from functions.training.split import SplitSource
from infra.stack import StackNotDeployedError, StackOutputs, find_stack
from infra.stack.aws import AWS_ERRORS, CLIENT_LIMITS, Clients, Session, make_session, unanswered
from lnn.runs.types import MODEL_FILE
from messages.base import RUN_ID_PATTERN
from messages.status import STALL_AFTER_S, HistoryEntry, RunRecord
from messages.train_request import BatchedData, TrainConfig, TrainRequest

if TYPE_CHECKING:
    from lnn.prepare import PreparedData

__all__ = [
    "STALLED",
    "InvalidRunIdError",
    "RunExistsError",
    "RunNotFoundError",
    "RunStalledError",
    "StackCapacityError",
    "StackClient",
    "StackClientError",
    "StackDepthError",
    "StackUnreachableError",
    "never_started_reason",
    "no_answer",
]

# Not a stored status: a waiter's verdict on a RUNNING run that stopped moving, or on a
# submitted run that never got a record.
STALLED = "STALLED"
# Downloads of one command: small, since a client reads each object about once.
_CLIENT_CACHE_BYTES = 64 * 1024 * 1024


class StackClientError(RuntimeError):
    """The stack did not hold what the request needs (no model yet, for instance)."""


class RunNotFoundError(StackClientError, ValueError):
    """No run with that id in the stack's run table."""


class InvalidRunIdError(StackClientError, ValueError):
    """A run id that cannot name S3 keys and table items."""


class RunStalledError(TimeoutError):
    """A RUNNING run made no progress for longer than the stall limit, or a submitted run
    got no record within it: waiting stops (not a usage error: the request was fine, the
    stack is not serving it). ``record`` is the run's last record, None if it never had one."""

    def __init__(self, reason: str, record: RunRecord | None = None) -> None:
        super().__init__(reason)
        self.record = record


class StackUnreachableError(RuntimeError):
    """The stack's API did not answer (refused, closed, or silent past the client's timeouts):
    not the user's input, so exit 1 rather than 2; a run it was serving may still be going."""


def never_started_reason(run_id: str, after_s: float) -> str:
    return (
        f"run {run_id} never started: no record after {after_s:g} s; is the stack served "
        "(`lnn up`, or its functions deployed)? A request its trainer could not take ends "
        "in the trainer's dead-letter queue"
    )


def no_answer(exc: BaseException) -> StackUnreachableError | None:
    """``exc`` as one line when it means the API did not answer at all (botocore's connection
    errors, also wrapped in another error), else None."""
    if isinstance(exc, StackUnreachableError):
        return exc
    lost = unanswered(exc)
    if lost is None:
        return None
    return StackUnreachableError(
        f"the AWS API did not answer: {' '.join(str(lost).split())}; is its server "
        "(`lnn up`, LocalStack) running, and not stopped?"
    )


class RunExistsError(StackClientError, ValueError):
    """The run id names a run the stack has already: a request for it would be refused."""


class StackDepthError(StackClientError, ValueError):
    """The network has more layers than the stack was deployed for."""


class StackCapacityError(StackClientError, ValueError):
    """A step of the run would hold more than the stack's functions were deployed with."""


def _describe_endpoint(endpoint_url: str | None) -> str:
    return endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or "AWS"


class StackClient:
    """Adapters bound to one deployed stack; build it with `StackClient.connect`."""

    def __init__(self, outputs: StackOutputs, clients: Clients) -> None:
        self.outputs = outputs
        self.clients = clients
        blobs = S3BlobStore(outputs.bucket, s3=clients.s3)
        self.store = ArrayStore(blobs, LruCache(_CLIENT_CACHE_BYTES, nbytes))
        self.ledger = DynamoRunLedger(outputs.runs_table, dynamodb=clients.dynamodb)
        self.barriers = DynamoBarriers(outputs.barriers_table, dynamodb=clients.dynamodb)
        self.bus = SnsBus(
            network_topic_arn=outputs.network_topic_arn,
            train_topic_arn=outputs.train_topic_arn,
            events_topic_arn=outputs.events_topic_arn,
            sns=clients.sns,
        )

    @classmethod
    def connect(
        cls,
        *,
        stack: str = "lnn",
        session: Session | None = None,
        endpoint_url: str | None = None,
    ) -> StackClient:
        """Find stack `stack`; StackNotDeployedError (one line) when it is absent. Without a
        `session`, one whose calls give up on a silent API after CLIENT_LIMITS."""
        session = session or make_session(endpoint_url=endpoint_url, limits=CLIENT_LIMITS)
        outputs = find_stack(session, stack=stack, endpoint_url=endpoint_url)
        if outputs is None:
            raise StackNotDeployedError(
                f"stack {stack} is not deployed at {_describe_endpoint(endpoint_url)} "
                f"(region {session.region_name}); run `lnn deploy --stack {stack}` first"
            )
        return cls(outputs, Clients.create(session, endpoint_url))

    def upload(
        self, run_id: str, sources: dict[str, SplitSource], config: TrainConfig
    ) -> BatchedData:
        """``sources`` (split as the run splits: functions/training/split.py split_sources)
        written as the run's stored batches under its upload prefix: the trainer then reads
        no data, and each step reads one batch."""
        return upload_batches(self.store.blobs, run_id, sources, config)

    def check_depth(self, config: TrainConfig) -> None:
        """StackDepthError when the network is deeper than the stack's layer queues."""
        if config.depth > self.outputs.max_depth:
            raise StackDepthError(
                f"the network has {config.depth} layers but stack {self.outputs.stack} was "
                f"deployed for at most {self.outputs.max_depth}; redeploy it deeper: "
                f"lnn deploy --stack {self.outputs.stack} --max-depth {config.depth}"
            )

    def _check_capacity(self, reason: str | None) -> None:
        """StackCapacityError when the stack's functions could not hold what the run asks
        of them (functions/training/capacity.py): the trainer would refuse the request."""
        if reason is not None:
            raise StackCapacityError(f"stack {self.outputs.stack}: {reason}")

    def submit(self, request: TrainRequest) -> str:
        """Publish `request` to the train topic; returns its run id. RunExistsError if the
        stack has a run of that id: the trainer would refuse the request, leaving that run
        alone, and this is the answer its sender gets at once."""
        self.check_depth(request)
        self._check_capacity(request_refusal(request, self.outputs.function_sizes))
        self._check_new(request.run_id)
        self.bus.send_to_trainer(request)
        return request.run_id

    def _check_new(self, run_id: str) -> None:
        found = self.record(run_id)
        if found is not None:
            raise RunExistsError(
                f"run {run_id} exists already ({found.status.value}); a request naming it "
                "would be refused: choose another --run-id"
            )

    def start(
        self, config: TrainConfig, data: PreparedData, *, run_id: str | None = None
    ) -> TrainRequest:
        """Upload `data`, publish the TrainRequest for `config` and return it."""
        self.check_depth(config)
        from lnn import prepare  # the datasets' import: only to start a run

        sources = prepare.sources(data, config)
        m_train, n_features = sources["train"].samples, int(data.x.shape[0])
        sizes = self.outputs.function_sizes
        self._check_capacity(
            capacity_refusal(config, sizes, n_features=n_features, m_train=m_train)
        )
        run_id = run_id or uuid4().hex
        if not re.match(RUN_ID_PATTERN, run_id):
            raise InvalidRunIdError(f"run id {run_id!r} must be 1-64 of A-Z, a-z, 0-9, '_', '-'")
        self._check_new(run_id)  # before the upload, which would write under its keys
        request = TrainRequest(
            **config.model_dump(), run_id=run_id, data=self.upload(run_id, sources, config)
        )
        self.bus.send_to_trainer(request)  # checked above: submit would ask the table again
        return request

    def record(self, run_id: str) -> RunRecord | None:
        return self.ledger.get(run_id)

    def require_record(self, run_id: str) -> RunRecord:
        found = self.record(run_id)
        if found is None:
            raise RunNotFoundError(f"no run {run_id} in stack {self.outputs.stack}")
        return found

    def history(self, run_id: str, *, after: int = 0) -> list[HistoryEntry]:
        """Entries of the epochs after ``after``, in epoch order."""
        return self.ledger.history(run_id, after=after)

    def runs(self) -> list[RunRecord]:
        """Every run record, newest first."""
        return self.ledger.runs()

    def cancel(
        self, run_id: str, reason: str = "cancelled by user", *, at_step: int | None = None
    ) -> bool:
        """Stop a RUNNING run; False when it was not running (finished, cancelled, unknown),
        or, with ``at_step``, when its last claimed step is another."""
        return cancel_run(self.ledger, self.bus, run_id, reason, at_step=at_step)

    def wait(
        self,
        run_id: str,
        *,
        timeout: float,
        poll: float = 1.0,
        on_epoch: Callable[[HistoryEntry], None] | None = None,
        stall_after: float = STALL_AFTER_S,
        on_poll: Callable[[RunRecord | None, list[HistoryEntry]], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> RunRecord:
        """Poll until the run is SUCCEEDED, FAILED or CANCELLED; TimeoutError after `timeout` s.

        Called right after the run was submitted (or once it has a record), it never waits
        for ever on something that will not come: RunStalledError once the run has made no
        progress for `stall_after` s, or has no record `stall_after` s after this call;
        StackUnreachableError once the API has not answered for `stall_after` s (a poll that
        fails on a moment's outage is retried until then).

        `on_epoch` sees each history entry once, in epoch order, as it appears; `on_poll`
        each record read (None before the run has one) with the entries read with it (so the
        watch page need not read them again), in this thread. Once `stop` returns True the
        wait ends at its next poll that reads a record, returning that record even if the
        run is still RUNNING (the caller stops it).
        """
        started = answered = time.monotonic()
        deadline = started + timeout
        seen, read_at = -1, None  # last epoch reported; the record's epoch at the last read
        while True:
            try:
                found = self.record(run_id)
                read: list[HistoryEntry] = []
                # The history grows with the run: read it only when the record moved on.
                if (
                    found is not None
                    and (on_epoch is not None or on_poll is not None)
                    and (found.status.is_terminal or found.epoch != read_at)
                ):
                    read = [e for e in self.history(run_id, after=seen) if e.epoch > seen]
                    for entry in read:
                        if on_epoch is not None:
                            on_epoch(entry)
                        seen = entry.epoch
                    read_at = found.epoch
                if on_poll is not None:
                    on_poll(found, read)
            except AWS_ERRORS as exc:
                silent = time.monotonic() - answered
                if no_answer(exc) is None:
                    raise
                if silent > stall_after:
                    raise StackUnreachableError(self._silence(run_id, silent, exc)) from exc
                time.sleep(poll)
                continue
            answered = time.monotonic()
            if found is not None:
                if found.status.is_terminal or (stop is not None and stop()):
                    return found
                if found.stalled(stall_after):
                    raise RunStalledError(found.stalled_reason(stall_after), found)
            elif answered - started > stall_after:
                raise RunStalledError(never_started_reason(run_id, stall_after))
            if time.monotonic() >= deadline:
                state = found.status.value if found else "not started"
                raise TimeoutError(f"run {run_id} still {state} after {timeout:g}s")
            time.sleep(poll)

    def _silence(self, run_id: str, silent: float, exc: BaseException) -> str:
        lost = unanswered(exc) or exc
        return (
            f"the AWS API at {self.clients.dynamodb.meta.endpoint_url} has not answered for "
            f"{silent:.0f} s ({' '.join(str(lost).split())}); run {run_id} may still be "
            f"running: `lnn status {run_id}` once the API is back"
        )

    def telemetry(self, run_id: str, *, after_step: int = 0) -> list[TelemetryRecord]:
        """The run's telemetry records of the steps after ``after_step`` (one GetObject per
        layer per telemetry step), in step then layer order; empty for a run without any."""
        self.require_record(run_id)
        return read_telemetry(self.store, run_id, after_step=after_step)

    def spans(self, run_id: str) -> list[Span]:
        """The run's message timeline (BatchGetItem over its barrier items, 100 a call),
        ordered by start time; empty for a run that never planned a step."""
        self.require_record(run_id)
        plan = find_plan(self.store, run_id)
        return [] if plan is None else read_spans(self.barriers, plan)

    def download_model(self, run_id: str, dest: Path) -> Path:
        """Write the run's model.npz to `dest` (a file path, or a directory to put it in)."""
        found = self.require_record(run_id)
        key = found.model_key
        if not key:
            raise StackClientError(f"run {run_id} has no model yet (status {found.status})")
        dest = Path(dest)
        if dest.is_dir():
            dest = dest / MODEL_FILE
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(self.store.get_bytes(key))
        return dest
