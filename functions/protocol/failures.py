"""What happens when a record cannot be processed.

An invalid message will never become valid: its run is failed at once with the reason, and
the record is still reported failed so SQS redrives it to the dead-letter queue (rule 6).
Any other error may be transient: SQS redelivers it, and only the last allowed delivery
fails the run.
"""

import json
import logging
import re
import sys
from collections.abc import Callable

from aws_lambda_powertools import Logger

from functions.protocol.outcomes import fail_run, reject_run
from functions.protocol.services import Services
from messages.base import RUN_ID_PATTERN
from messages.exceptions import MessageError

# stderr: Lambda ships both streams to CloudWatch, and a local `lnn train --json` keeps its
# stdout for the summary line.
logger = Logger(logger_handler=logging.StreamHandler(sys.stderr))

Work = Callable[[str, Services], None]


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
) -> None:
    """Run ``work``; on failure record what the protocol must, then re-raise for SQS.

    ``starts_runs``: this queue carries TrainRequests, so a bad one is recorded as a FAILED
    run even when no record exists yet (the user must learn why it never started).
    ``fails_runs_on_invalid=False``: this queue carries the network's tasks, which only the
    stack's functions may publish; an invalid one therefore says nothing about the run it
    names (anyone can write a run id), so it leaves that run alone and only goes on to the
    dead-letter queue.
    """
    try:
        work(body, svc)
    except MessageError as exc:
        run_id = run_id_of(body)
        logger.error("invalid message", extra={"run_id": run_id, "reason": str(exc)})
        if run_id and fails_runs_on_invalid:
            stop = reject_run if starts_runs else fail_run
            stop(svc.ledger, svc.bus, run_id, str(exc))
        raise
    except Exception as exc:
        run_id = run_id_of(body)
        logger.exception("task failed", extra={"run_id": run_id, "receives": receive_count})
        if run_id and receive_count >= svc.settings.max_receives:
            fail_run(svc.ledger, svc.bus, run_id, f"{type(exc).__name__}: {exc}")
        raise
