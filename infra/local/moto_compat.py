"""Switch off moto's own SQS -> Lambda delivery in this process.

moto invokes a mapped function inline on SendMessage through Docker. Without Docker
that invocation fails after it has already received the message, which bumps
ApproximateReceiveCount and so corrupts redrive counting. Here the LambdaRunner is the
Lambda service, so moto's delivery is disabled for the whole process (idempotent).
"""

from __future__ import annotations

import sys
import threading
from typing import Any

_lock = threading.Lock()
_disabled = False


def _no_mappings(queue: Any) -> dict[str, Any]:
    # A fresh throwaway dict: moto registers mappings into it and iterates nothing.
    return {}


def _keep_assignment(queue: Any, value: dict[str, Any]) -> None:
    queue.__dict__["lambda_event_source_mappings"] = value


def disable_moto_sqs_lambda_delivery() -> None:
    """Make every moto SQS queue in this process report no Lambda mappings to moto itself."""
    global _disabled
    with _lock:
        if _disabled:
            return
        from moto.sqs.models import Queue

        # A data descriptor on the class shadows the attribute of existing queues too.
        Queue.lambda_event_source_mappings = property(_no_mappings, _keep_assignment)
        _disabled = True


def disable_if_moto_loaded() -> None:
    """Apply the switch only when moto is already in use here (never import it for nothing)."""
    if "moto" in sys.modules:
        disable_moto_sqs_lambda_delivery()
