"""LambdaRunner: Lambda's SQS event source mappings, emulated in this process.

It works against whatever AWS API boto3 reaches (moto in-process, a moto server,
LocalStack) and calls the deployed functions' handlers, imported locally.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from functions.protocol import reset_services
from infra.local.chaos import Chaos, ChaosSpec
from infra.local.discovery import MappingState, SqsMapping, discover_mappings
from infra.local.exceptions import HandlerImportError, RunnerConfigError
from infra.local.handlers import environment, load_handler
from infra.local.invoke import Outcome, invoke_batch, lambda_environment
from infra.local.moto_compat import correct_moto_if_loaded
from infra.local.redrive import Redriver, sendable_attributes
from infra.local.retries import RetryScheduler
from infra.local.schedule import HopPredictor
from infra.local.speedups import speed_up_botocore
from infra.local.stats import RunnerStats
from messages.batching import batch_bodies
from messages.limits import SEND_BATCH_BYTES

logger = logging.getLogger(__name__)

DEFAULT_LOCAL_RETRY_DELAY = 0.2  # seconds; the local entry points use it, not VisibilityTimeout
_DEAD_LETTER_POLL_S = 5.0  # how often the dead-letter queues are read (each read costs a call)
_SQS_MAX_BATCH = 10

Batch = list[dict[str, Any]]


class LambdaRunner:
    """Polls every SQS mapping in `serve` state and invokes its function's handler in-process.

    `serve="Enabled"` (the default) stands in for Lambda's poller where the API has none
    (moto); `serve="Disabled"` serves a stack deployed for a local runner (its mappings
    disabled, so that the endpoint's own poller, LocalStack's or AWS's, leaves the queues
    alone). `functions` limits it to the mappings of these functions (default: every
    function's, whatever stack deployed it). Functions run one at a time (os.environ holds
    the running function's variables); `concurrency` batches of the same function may be in
    flight together.
    """

    def __init__(
        self,
        session: boto3.Session,
        endpoint_url: str | None = None,
        *,
        chaos: ChaosSpec | str | None = None,
        retry_delay: float | None = None,
        concurrency: int = 1,
        wait_time_seconds: int = 0,
        refresh_interval: float = 3.0,
        serve: MappingState = "Enabled",
        functions: Collection[str] | None = None,
    ) -> None:
        if concurrency < 1 or not 0 <= wait_time_seconds <= 20:
            raise RunnerConfigError("need concurrency >= 1 and 0 <= wait_time_seconds <= 20")
        if retry_delay is not None and retry_delay < 0:
            raise RunnerConfigError(f"retry_delay must be >= 0 or None, got {retry_delay}")
        if serve not in ("Enabled", "Disabled"):
            raise RunnerConfigError(f"serve must be 'Enabled' or 'Disabled', got {serve!r}")
        correct_moto_if_loaded()
        speed_up_botocore()  # the handlers' SNS publishes
        self.endpoint_url = endpoint_url
        self.serve = serve
        self.functions = None if functions is None else tuple(functions)
        # A spec may come as its text (`lnn up --chaos`, passed on to worker processes).
        self.chaos = Chaos(
            ChaosSpec.parse(chaos) if isinstance(chaos, str) else chaos or ChaosSpec()
        )
        self.concurrency = concurrency
        self.wait_time_seconds = wait_time_seconds
        self.refresh_interval = refresh_interval
        self.stats = RunnerStats()
        self._session = session
        self._sqs = session.client("sqs", endpoint_url=endpoint_url)
        self._lambda = session.client("lambda", endpoint_url=endpoint_url)
        self._retries = RetryScheduler(self._sqs, retry_delay)
        self._redriver = Redriver(self._sqs)
        self._predictor = HopPredictor()
        self._pool = ThreadPoolExecutor(concurrency) if concurrency > 1 else None
        self._mappings: dict[str, SqsMapping] = {}
        self._dead_letter_mappings: dict[str, SqsMapping] = {}
        self._refreshed_at = float("-inf")
        self._dead_letters_polled_at = float("-inf")
        self._idle = False

    @property
    def retry_delay(self) -> float | None:
        return self._retries.delay

    @property
    def idle(self) -> bool:
        """True when the latest step found every queue it polled empty."""
        return self._idle

    @property
    def mappings(self) -> list[SqsMapping]:
        return [*self._mappings.values(), *self._dead_letter_mappings.values()]

    def refresh(self) -> list[SqsMapping]:
        """Re-read mappings, function configurations and queue settings now."""
        self._refreshed_at = time.monotonic()
        found = discover_mappings(self._lambda, self._sqs, self.serve, self.functions)
        # A dead-letter queue's consumer gets its own slow lane: its queue is nearly always
        # empty, and polling it on every sweep would double the idle receives.
        dlqs = {m.redrive.dlq_arn for m in found if m.redrive is not None}
        self._mappings = {m.uuid: m for m in found if m.queue_arn not in dlqs}
        self._dead_letter_mappings = {m.uuid: m for m in found if m.queue_arn in dlqs}
        return self.mappings

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def __enter__(self) -> LambdaRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- drive modes -------------------------------------------------------------------

    def poll_once(self) -> int:
        """One pass over all mappings; returns the records delivered to handlers."""
        self._housekeeping()
        return self._noting_idle(self._sweep())

    def run_until(
        self,
        predicate: Callable[[], bool],
        *,
        timeout: float,
        idle_sleep: float = 0.005,
        max_idle_sleep: float = 0.05,
    ) -> bool:
        """Process messages until `predicate()` holds (True) or `timeout` seconds pass (False).

        While every queue is empty the pause between sweeps doubles up to `max_idle_sleep`.
        """
        deadline = time.monotonic() + timeout
        sleep = idle_sleep
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if self._step() > 0:
                sleep = idle_sleep
            else:
                time.sleep(self._retries.cap_sleep(min(sleep, left)))
                sleep = min(sleep * 2, max_idle_sleep)
        return True

    def run_forever(
        self, stop: threading.Event, *, idle_sleep: float = 0.005, max_idle_sleep: float = 0.2
    ) -> None:
        """Process messages until `stop` is set, backing off while every queue is empty."""
        sleep = idle_sleep
        while not stop.is_set():
            try:
                busy = self._step() > 0
            except Exception:  # the service must outlive a bug in any one step
                logger.exception("runner step failed")
                busy = False
            sleep = idle_sleep if busy else min(sleep * 2, max_idle_sleep)
            if not busy:
                stop.wait(self._retries.cap_sleep(sleep))

    # -- scheduling --------------------------------------------------------------------

    def _housekeeping(self) -> None:
        if time.monotonic() - self._refreshed_at >= self.refresh_interval:
            try:
                self.refresh()
            except (ClientError, BotoCoreError) as exc:
                logger.warning("reading event source mappings failed: %s", exc)
        self._retries.release_due()
        if time.monotonic() - self._dead_letters_polled_at >= _DEAD_LETTER_POLL_S:
            self.poll_dead_letters()

    def poll_dead_letters(self) -> int:
        """Read every dead-letter queue now (it is otherwise read every _DEAD_LETTER_POLL_S);
        returns the letters delivered to their consumer."""
        self._dead_letters_polled_at = time.monotonic()
        return sum(self._poll(mapping) for mapping in self._dead_letter_mappings.values())

    def _step(self) -> int:
        return self._noting_idle(self._poll_predicted())

    def _noting_idle(self, delivered: int) -> int:
        self._idle = delivered == 0
        return delivered

    def _poll_predicted(self) -> int:
        """Poll the queues predicted to be busy next; sweep all when they are empty."""
        self._housekeeping()
        guesses = self._predictor.guesses(self._mappings.keys())
        if self._predictor.sweep_due(len(self._mappings)):
            return self._sweep(first=guesses)
        for uuid in guesses:
            delivered = self._poll(self._mappings[uuid])
            if delivered:
                self._predictor.guessed_right()
                return delivered
        return self._sweep(skip=guesses)

    def _sweep(self, first: Sequence[str] = (), skip: Collection[str] = ()) -> int:
        self._predictor.swept()
        pending = [(u, m) for u, m in self._mappings.items() if u not in skip]
        return sum(self._poll(m) for m in self._predictor.sweep_order(pending, first))

    # -- one mapping -------------------------------------------------------------------

    def _poll(self, mapping: SqsMapping) -> int:
        try:
            return self._poll_mapping(mapping)
        except (ClientError, BotoCoreError) as exc:
            # Typically a queue deleted by a teardown: re-read the mappings next step.
            logger.warning("polling %s failed: %s", mapping.queue_url, exc)
            self._refreshed_at = float("-inf")
            return 0

    def _receive(self, mapping: SqsMapping) -> Batch:
        response = self._sqs.receive_message(
            QueueUrl=mapping.queue_url,
            MaxNumberOfMessages=min(mapping.batch_size, _SQS_MAX_BATCH),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=self.wait_time_seconds,
        )
        messages = response.get("Messages", [])
        self.stats.receives += 1
        self.stats.empty_receives += not messages
        return messages

    def _poll_mapping(self, mapping: SqsMapping) -> int:
        limit = min(mapping.batch_size, _SQS_MAX_BATCH)
        batches: list[Batch] = []
        full = False
        for _ in range(self.concurrency):
            received = self._receive(mapping)
            full = len(received) >= limit
            messages, dead = self._redriver.deliverable(mapping, received)
            self.stats.dead_lettered += dead
            if messages:
                batches.append(messages)
            if not full:
                break
        if not batches:
            return 0
        self._predictor.hit(mapping.uuid, full=full)
        if any([self._forge(mapping, batch) for batch in batches]):
            # Read while the run they name is still going, as a forger would hope to be.
            self.poll_dead_letters()
        credentials = self._session.get_credentials()
        with environment(lambda_environment(mapping, credentials, self.endpoint_url)):
            outcomes = self._invoke_all(mapping, batches)
        for messages, outcome in zip(batches, outcomes, strict=True):
            self._complete(mapping, messages, outcome)
        return sum(len(b) for b in batches)

    def _invoke_all(self, mapping: SqsMapping, batches: list[Batch]) -> list[Outcome]:
        try:
            handler = load_handler(mapping.handler)
        except HandlerImportError:
            logger.exception("function %s cannot be loaded", mapping.function_name)
            return [Outcome({m["MessageId"] for m in b}, handler_errors=1) for b in batches]

        def invoke(batch: Batch) -> Outcome:
            return invoke_batch(
                mapping, handler, batch, duplicates=self._duplicates(mapping, batch), chaos=chaos
            )

        chaos = self.chaos if self.chaos.spec.active else None
        if self._pool is None or len(batches) == 1:
            return [invoke(b) for b in batches]
        return list(self._pool.map(invoke, batches))

    def _duplicates(self, mapping: SqsMapping, batch: Batch) -> int:
        """Extra deliveries of ``batch`` now; with a chaos delay, late copies are sent to
        the queue instead, to arrive after the original was processed."""
        if mapping.uuid in self._dead_letter_mappings:
            return 0  # chaos is for the network's functions, not for their safety net
        if not self.chaos.chance(self.chaos.spec.duplicate):
            return 0
        self.chaos.count("duplicate", len(batch))
        self.stats.duplicates_injected += len(batch)
        if not self.chaos.spec.delay:
            return 1
        # As few calls as SendMessageBatch allows (entries and bytes per call).
        bodies = [message["Body"] for message in batch]
        for chunk in batch_bodies(bodies, max_bytes=SEND_BATCH_BYTES):
            entries = []
            for i, body in chunk:
                entry = {"Id": str(i), "MessageBody": body, "DelaySeconds": self.chaos.late_by()}
                if attributes := sendable_attributes(batch[i]):
                    entry["MessageAttributes"] = attributes
                entries.append(entry)
            response = self._sqs.send_message_batch(QueueUrl=mapping.queue_url, Entries=entries)
            if response.get("Failed"):
                raise RuntimeError(f"chaos could not resend late copies: {response['Failed']}")
        return 0

    def _forge(self, mapping: SqsMapping, batch: Batch) -> bool:
        """With ``--chaos forge=P``, copy ``batch`` straight into its queue's DLQ, as a
        forger allowed SendMessage there would: SQS did not move these letters, so the
        dead-letter consumer must refuse them. True if it forged."""
        if mapping.redrive is None or mapping.uuid in self._dead_letter_mappings:
            return False
        if not self.chaos.chance(self.chaos.spec.forge):
            return False
        self.chaos.count("forge", len(batch))
        for message in batch:
            self._redriver.forge(mapping.redrive.dlq_arn, message)
        return True

    def _complete(self, mapping: SqsMapping, messages: Batch, outcome: Outcome) -> None:
        """Delete what succeeded; leave the failures for redelivery."""
        stats = self.stats.function(mapping.function_name)
        stats.batches += 1
        stats.records += len(messages)
        stats.failed += len(outcome.failed)
        stats.invocations += 1
        stats.handler_errors += outcome.handler_errors
        stats.timeouts_exceeded += outcome.timeouts_exceeded
        stats.process_deaths += outcome.died
        if outcome.fresh_container:
            reset_services()  # the next invocation runs in a fresh container
        done = [m["ReceiptHandle"] for m in messages if m["MessageId"] not in outcome.failed]
        if done:
            entries = [{"Id": str(i), "ReceiptHandle": h} for i, h in enumerate(done)]
            result = self._sqs.delete_message_batch(QueueUrl=mapping.queue_url, Entries=entries)
            for failure in result.get("Failed", []):
                logger.warning("delete failed on %s: %s", mapping.queue_url, failure)
        retry = [m["ReceiptHandle"] for m in messages if m["MessageId"] in outcome.failed]
        if mapping.uuid in self._dead_letter_mappings:
            return  # kept: back after the DLQ's own (long) visibility timeout
        late = self.chaos.late_by() if self.chaos.spec.delay else None
        self._retries.schedule(mapping.queue_url, retry, delay=late)
