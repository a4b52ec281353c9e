"""Where moto, serving as AWS in this process, must behave more like it (idempotent, for
the whole process).

- moto invokes a mapped function inline on SendMessage through Docker. Without Docker
  that invocation fails after it has already received the message, which bumps
  ApproximateReceiveCount and so corrupts redrive counting. Here the LambdaRunner is the
  Lambda service, so moto's delivery is disabled.
- moto's SNS topics keep every message they published (``Topic.sent_notifications``, for
  moto's own tests; no AWS API returns it). A run publishes its activations, 250 MB in
  an MNIST-sized epoch, so a topic keeps only its latest SENT_NOTIFICATIONS_KEPT.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from typing import Any

SENT_NOTIFICATIONS_KEPT = 8
_lock = threading.Lock()
_disabled = False
_bounded = False


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


def _latest_notifications(topic: Any) -> deque[Any]:
    kept = topic.__dict__.get("_latest_notifications")
    if kept is None:  # a topic made before the bound: its own list, bounded now
        kept = deque(topic.__dict__.pop("sent_notifications", ()), SENT_NOTIFICATIONS_KEPT)
        topic.__dict__["_latest_notifications"] = kept
    return kept


def _keep_latest(topic: Any, value: Any) -> None:
    topic.__dict__["_latest_notifications"] = deque(value, SENT_NOTIFICATIONS_KEPT)


def bound_moto_sns_history() -> None:
    """Make every moto SNS topic in this process keep only its latest notifications."""
    global _bounded
    with _lock:
        if _bounded:
            return
        from moto.sns.models import Topic

        Topic.sent_notifications = property(_latest_notifications, _keep_latest)
        _bounded = True


def correct_moto() -> None:
    """Both corrections (imports moto)."""
    disable_moto_sqs_lambda_delivery()
    bound_moto_sns_history()


def correct_moto_if_loaded() -> None:
    """The corrections, only when moto is already in use here (never import it for nothing)."""
    if "moto" in sys.modules:
        correct_moto()
