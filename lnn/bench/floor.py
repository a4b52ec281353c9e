"""The emulator's floor: a run's recorded AWS calls replayed, in order and with payloads of
the same sizes, against a fresh emulator holding the same stack, without any of the
network's code. What the embedded run takes beyond it (and beyond the numpy) is the
project's own overhead."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import boto3
from botocore import xform_name
from botocore.exceptions import ClientError

from infra.local.api_trace import ApiOperation
from infra.local.sized import materialize

# Calls naming a message by the receipt handle its receive returned: the replay's receive
# returns other handles, matched to the recorded ones by position.
_HANDLE_OPS = frozenset({"DeleteMessage", "ChangeMessageVisibility"})
_HANDLE_BATCH_OPS = frozenset({"DeleteMessageBatch", "ChangeMessageVisibilityBatch"})


@dataclass(frozen=True)
class Replay:
    seconds: float
    calls: int
    mismatches: int  # calls that failed where the recorded one succeeded, or the reverse


def _rehandle(op: ApiOperation, params: dict[str, Any], handles: dict[str, str]) -> None:
    if op.operation in _HANDLE_OPS:
        params["ReceiptHandle"] = handles.get(params["ReceiptHandle"], params["ReceiptHandle"])
    elif op.operation in _HANDLE_BATCH_OPS:
        for entry in params.get("Entries", []):
            entry["ReceiptHandle"] = handles.get(entry["ReceiptHandle"], entry["ReceiptHandle"])


def _learn(op: ApiOperation, response: dict[str, Any], handles: dict[str, str]) -> None:
    if op.operation == "ReceiveMessage":
        recorded = op.response.get("Messages", [])
        for old, new in zip(recorded, response.get("Messages", []), strict=False):
            handles[old["ReceiptHandle"]] = new["ReceiptHandle"]


def replay(operations: Sequence[ApiOperation], session: boto3.Session) -> Replay:
    """Make the recorded calls again, one after the other, timing only the calls (clients
    and payloads are made beforehand)."""
    clients: dict[str, Any] = {}
    prepared = []
    for op in operations:
        client = clients.get(op.service) or clients.setdefault(
            op.service, session.client(op.service)
        )
        prepared.append((op, getattr(client, xform_name(op.operation)), materialize(op.params)))
    handles: dict[str, str] = {}
    mismatches = 0
    started = time.perf_counter()
    for op, method, params in prepared:
        _rehandle(op, params, handles)
        try:
            response, failed = method(**params), False
        except ClientError as exc:
            response, failed = exc.response, True
        mismatches += failed != (op.error is not None)
        _learn(op, response, handles)
    return Replay(time.perf_counter() - started, len(prepared), mismatches)
