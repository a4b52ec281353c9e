"""What the dead-letter consumer does with a message that used up its deliveries.

A message reaches a dead-letter queue when its function failed it maxReceiveCount times,
or when the process died on every delivery (a timeout, out of memory) and no handler code
ever ran. Either way the run it belongs to can no longer finish: it is failed here with a
reason naming the message, so no run waits for ever on a message that will never come.
"""

import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from functions.protocol.exceptions import UnattributableDeadLetterError
from functions.protocol.failures import run_id_of
from functions.protocol.outcomes import fail_run
from functions.protocol.references import check_location, request_scope, task_scope
from functions.protocol.services import Services
from functions.protocol.spans import note_failure
from messages.arrays import S3Array
from messages.exceptions import MessageError
from messages.status import RunStatus
from messages.tasks import parse_task, parse_trainer_message

_NAMED_BY = ("layer", "shard", "epoch", "batch")


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
    if kind in ("forward", "backward", "loss"):
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


def dead_lettered(body: str, svc: Services) -> None:
    """Fail the message's run, or raise UnattributableDeadLetterError to keep it queued."""
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
    if record is None or record.status is not RunStatus.RUNNING:
        return  # no run, or one that ended anyway: nothing waits for this message
    reason = f"{what} was dead-lettered after {svc.settings.max_receives} deliveries"
    if record.last_error:
        reason += f"; last error: {record.last_error}"
    else:
        reason += "; no error was recorded (did the process die, of a timeout or out of memory?)"
    fail_run(svc.ledger, svc.bus, run_id, reason)
