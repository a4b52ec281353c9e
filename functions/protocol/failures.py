"""What happens when a record cannot be processed.

An invalid message will never become valid: its run is failed at once with the reason, and
the record is still reported failed so SQS redrives it to the dead-letter queue (rule 6).
Any other error may be transient: SQS redelivers it; its text is kept on the run, and only
the last allowed delivery fails the run (or, if the process dies instead, the dead-letter
consumer does).
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

from functions.protocol.delivery import delivery
from functions.protocol.exceptions import UnattributableDeadLetterError
from functions.protocol.outcomes import fail_run, reject_run
from functions.protocol.services import Services
from functions.protocol.spans import note_failure
from messages.base import RUN_ID_PATTERN
from messages.exceptions import MessageError

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
) -> None:
    """Run ``work`` as one delivery of message ``message_id``; on failure record what the
    protocol must, then re-raise for SQS.

    ``starts_runs``: this queue carries TrainRequests, so a bad one is recorded as a FAILED
    run even when no record exists yet (the user must learn why it never started).
    ``fails_runs_on_invalid=False``: this queue carries the network's tasks, which only the
    stack's functions may publish; an invalid one therefore says nothing about the run it
    names (anyone can write a run id), so it leaves that run alone and only goes on to the
    dead-letter queue.
    """
    with delivery(receive_count, message_id):
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
        if run_id and fails_runs_on_invalid:
            stop = reject_run if starts_runs else fail_run
            stop(svc.ledger, svc.bus, run_id, str(exc))
        raise
    except UnattributableDeadLetterError as exc:
        logger().warning("dead letter kept in its queue", extra={"reason": str(exc)})
        raise
    except Exception as exc:
        run_id = run_id_of(body)
        error = f"{type(exc).__name__}: {exc}"
        last = receive_count >= svc.settings.max_receives
        extra = {"run_id": run_id, "delivery": receive_count, "error": error}
        if receive_count == 1:  # the traceback once; its retries say how far they got
            logger().exception("task failed", extra=extra)
        else:
            logger().error("task failed again", extra=extra)
        note_failure(svc.barriers, body, "failed", error)
        if run_id:
            if last:
                fail_run(svc.ledger, svc.bus, run_id, error)
            else:
                svc.ledger.note_error(run_id, error)
        raise
