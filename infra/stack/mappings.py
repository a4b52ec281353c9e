"""SQS -> Lambda event source mappings, one per (queue, function)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from botocore.exceptions import ClientError

from infra.stack.aws import Clients, error_code, poll, retry_propagation
from infra.stack.exceptions import DeployError
from infra.stack.lambdas import ROLE_RETRY_ATTEMPTS, ROLE_RETRY_DELAY
from infra.stack.spec import MappingSpec, StackSpec

__all__ = ["delete_mappings", "ensure_mappings"]

_ON = {"Enabled", "Enabling", "Creating"}
_DELETION_TIMEOUT = 30.0  # AWS deletes a mapping in seconds


def _unqualified(arn: str) -> str:
    """Function ARN without a ':version' or ':alias' suffix."""
    parts = arn.split(":")
    return ":".join(parts[:7])


def _list_all(lam: Any, **query: str) -> list[dict[str, Any]]:
    """The mappings matching `query`, in any state."""
    pages = lam.get_paginator("list_event_source_mappings").paginate(**query)
    return [m for page in pages for m in page.get("EventSourceMappings", [])]


def _in_state(found: list[dict[str, Any]], *, deleting: bool) -> list[dict[str, Any]]:
    return [m for m in found if (m.get("State") == "Deleting") == deleting]


def _list(lam: Any, *, deleting: bool = False, **query: str) -> list[dict[str, Any]]:
    """The mappings matching `query`; those being deleted only if `deleting`."""
    return _in_state(_list_all(lam, **query), deleting=deleting)


def _await_deletion(
    lam: Any, source: str, target: str, listed: list[dict[str, Any]] | None = None
) -> None:
    """Wait for a mapping of (source, target) that is being deleted to go: until then the
    API refuses to create it again. LocalStack 4.14.0 never completes the deletion of a
    disabled mapping; say so rather than fail on the conflict. `listed`: the source's
    mappings as just listed, for the first look."""

    def gone(found: list[dict[str, Any]] | None = None) -> bool:
        if found is None:
            found = _list_all(lam, EventSourceArn=source)
        deleting = _in_state(found, deleting=True)
        return not any(_unqualified(m.get("FunctionArn", "")) == target for m in deleting)

    if gone(listed):
        return
    try:
        poll(gone, what="the deletion of a mapping", timeout=_DELETION_TIMEOUT, interval=2.0)
    except DeployError as exc:
        name = f"{source.rsplit(':', 1)[-1]}->{target.rsplit(':', 1)[-1]}"
        raise DeployError(
            f"mapping {name} is still being deleted after {_DELETION_TIMEOUT:.0f} s, so it "
            "cannot be created again (LocalStack 4.14.0 never finishes deleting a disabled "
            "mapping): restart the emulator or deploy under another --stack"
        ) from exc


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
        listed = _list_all(lam, EventSourceArn=source)
        matches = [
            m
            for m in _in_state(listed, deleting=False)
            if _unqualified(m.get("FunctionArn", "")) == target
        ]
        for extra in matches[1:]:
            lam.delete_event_source_mapping(UUID=extra["UUID"])
        if matches:
            uuid = str(matches[0]["UUID"])
            if _differs(matches[0], mapping):
                lam.update_event_source_mapping(UUID=uuid, **_settings(mapping))
        else:
            _await_deletion(lam, source, target, listed)
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


def _label(mapping: dict[str, Any]) -> str:
    queue = str(mapping.get("EventSourceArn", "")).rsplit(":", 1)[-1]
    function = str(mapping.get("FunctionArn", "")).split(":")[6:7]
    return f"mapping:{queue}->{''.join(function)}"


def delete_mappings(
    spec: StackSpec, clients: Clients, *, keep_disabled: Collection[str] = ()
) -> tuple[list[str], dict[str, str]]:
    """Delete every mapping of the stack, except the disabled ones of the functions named in
    `keep_disabled` (functions the endpoint cannot delete). Returns the removals
    ('mapping:<queue>-><function>') and the mappings kept, with the reason."""
    removed: list[str] = []
    kept: dict[str, str] = {}
    owned = sorted(_owned(spec, clients).items(), key=lambda kv: kv[1].get("EventSourceArn", ""))
    for uuid, mapping in owned:
        function = str(mapping.get("FunctionArn", "")).split(":")[6:7]
        if mapping.get("State") == "Disabled" and "".join(function) in keep_disabled:
            kept[_label(mapping)] = (
                "disabled, kept with its function, which the endpoint cannot delete; the next "
                "deploy reuses it"
            )
            continue
        try:
            clients.lambda_.delete_event_source_mapping(UUID=uuid)
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
            continue
        removed.append(_label(mapping))
    return removed, kept
