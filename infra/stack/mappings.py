"""SQS -> Lambda event source mappings, one per (queue, function)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from infra.stack.aws import Clients, error_code, retry_propagation
from infra.stack.lambdas import ROLE_RETRY_ATTEMPTS, ROLE_RETRY_DELAY
from infra.stack.spec import MappingSpec, StackSpec

__all__ = ["delete_mappings", "ensure_mappings"]

_ON = {"Enabled", "Enabling", "Creating"}


def _unqualified(arn: str) -> str:
    """Function ARN without a ':version' or ':alias' suffix."""
    parts = arn.split(":")
    return ":".join(parts[:7])


def _list(lam: Any, **query: str) -> list[dict[str, Any]]:
    pages = lam.get_paginator("list_event_source_mappings").paginate(**query)
    found = [m for page in pages for m in page.get("EventSourceMappings", [])]
    return [m for m in found if m.get("State") != "Deleting"]


def _settings(mapping: MappingSpec) -> dict[str, Any]:
    return {
        "BatchSize": mapping.batch_size,
        "MaximumBatchingWindowInSeconds": mapping.batching_window,
        "FunctionResponseTypes": list(mapping.function_response_types),
        "Enabled": mapping.enabled,
    }


def _differs(current: dict[str, Any], mapping: MappingSpec) -> bool:
    return (
        current.get("BatchSize") != mapping.batch_size
        or current.get("MaximumBatchingWindowInSeconds", 0) != mapping.batching_window
        or list(current.get("FunctionResponseTypes", [])) != list(mapping.function_response_types)
        or (current.get("State") in _ON) != mapping.enabled
    )


def _create(lam: Any, mapping: MappingSpec, source: str) -> str:
    """CreateEventSourceMapping, retried while the role's fresh SQS grant is not yet visible."""
    created = retry_propagation(
        lambda: lam.create_event_source_mapping(
            EventSourceArn=source, FunctionName=mapping.function, **_settings(mapping)
        ),
        hint="does not have permissions",
        attempts=ROLE_RETRY_ATTEMPTS,
        delay=ROLE_RETRY_DELAY,
    )
    return str(created["UUID"])


def ensure_mappings(
    spec: StackSpec, clients: Clients, queue_arns: dict[str, str], function_arns: dict[str, str]
) -> dict[tuple[str, str], str]:
    """Create, update or de-duplicate each mapping; returns UUIDs by (queue, function) name."""
    lam = clients.lambda_
    by_name = {fn.name: function_arns[fn.key] for fn in spec.functions}
    result: dict[tuple[str, str], str] = {}
    for mapping in spec.mappings:
        source, target = queue_arns[mapping.queue], by_name[mapping.function]
        matches = [
            m
            for m in _list(lam, EventSourceArn=source)
            if _unqualified(m.get("FunctionArn", "")) == target
        ]
        for extra in matches[1:]:
            lam.delete_event_source_mapping(UUID=extra["UUID"])
        if matches:
            uuid = str(matches[0]["UUID"])
            if _differs(matches[0], mapping):
                lam.update_event_source_mapping(UUID=uuid, **_settings(mapping))
        else:
            uuid = _create(lam, mapping, source)
        result[(mapping.queue, mapping.function)] = uuid
    return result


def _owned(spec: StackSpec, clients: Clients) -> dict[str, dict[str, Any]]:
    """Mappings feeding the stack's functions or reading its queues, by UUID."""
    found: dict[str, dict[str, Any]] = {}
    queries = [{"FunctionName": fn.name} for fn in spec.functions]
    queries += [{"EventSourceArn": spec.names.queue_arn(q.name)} for q in spec.queues]
    for query in queries:
        try:
            found.update((m["UUID"], m) for m in _list(clients.lambda_, **query))
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
    return found


def delete_mappings(spec: StackSpec, clients: Clients) -> list[str]:
    """Delete every mapping of the stack; returns 'mapping:<queue>-><function>' per deletion."""
    removed = []
    owned = sorted(_owned(spec, clients).items(), key=lambda kv: kv[1].get("EventSourceArn", ""))
    for uuid, mapping in owned:
        try:
            clients.lambda_.delete_event_source_mapping(UUID=uuid)
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
            continue
        queue = str(mapping.get("EventSourceArn", "")).rsplit(":", 1)[-1]
        function = str(mapping.get("FunctionArn", "")).split(":")[6:7]
        removed.append(f"mapping:{queue}->{''.join(function)}")
    return removed
