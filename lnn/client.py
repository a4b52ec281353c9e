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
from functions.protocol.arrays import ArrayStore
from functions.protocol.memory import LruCache, nbytes
from functions.protocol.outcomes import cancel_run
from functions.protocol.run_plan import find_plan
from functions.protocol.telemetry import read_telemetry
from functions.protocol.timeline import read_spans
from functions.protocol.uploads import pack_training_data
from functions.telemetry import TelemetryRecord
from functions.telemetry.spans import Span
from infra.stack import StackNotDeployedError, StackOutputs, find_stack
from infra.stack.aws import Clients, Session
from messages.base import RUN_ID_PATTERN
from messages.status import STALL_AFTER_S, HistoryEntry, RunRecord
from messages.train_request import TrainConfig, TrainingData, TrainRequest

if TYPE_CHECKING:
    from lnn.prepare import PreparedData

__all__ = [
    "InvalidRunIdError",
    "RunNotFoundError",
    "RunStalledError",
    "StackClient",
    "StackClientError",
    "StackDepthError",
]

# Downloads of one command: small, since a client reads each object about once.
_CLIENT_CACHE_BYTES = 64 * 1024 * 1024


class StackClientError(RuntimeError):
    """The stack did not hold what the request needs (no model yet, for instance)."""


class RunNotFoundError(StackClientError, ValueError):
    """No run with that id in the stack's run table."""


class InvalidRunIdError(StackClientError, ValueError):
    """A run id that cannot name S3 keys and table items."""


class RunStalledError(TimeoutError):
    """A RUNNING run made no progress for longer than the stall limit: waiting stops (not a
    usage error: the request was fine, the stack is not serving it)."""


class StackDepthError(StackClientError, ValueError):
    """The network has more layers than the stack was deployed for."""


def describe_endpoint(endpoint_url: str | None) -> str:
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
        """Find stack `stack`; StackNotDeployedError (one line) when it is absent."""
        session = session or Session()
        outputs = find_stack(session, stack=stack, endpoint_url=endpoint_url)
        if outputs is None:
            raise StackNotDeployedError(
                f"stack {stack} is not deployed at {describe_endpoint(endpoint_url)} "
                f"(region {session.region_name}); run `lnn deploy --stack {stack}` first"
            )
        return cls(outputs, Clients.create(session, endpoint_url))

    def upload(self, run_id: str, data: PreparedData) -> TrainingData:
        """Small arrays travel inline, the rest as .npy objects under the run's upload keys."""
        return pack_training_data(self.store, run_id, data.x, data.y, data.x_test, data.y_test)

    def check_depth(self, config: TrainConfig) -> None:
        """StackDepthError when the network is deeper than the stack's layer queues."""
        if config.depth > self.outputs.max_depth:
            raise StackDepthError(
                f"the network has {config.depth} layers but stack {self.outputs.stack} was "
                f"deployed for at most {self.outputs.max_depth}; redeploy it deeper: "
                f"lnn deploy --stack {self.outputs.stack} --max-depth {config.depth}"
            )

    def submit(self, request: TrainRequest) -> str:
        """Publish `request` to the train topic; returns its run id."""
        self.check_depth(request)
        self.bus.send_to_trainer(request)
        return request.run_id

    def start(
        self, config: TrainConfig, data: PreparedData, *, run_id: str | None = None
    ) -> TrainRequest:
        """Upload `data`, publish the TrainRequest for `config` and return it."""
        self.check_depth(config)
        run_id = run_id or uuid4().hex
        if not re.match(RUN_ID_PATTERN, run_id):
            raise InvalidRunIdError(f"run id {run_id!r} must be 1-64 of A-Z, a-z, 0-9, '_', '-'")
        request = TrainRequest(**config.model_dump(), run_id=run_id, data=self.upload(run_id, data))
        self.submit(request)
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

    def cancel(self, run_id: str, reason: str = "cancelled by user") -> bool:
        """Stop a RUNNING run; False when it was not running (finished, cancelled, unknown)."""
        return cancel_run(self.ledger, self.bus, run_id, reason)

    def wait(
        self,
        run_id: str,
        *,
        timeout: float,
        poll: float = 1.0,
        on_epoch: Callable[[HistoryEntry], None] | None = None,
        stall_after: float = STALL_AFTER_S,
        on_poll: Callable[[RunRecord | None], None] | None = None,
    ) -> RunRecord:
        """Poll until the run is SUCCEEDED, FAILED or CANCELLED; TimeoutError after `timeout` s,
        RunStalledError once it has made no progress for `stall_after` s.

        `on_epoch` sees each history entry once, in epoch order, as it appears; `on_poll`
        each record read (None before the run has one), in this thread.
        """
        deadline = time.monotonic() + timeout
        seen, read_at = -1, None  # last epoch reported; the record's epoch at the last read
        while True:
            found = self.record(run_id)
            if on_poll is not None:
                on_poll(found)
            if found is not None:
                terminal = found.status.is_terminal
                # The history grows with the run: read it only when the record moved on.
                if on_epoch is not None and (terminal or found.epoch != read_at):
                    read_at = found.epoch
                    seen = self._report_epochs(run_id, after=seen, on_epoch=on_epoch)
                if terminal:
                    return found
                if found.stalled(stall_after):
                    raise RunStalledError(found.stalled_reason(stall_after))
            if time.monotonic() >= deadline:
                state = found.status.value if found else "not started"
                raise TimeoutError(f"run {run_id} still {state} after {timeout:g}s")
            time.sleep(poll)

    def _report_epochs(
        self, run_id: str, *, after: int, on_epoch: Callable[[HistoryEntry], None]
    ) -> int:
        for entry in self.history(run_id, after=after):
            if entry.epoch > after:
                on_epoch(entry)
                after = entry.epoch
        return after

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
            dest = dest / "model.npz"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(self.store.get_bytes(key))
        return dest
