"""SQS queues with their DLQs, redrive and SNS delivery policies."""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from infra.stack.aws import Clients, error_code
from infra.stack.exceptions import DeployError
from infra.stack.policies import (
    dead_letter_queue_policy,
    queue_delivery_policy,
    redrive_allow_policy,
)
from infra.stack.spec import QueueSpec, StackSpec

__all__ = ["delete_queues", "ensure_queues", "find_queue_url", "find_queue_urls"]

_MISSING = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
_DELETED_RECENTLY = {"AWS.SimpleQueueService.QueueDeletedRecently", "QueueDeletedRecently"}


def find_queue_url(sqs: Any, name: str) -> str | None:
    try:
        return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
    except ClientError as exc:
        if error_code(exc) in _MISSING:
            return None
        raise


def _ensure(sqs: Any, name: str, attributes: dict[str, str]) -> str:
    """Create the queue, or bring an existing one's attributes to `attributes`."""
    url = find_queue_url(sqs, name)
    if url is not None:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
        return url
    try:
        return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])
    except ClientError as exc:
        if error_code(exc) in _DELETED_RECENTLY:
            raise DeployError(
                f"queue {name} was deleted less than 60 s ago; SQS refuses the name until then"
            ) from exc
        raise


def _queue_arn(sqs: Any, url: str) -> str:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attrs["Attributes"]["QueueArn"])


def _feeding_topics(spec: StackSpec, queue: QueueSpec) -> tuple[str, ...]:
    names = spec.names
    return tuple(names.topic_arn(s.topic) for s in spec.subscriptions if s.queue == queue.name)


def ensure_queues(spec: StackSpec, clients: Clients) -> dict[str, str]:
    """Every queue and DLQ; returns queue URLs by physical name."""
    sqs = clients.sqs
    urls: dict[str, str] = {}
    for queue in spec.queues:
        dlq_attributes = {
            "MessageRetentionPeriod": str(queue.dlq_message_retention),
            "VisibilityTimeout": str(queue.dlq_visibility_timeout),
            "Policy": dead_letter_queue_policy(spec.names.queue_arn(queue.dlq_name)),
            "RedriveAllowPolicy": redrive_allow_policy(spec.names.queue_arn(queue.name)),
        }
        dlq_url = _ensure(sqs, queue.dlq_name, dlq_attributes)
        redrive = {
            "deadLetterTargetArn": _queue_arn(sqs, dlq_url),
            "maxReceiveCount": queue.max_receive_count,
        }
        attributes = {
            "VisibilityTimeout": str(queue.visibility_timeout),
            "MessageRetentionPeriod": str(queue.message_retention),
            "RedrivePolicy": json.dumps(redrive),
        }
        topics = _feeding_topics(spec, queue)
        if topics:
            arn = spec.names.queue_arn(queue.name)
            attributes["Policy"] = queue_delivery_policy(arn, topics)
        urls[queue.dlq_name] = dlq_url
        urls[queue.name] = _ensure(sqs, queue.name, attributes)
    return urls


def find_queue_urls(spec: StackSpec, clients: Clients) -> dict[str, str | None]:
    """URL (or None when absent) of every queue and DLQ of the spec, by physical name."""
    names = [n for q in spec.queues for n in (q.name, q.dlq_name)]
    return {name: find_queue_url(clients.sqs, name) for name in names}


def _stale_layer_queues(spec: StackSpec, clients: Clients) -> list[str]:
    """Layer queues left by an earlier deploy with a greater max depth."""
    prefix = f"{spec.names.stack}-layer-"
    pattern = re.compile(rf"^{re.escape(prefix)}\d+(-dlq)?$")
    found: list[str] = []
    for page in clients.sqs.get_paginator("list_queues").paginate(QueueNamePrefix=prefix):
        found += [u.rsplit("/", 1)[-1] for u in page.get("QueueUrls", [])]
    return sorted(n for n in found if pattern.match(n))


def delete_queues(spec: StackSpec, clients: Clients) -> list[str]:
    """Delete the spec's queues (and stale deeper layers); returns 'queue:<name>' per deletion."""
    wanted = [n for q in spec.queues for n in (q.name, q.dlq_name)]
    extra = [n for n in _stale_layer_queues(spec, clients) if n not in wanted]
    removed = []
    for name in wanted + extra:
        url = find_queue_url(clients.sqs, name)
        if url is None:
            continue
        try:
            clients.sqs.delete_queue(QueueUrl=url)
        except ClientError as exc:
            if error_code(exc) not in _MISSING:
                raise
            continue
        removed.append(f"queue:{name}")
    return removed
