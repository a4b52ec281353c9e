"""The SQS contract shared by every handler: powertools' partial batch response."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from functions.protocol import Door, Work, guarded, services


def sqs_handler(work: Work, *, door: Door) -> Callable[[dict, Any], dict]:
    """A Lambda handler that runs ``work(body, services)`` per record and reports failures
    per record (``door``, the queue it consumes: functions.protocol.failures.guarded)."""
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def record_handler(record: SQSRecord) -> None:
        receives = int(record.attributes.approximate_receive_count or 1)
        guarded(
            record.body,
            receives,
            work,
            services(),
            door=door,
            message_id=record.message_id,
            redriven_from=record.attributes.dead_letter_queue_source_arn,
        )

    def handler(event: dict, context: Any) -> dict:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handler
