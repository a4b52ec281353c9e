"""Dead-lettering for an AWS API that does not enforce RedrivePolicy itself.

moto 5, LocalStack and SQS move a message to its DLQ on the ReceiveMessage after its
maxReceiveCount-th receive, so there a record never arrives over the count and this
does nothing. (A letter moved here is sent anew, without the receive count or source
queue that show SQS moved it; the dead-letter consumer would refuse it as forged.) The
same sending serves ``--chaos forge``.
"""

from __future__ import annotations

import logging
from typing import Any

from infra.local.discovery import SqsMapping, queue_url_for_arn

logger = logging.getLogger(__name__)
_SENDABLE = ("DataType", "StringValue", "BinaryValue")


def sendable_attributes(message: dict[str, Any]) -> dict[str, Any]:
    """A received message's attributes in the form SendMessage takes."""
    return {
        name: {k: v for k, v in value.items() if k in _SENDABLE}
        for name, value in message.get("MessageAttributes", {}).items()
    }


class Redriver:
    """Moves records received more than maxReceiveCount times to the mapping's DLQ."""

    def __init__(self, sqs: Any) -> None:
        self._sqs = sqs
        self._dlq_urls: dict[str, str] = {}

    def deliverable(
        self, mapping: SqsMapping, messages: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], int]:
        """The records still to deliver, and how many were dead-lettered instead."""
        if mapping.redrive is None:
            return messages, 0
        keep = []
        for message in messages:
            count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
            if count > mapping.redrive.max_receive_count:
                self._move(mapping, mapping.redrive.dlq_arn, message)
            else:
                keep.append(message)
        return keep, len(messages) - len(keep)

    def forge(self, dlq_arn: str, message: dict[str, Any]) -> None:
        """Write a copy of ``message`` into the DLQ with SendMessage, as SQS never does."""
        self._send(dlq_arn, message)

    def _move(self, mapping: SqsMapping, dlq_arn: str, message: dict[str, Any]) -> None:
        # A supported API never gets here; if one does, say so: its runs would stall rather
        # than fail, their letters refused as forged.
        logger.error(
            "moving %s to %s by hand: its consumer will refuse it", mapping.queue_url, dlq_arn
        )
        self._send(dlq_arn, message)
        self._sqs.delete_message(QueueUrl=mapping.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def _send(self, dlq_arn: str, message: dict[str, Any]) -> None:
        if dlq_arn not in self._dlq_urls:
            self._dlq_urls[dlq_arn] = queue_url_for_arn(self._sqs, dlq_arn)
        attributes = sendable_attributes(message)
        fifo: dict[str, str] = {}
        if dlq_arn.endswith(".fifo"):
            group = message.get("Attributes", {}).get("MessageGroupId", "dead-letter")
            fifo = {"MessageGroupId": group, "MessageDeduplicationId": message["MessageId"]}
        self._sqs.send_message(
            QueueUrl=self._dlq_urls[dlq_arn],
            MessageBody=message.get("Body", ""),
            MessageAttributes=attributes,
            **fifo,
        )
