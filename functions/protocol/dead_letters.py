"""What the dead-letter consumer does with a message that used up its deliveries.

A message reaches a dead-letter queue when its function failed it maxReceiveCount times,
or when the process died on every delivery (a timeout, out of memory) and no handler code
ever ran. Either way the run it belongs to can no longer finish: it is failed here with a
reason naming the message, so no run waits for ever on a message that will never come; a
TrainRequest that never got as far as its run record gets a FAILED one. Only letters SQS
itself moved count, and a train-topic letter only ever ends the run its own request
started (docs/security.md).
"""

import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from functions.protocol.delivery import current
from functions.protocol.exceptions import UnattributableDeadLetterError
from functions.protocol.failures import is_train_request, logger, run_id_of
from functions.protocol.outcomes import fail_run, reject_run
from functions.protocol.references import check_location, request_scope, task_scope
from functions.protocol.services import Services
from functions.protocol.spans import note_failure
from messages.arrays import S3Array
from messages.exceptions import MessageError
from messages.status import RunRecord, RunStatus
from messages.tasks import parse_task, parse_trainer_message

_NAMED_BY = ("layer", "shard", "epoch", "batch")
_TASK_KINDS = ("forward", "backward", "loss")


def is_task(body: str) -> bool:
    """A network task's letter (the other letters come from the train topic)."""
    document: Any = json.loads(body) if body.lstrip().startswith("{") else None
    return isinstance(document, dict) and document.get("kind") in _TASK_KINDS


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
    document: Any = json.loads(body) if body.lstrip().startswith("{") else None
    kind = document.get("kind") if isinstance(document, dict) else None
    message: BaseModel
    if kind in _TASK_KINDS:
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
    if not redriven(svc):
        logger().warning(
            "refused a dead letter that SQS did not redrive",
            extra={"run_id": run_id_of(body), "receives": current().count},
        )
        return
    run_id = run_id_of(body)
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
    if is_train_request(body):
        _request_dead_lettered(svc, run_id, record, reason)
        return
    if record is None:
        raise UnattributableDeadLetterError(f"a dead letter naming {run_id}, not a run here")
    if record.status is not RunStatus.RUNNING or not is_task(body):
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
