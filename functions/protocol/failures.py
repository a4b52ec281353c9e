"""What happens when a record cannot be processed.

An invalid message will never become valid: its run is failed at once with the reason, and
the record is still reported failed so SQS redrives it to the dead-letter queue
(docs/design.md, rule 7). Any other error may be transient: SQS redelivers it; its text is
kept on the run, and only the last allowed delivery fails the run (or, if the process dies
instead, the dead-letter consumer does; docs/design.md, rules 8 and 9). On the train topic,
the public door, a message changes only the run its own TrainRequest started
(docs/security.md).
"""

import json
import logging
import os
import re
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from functions.protocol.delivery import current, delivery
from functions.protocol.exceptions import UnattributableDeadLetterError
from functions.protocol.outcomes import fail_run, refuse, reject_run
from functions.protocol.services import Services
from functions.protocol.spans import note_failure
from messages.base import RUN_ID_PATTERN
from messages.exceptions import MessageError, format_validation_error

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


def run_id_of(body: str) -> str | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    run_id = document.get("run_id") if isinstance(document, dict) else None
    return run_id if isinstance(run_id, str) and re.match(RUN_ID_PATTERN, run_id) else None


def guarded(
    body: str,
    receive_count: int,
    work: Work,
    svc: Services,
    *,
    starts_runs: bool = False,
    fails_runs_on_invalid: bool = True,
    message_id: str | None = None,
    redriven_from: str | None = None,
) -> None:
    """Run ``work`` as one delivery of message ``message_id``; on failure record what the
    protocol must, then re-raise for SQS.

    ``starts_runs``: this queue is the train topic's, the public door, which carries
    TrainRequests and cancels from anyone allowed to start a run. A bad request whose run
    id names no run is recorded as a FAILED run (the user must learn why it never
    started); a run that exists is changed only by the request that started it, and any
    other message naming it is refused with a RequestRefused event, the run untouched.
    ``fails_runs_on_invalid=False``: this queue carries the network's tasks, which only the
    stack's functions may publish; an invalid one therefore says nothing about the run it
    names (anyone can write a run id), so it leaves that run alone and only goes on to the
    dead-letter queue. ``redriven_from``: the queue SQS moved this dead letter from, where
    the platform says so (functions/protocol/dead_letters.py).
    """
    with delivery(receive_count, message_id, redriven_from):
        _guarded(body, receive_count, work, svc, starts_runs, fails_runs_on_invalid)


def _guarded(
    body: str,
    receive_count: int,
    work: Work,
    svc: Services,
    starts_runs: bool,
    fails_runs_on_invalid: bool,
) -> None:
    try:
        work(body, svc)
    except MessageError as exc:
        run_id = run_id_of(body)
        logger().error("invalid message", extra={"run_id": run_id, "reason": str(exc)})
        if run_id and starts_runs:
            _request_failed(svc, body, run_id, str(exc), final=True)
        elif run_id and fails_runs_on_invalid:
            fail_run(svc.ledger, svc.bus, run_id, str(exc))
        raise
    except UnattributableDeadLetterError as exc:
        logger().warning("dead letter kept in its queue", extra={"reason": str(exc)})
        raise
    except Exception as exc:
        run_id = run_id_of(body)
        error = one_line(exc)
        last = receive_count >= svc.settings.max_receives
        extra = {"run_id": run_id, "delivery": receive_count, "error": error}
        if receive_count == 1:  # the traceback once; its retries say how far they got
            logger().exception("task failed", extra=extra)
        else:
            logger().error("task failed again", extra=extra)
        note_failure(svc.barriers, body, "failed", error)
        if run_id and starts_runs:
            _request_failed(svc, body, run_id, error, final=last)
        elif run_id and last:
            fail_run(svc.ledger, svc.bus, run_id, error)
        elif run_id:
            svc.ledger.note_error(run_id, error)
        raise


def one_line(exc: Exception) -> str:
    """An error as the one line a run's reason and last_error hold (pydantic's own text of
    an invalid model spans several lines)."""
    if isinstance(exc, ValidationError):
        return f"{type(exc).__name__}: {format_validation_error(exc)}"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def is_train_request(body: str) -> bool:
    """The train topic's messages without a "kind" are TrainRequests (tasks._trainer_kind)."""
    try:
        document = json.loads(body)
    except ValueError:
        return False
    return isinstance(document, dict) and document.get("kind", "train_request") == "train_request"


def _request_failed(svc: Services, body: str, run_id: str, reason: str, *, final: bool) -> None:
    """A delivery from the train topic failed (``final``: for good). Only a TrainRequest
    may end a run, and only its own: the one it created, or would create."""
    message_id = current().message_id
    record = svc.ledger.get(run_id)
    if record is not None and record.start_message != message_id:
        if final:  # an error that may pass is only retried: nothing to tell yet
            logger().warning("refused: the run is another request's", extra={"run_id": run_id})
            refuse(svc.bus, run_id, reason, message_id)
    elif not is_train_request(body):
        return  # a cancel for a run that does not exist: the log line above says so
    elif final:
        reject_run(svc.ledger, svc.bus, run_id, reason, message_id=message_id)
    elif record is not None:
        svc.ledger.note_error(run_id, reason)
