"""Read the deployed SQS event source mappings, with their function and queue settings."""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)

_PARTIAL = "ReportBatchItemFailures"

MappingState = Literal["Enabled", "Disabled"]
"""Which mappings a runner serves: the enabled ones (the runner stands in for Lambda's own
poller, as on moto), or the disabled ones (deployed with mappings disabled so that the
endpoint's own poller leaves the queues alone, while this checkout serves the functions)."""


@dataclass(frozen=True)
class Redrive:
    """A queue's RedrivePolicy."""

    dlq_arn: str
    max_receive_count: int


@dataclass(frozen=True)
class SqsMapping:
    """Everything the runner needs to serve one enabled SQS -> function mapping."""

    uuid: str
    function_name: str
    function_arn: str
    function_version: str
    handler: str
    timeout_s: int
    memory_mb: int
    environment: dict[str, str] = field(hash=False)
    batch_size: int
    partial_failures: bool
    queue_arn: str
    queue_url: str
    visibility_timeout_s: int
    redrive: Redrive | None

    @property
    def region(self) -> str:
        return self.queue_arn.split(":")[3]


def queue_url_for_arn(sqs: Any, queue_arn: str) -> str:
    """Resolve a queue ARN (arn:aws:sqs:region:account:name) to its URL."""
    _, _, _, _, account, name = queue_arn.split(":", 5)
    return sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]


def _redrive(attributes: dict[str, str]) -> Redrive | None:
    policy = attributes.get("RedrivePolicy")
    if not policy:
        return None
    parsed = json.loads(policy)
    return Redrive(parsed["deadLetterTargetArn"], int(parsed["maxReceiveCount"]))


def _resolve(raw: dict[str, Any], lam: Any, sqs: Any) -> SqsMapping:
    config = lam.get_function_configuration(FunctionName=raw["FunctionArn"])
    queue_arn = raw["EventSourceArn"]
    queue_url = queue_url_for_arn(sqs, queue_arn)
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["VisibilityTimeout", "RedrivePolicy"]
    )["Attributes"]
    return SqsMapping(
        uuid=raw["UUID"],
        function_name=config["FunctionName"],
        function_arn=raw["FunctionArn"],
        function_version=config.get("Version", "$LATEST"),
        handler=config["Handler"],
        timeout_s=int(config.get("Timeout", 3)),
        memory_mb=int(config.get("MemorySize", 128)),
        environment=dict(config.get("Environment", {}).get("Variables", {})),
        batch_size=int(raw.get("BatchSize") or 10),
        partial_failures=_PARTIAL in (raw.get("FunctionResponseTypes") or []),
        queue_arn=queue_arn,
        queue_url=queue_url,
        visibility_timeout_s=int(attributes.get("VisibilityTimeout", 30)),
        redrive=_redrive(attributes),
    )


def discover_mappings(
    lam: Any, sqs: Any, state: MappingState = "Enabled", functions: Collection[str] | None = None
) -> list[SqsMapping]:
    """The SQS mappings in `state` (of the named `functions` only, if given); one that
    cannot be resolved (mid-deploy, or its queue torn down) is skipped."""
    queries = [{}] if functions is None else [{"FunctionName": name} for name in functions]
    found: list[SqsMapping] = []
    for query in queries:
        try:
            pages = list(lam.get_paginator("list_event_source_mappings").paginate(**query))
        except ClientError as exc:
            logger.warning("no mappings of %s: %s", query.get("FunctionName"), exc)
            continue
        for raw in (m for page in pages for m in page.get("EventSourceMappings", [])):
            source = raw.get("EventSourceArn", "")
            if source.split(":")[2:3] != ["sqs"] or raw.get("State") != state:
                continue
            try:
                found.append(_resolve(raw, lam, sqs))
            except (ClientError, BotoCoreError, KeyError, ValueError) as exc:
                logger.warning("skipping mapping %s -> %s: %s", source, raw.get("FunctionArn"), exc)
    return found
