"""The SQS event source contract: the event Lambda builds and the response it honours."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Mapping
from typing import Any

logger = logging.getLogger(__name__)


def _b64(value: bytes | str) -> str:
    raw = value.encode() if isinstance(value, str) else value
    return base64.b64encode(raw).decode("ascii")


def _lambda_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    # Lambda spells ReceiveMessage's attribute keys in lower camel case.
    out: dict[str, Any] = {}
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = _b64(value["BinaryValue"])
    out["stringListValues"] = list(value.get("StringListValues", []))
    out["binaryListValues"] = [_b64(v) for v in value.get("BinaryListValues", [])]
    out["dataType"] = value["DataType"]
    return out


def _sqs_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """One `Records` entry, as Lambda builds it from a ReceiveMessage result."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _lambda_attribute(value)
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def sqs_event(messages: Iterable[Mapping[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event for one batch."""
    return {"Records": [_sqs_record(m, queue_arn) for m in messages]}


def failed_message_ids(response: Any, message_ids: list[str], *, partial: bool) -> set[str]:
    """Ids to leave for redelivery after a handler returned `response` without raising.

    Without ReportBatchItemFailures the response is ignored. A malformed report, or one
    naming a message outside the batch, fails the whole batch, as Lambda does.
    """
    if not partial or not isinstance(response, Mapping):
        return set()
    failures = response.get("batchItemFailures")
    if not failures:
        return set()
    known = set(message_ids)
    failed: set[str] = set()
    for item in failures if isinstance(failures, list) else [None]:
        item_id = item.get("itemIdentifier") if isinstance(item, Mapping) else None
        if item_id not in known:
            logger.warning("invalid batchItemFailures entry %r: failing the whole batch", item)
            return known
        failed.add(item_id)
    return failed
