"""Failures and dead letters: what a record that cannot be processed does to its run.

- An invalid message will never become valid: it is reported failed on every delivery so
  SQS moves it to its dead-letter queue (docs/design.md, rule 7). An invalid network task
  says nothing about the run it names (anyone can write a run id); an invalid TrainRequest
  records its run FAILED only when no run has its id. Any other error may be transient:
  SQS redelivers it, its text is kept on the run, and only the last allowed delivery fails
  the run (rules 8 and 9).
- On the train topic, the public door, a message changes only the run its own TrainRequest
  started (docs/security.md).
- A message reaches a dead-letter queue when its function failed it maxReceiveCount times,
  or when its process died on every delivery (a timeout, out of memory) and no handler code
  ran. Either way its run can no longer finish: the dead-letter consumer fails it with a
  reason naming the message, so no run waits for ever, and a TrainRequest that never got as
  far as its record gets a FAILED one. Only letters SQS itself moved count.
"""

import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, Literal, NamedTuple

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ValidationError

from functions.protocol.arrays import check_location, request_scope, task_scope
from functions.protocol.delivery import Services, current, delivery
from functions.protocol.exceptions import BatchDataError, UnattributableDeadLetterError
from functions.protocol.telemetry import note_failure
from functions.protocol.trainer import fail_run, refuse, reject_run
from messages.arrays import S3Array
from messages.base import RUN_ID_PATTERN
from messages.exceptions import MessageError, format_validation_error
from messages.status import RunRecord, RunStatus
from messages.tasks import parse_task, parse_trainer_message

Work = Callable[[str, Services], None]


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to sys.stderr as it is when a record is emitted, not as it was when the
    logger was made (the local runner and tests redirect it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


@cache
def _logger(service: str) -> Logger:
    # stderr: Lambda ships both streams to CloudWatch, and a local `lnn train --json` keeps
    # its stdout for the summary line. One traceback per failure: not serialized twice.
    return Logger(service=service, logger_handler=_StderrHandler(), serialize_stacktrace=False)


def logger() -> Logger:
    """The running function's logger, by its service name (read at call time: the local
    runner serves several functions from one process)."""
    return _logger(os.environ.get("POWERTOOLS_SERVICE_NAME", "lnn"))


class _Envelope(NamedTuple):
    """What a body says it is, read once and not validated: failures are handled by it."""

    run_id: str | None  # only an id a run could have
    kind: str | None  # "train_request" for a JSON object without one; None for no object


def _envelope(body: str) -> _Envelope:
    try:
        document = json.loads(body)
    except ValueError:
        return _Envelope(None, None)
    if not isinstance(document, dict):
        return _Envelope(None, None)
    run_id = document.get("run_id")
    valid = run_id if isinstance(run_id, str) and re.match(RUN_ID_PATTERN, run_id) else None
    # Users publish bare TrainRequest JSON (messages.tasks reads a missing kind the same way).
    return _Envelope(valid, document.get("kind", "train_request"))


# The queue a function consumes, which decides what its failures may do to a run.
Door = Literal["train", "network", "dead_letters"]


def guarded(
    body: str,
    receive_count: int,
    work: Work,
    svc: Services,
    *,
    door: Door = "network",
    message_id: str | None = None,
    redriven_from: str | None = None,
) -> None:
    """Run ``work`` as one delivery of message ``message_id``; on failure record what the
    protocol must, then re-raise for SQS.

    ``door`` is the queue the message came through:
    - "train", the train topic's, the public door (TrainRequests and cancels from anyone
      allowed to start a run): a bad request whose run id names no run is recorded as a
      FAILED run (its sender must learn why it never started); a run that exists is
      changed only by the request that started it, and any other message naming it is
      refused with a RequestRefused event, the run untouched;
    - "network", the network's tasks, which only the stack's functions publish: an invalid
      one says nothing about the run it names (anyone can write a run id), so it only goes
      on to its DLQ; any other error is kept on the run and fails it on the last delivery;
    - "dead_letters": the consumer's own failure (a throttled read, say) leaves every run
      alone; the letter comes back to it later. ``redriven_from`` is the queue SQS moved the
      letter from, where the platform says so (dead_lettered, below).
    """
    with delivery(receive_count, message_id, redriven_from):
        _guarded(body, receive_count, work, svc, door)


def _guarded(body: str, receive_count: int, work: Work, svc: Services, door: Door) -> None:
    try:
        work(body, svc)
    except MessageError as exc:
        envelope = _envelope(body)
        logger().error("invalid message", extra={"run_id": envelope.run_id, "reason": str(exc)})
        if envelope.run_id and door == "train":
            _request_failed(svc, envelope, str(exc), final=True)
        raise
    except UnattributableDeadLetterError as exc:
        logger().warning("dead letter kept in its queue", extra={"reason": str(exc)})
        raise
    except BatchDataError as exc:
        # The stack's own task found the run's data wrong: no retry mends it, the run fails
        # now with the batch named, and the message is done with.
        run_id = _envelope(body).run_id
        logger().error("bad data", extra={"run_id": run_id, "reason": str(exc)})
        if run_id and door == "network":
            note_failure(svc.barriers, body, "failed", str(exc))
            fail_run(svc.ledger, svc.bus, run_id, str(exc))
            return
        raise
    except Exception as exc:
        envelope = _envelope(body)
        run_id = envelope.run_id
        error = one_line(exc)
        last = receive_count >= svc.settings.max_receives
        extra = {"run_id": run_id, "delivery": receive_count, "error": error}
        if receive_count == 1:  # the traceback once; its retries say how far they got
            logger().exception("task failed", extra=extra)
        else:
            logger().error("task failed again", extra=extra)
        note_failure(svc.barriers, body, "failed", error)
        if run_id and door == "train":
            _request_failed(svc, envelope, error, final=last)
        elif run_id and door == "network" and last:
            fail_run(svc.ledger, svc.bus, run_id, error)
        elif run_id and door == "network":
            svc.ledger.note_error(run_id, error)
        raise


def one_line(exc: Exception) -> str:
    """An error as the one line a run's reason and last_error hold (pydantic's own text of
    an invalid model spans several lines)."""
    if isinstance(exc, ValidationError):
        return f"{type(exc).__name__}: {format_validation_error(exc)}"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def _request_failed(svc: Services, envelope: _Envelope, reason: str, *, final: bool) -> None:
    """A delivery from the train topic failed (``final``: for good). Only a TrainRequest
    may end a run, and only its own: the one it created, or would create."""
    run_id, message_id = str(envelope.run_id), current().message_id
    record = svc.ledger.get(run_id)
    if record is not None and record.start_message != message_id:
        # Told once, on the first delivery that fails for good: its redeliveries (on the way
        # to the DLQ) have nothing new to say. An error that may pass is only retried.
        if final and current().count == 1:
            logger().warning("refused: the run is another request's", extra={"run_id": run_id})
            refuse(svc.bus, run_id, reason, message_id)
    elif envelope.kind != "train_request":
        return  # a cancel, or anything else, naming no run: _guarded's log line says so
    elif final:
        reject_run(svc.ledger, svc.bus, run_id, reason, message_id=message_id)
    elif record is not None:
        svc.ledger.note_error(run_id, reason)


_NAMED_BY = ("layer", "shard", "epoch", "batch")
_TASK_KINDS = ("forward", "backward", "loss")


def _references(value: Any) -> Iterator[S3Array]:
    if isinstance(value, S3Array):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _references(getattr(value, name))


def describe(body: str, bucket: str) -> str:
    """A message in words, e.g. "train forward task (layer 2, shard 0, epoch 3, batch 1)".

    MessageError if the message is invalid, or refers to objects that no message of its
    run could (then the stack did not send it, whatever run it names).
    """
    message: BaseModel
    if _envelope(body).kind in _TASK_KINDS:
        message = task = parse_task(body)
        fields = task.model_dump()
        named = ", ".join(f"{name} {fields[name]}" for name in _NAMED_BY if name in fields)
        what, scope = f"{task.phase} {task.kind} task ({named})", task_scope(task.run_id)
    else:
        message = parse_trainer_message(body)
        what = f"{getattr(message, 'kind', 'train_request')} message"
        scope = request_scope(message.run_id)
    for ref in _references(message):
        check_location(ref, bucket, scope)
    return what


def redriven(svc: Services) -> bool:
    """Did SQS move the letter being delivered here from its source queue? SQS says so with
    the DeadLetterQueueSourceArn attribute where it gives one, and in any case a moved
    message keeps its receive count, already maxReceiveCount when it arrived; a letter sent
    straight into the DLQ starts from 1. Neither can be written by a sender."""
    found = current()
    return found.redriven_from is not None or found.count > svc.settings.max_receives


def dead_lettered(body: str, svc: Services) -> None:
    """Fail the run the message belonged to, or raise UnattributableDeadLetterError to keep
    it queued. A letter that SQS did not redrive is refused: logged and dropped, whatever it
    names (a sender cannot end a run by writing into a DLQ)."""
    envelope = _envelope(body)
    run_id = envelope.run_id
    if not redriven(svc):
        logger().warning(
            "refused a dead letter that SQS did not redrive",
            extra={"run_id": run_id, "receives": current().count},
        )
        return
    if run_id is None:
        raise UnattributableDeadLetterError("a dead letter without a readable run id")
    try:
        what = describe(body, svc.settings.bucket)
    except (MessageError, ValueError) as exc:
        # Not a message the stack sent: it must not stop the run it names.
        raise UnattributableDeadLetterError(f"an invalid dead letter naming {run_id}") from exc
    note_failure(svc.barriers, body, "dead_lettered", what)
    record = svc.ledger.get(run_id)
    reason = f"{what} was dead-lettered after {svc.settings.max_receives} deliveries"
    if envelope.kind == "train_request":
        _request_dead_lettered(svc, run_id, record, reason)
        return
    if record is None:
        raise UnattributableDeadLetterError(f"a dead letter naming {run_id}, not a run here")
    if record.status is not RunStatus.RUNNING or envelope.kind not in _TASK_KINDS:
        return  # a run that ended anyway, or a cancel: nothing waits for this message
    fail_run(svc.ledger, svc.bus, run_id, _with_last_error(reason, record))


def _request_dead_lettered(
    svc: Services, run_id: str, record: RunRecord | None, reason: str
) -> None:
    """A TrainRequest whose process died on every delivery may have left no record: its
    run is recorded FAILED now, so its client stops waiting. It never ends another
    request's run."""
    message_id = current().message_id
    if record is not None and record.start_message != message_id:
        return
    if record is None:
        reason = f"the run never started: {reason}"
    reason = _with_last_error(reason, record)
    reject_run(svc.ledger, svc.bus, run_id, reason, message_id=message_id)


def _with_last_error(reason: str, record: RunRecord | None) -> str:
    if record is not None and record.last_error:
        return f"{reason}; last error: {record.last_error}"
    return f"{reason}; no error was recorded (did the process die, of a timeout or out of memory?)"
