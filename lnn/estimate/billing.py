"""What AWS bills for one API call: requests in payload chunks, DynamoDB request units
(lnn.estimate.dynamodb), S3 request classes. Pure arithmetic over the recorded params and
responses."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from infra.local.api_trace import ApiOperation
from infra.local.sized import byte_size
from lnn.estimate.dynamodb import DynamoItems
from lnn.estimate.pricebook import BillingUnits, Units

_S3_PUT_CLASS = frozenset(
    {
        "PutObject",
        "CopyObject",
        "PostObject",
        "ListObjects",
        "ListObjectsV2",
        "ListObjectVersions",
        "ListBuckets",
        "ListMultipartUploads",
        "CreateMultipartUpload",
        "UploadPart",
        "UploadPartCopy",
        "CompleteMultipartUpload",
    }
)
_S3_FREE = frozenset({"DeleteObject", "DeleteObjects", "AbortMultipartUpload"})


def chunks(payload_bytes: int, chunk_bytes: int) -> int:
    """Requests billed for one request carrying ``payload_bytes``: one per started chunk,
    at least one."""
    return max(1, math.ceil(payload_bytes / chunk_bytes))


def _message_attributes_size(attributes: Mapping[str, Any] | None) -> int:
    """SQS/SNS count each attribute's name, data type and value towards the payload."""
    total = 0
    for name, attribute in (attributes or {}).items():
        value = attribute.get("StringValue", attribute.get("BinaryValue", ""))
        total += byte_size(name) + byte_size(attribute.get("DataType", "")) + byte_size(value)
    return total


def _message_size(message: Mapping[str, Any], body_key: str) -> int:
    return byte_size(message.get(body_key, "")) + _message_attributes_size(
        message.get("MessageAttributes")
    )


def sqs_payload(operation: str, params: Mapping[str, Any], response: Mapping[str, Any]) -> int:
    if operation == "SendMessage":
        return _message_size(params, "MessageBody")
    if operation == "SendMessageBatch":
        return sum(_message_size(e, "MessageBody") for e in params.get("Entries", []))
    if operation == "ReceiveMessage":
        return sum(_message_size(m, "Body") for m in response.get("Messages", []))
    return 0


def sns_payload(operation: str, params: Mapping[str, Any]) -> int:
    if operation == "Publish":
        return _message_size(params, "Message") + byte_size(params.get("Subject", ""))
    if operation == "PublishBatch":
        return sum(
            _message_size(e, "Message") + byte_size(e.get("Subject", ""))
            for e in params.get("PublishBatchRequestEntries", [])
        )
    return 0


def s3_units(operation: str) -> Units:
    if operation in _S3_FREE:
        return {}
    return {"s3_put": 1.0} if operation in _S3_PUT_CLASS else {"s3_get": 1.0}


def units_of(op: ApiOperation, units: BillingUnits, items: DynamoItems) -> Units | None:
    """The billed units of one call; None for a call the price book does not price."""
    if op.service == "sqs":
        payload = sqs_payload(op.operation, op.params, op.response)
        return {"sqs_request": float(chunks(payload, units.sqs_chunk_bytes))}
    if op.service == "sns":
        if op.operation not in ("Publish", "PublishBatch"):
            return None
        payload = sns_payload(op.operation, op.params)
        return {"sns_request": float(chunks(payload, units.sns_chunk_bytes))}
    if op.service == "dynamodb":
        return items.units_of(op)
    if op.service == "s3":
        return s3_units(op.operation)
    return None
