"""Tiny Lambda handlers for the runner tests: each records what it was given."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any

WATCHED_ENV = ("LNN_SAMPLE_SETTING", "AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME")


@dataclass
class Call:
    handler: str
    event: dict[str, Any]
    remaining_ms: int
    context: dict[str, Any]
    env: dict[str, str | None]
    thread: str


CALLS: list[Call] = []
PAIR = threading.Barrier(2, timeout=5)


def _record(handler: str, event: dict[str, Any], context: Any) -> None:
    names = ("function_name", "function_version", "invoked_function_arn", "memory_limit_in_mb")
    ctx = {name: getattr(context, name) for name in (*names, "aws_request_id", "log_group_name")}
    env = {name: os.environ.get(name) for name in WATCHED_ENV}
    remaining = context.get_remaining_time_in_millis()
    CALLS.append(Call(handler, event, remaining, ctx, env, threading.current_thread().name))


def bodies(handler: str | None = None) -> list[str]:
    """Bodies delivered so far, in delivery order."""
    return [
        r["body"]
        for c in CALLS
        if handler is None or c.handler == handler
        for r in c.event["Records"]
    ]


def ok(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _record("ok", event, context)
    return {"batchItemFailures": []}


def fail_bad_once(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Reports records with body "bad" as failed on their first delivery only."""
    _record("fail_bad_once", event, context)
    failures = [
        {"itemIdentifier": r["messageId"]}
        for r in event["Records"]
        if r["body"] == "bad" and r["attributes"]["ApproximateReceiveCount"] == "1"
    ]
    return {"batchItemFailures": failures}


def always_raise(event: dict[str, Any], context: Any) -> None:
    _record("always_raise", event, context)
    raise RuntimeError("poison message")


def unknown_failure_id(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _record("unknown_failure_id", event, context)
    return {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]}


def meet_in_pairs(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Passes only if another batch of the function is in flight at the same time."""
    _record("meet_in_pairs", event, context)
    PAIR.wait()
    return {}


def sleeps_past_its_timeout(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Reports success, but only after its function's timeout has passed."""
    _record("sleeps_past_its_timeout", event, context)
    time.sleep(context.get_remaining_time_in_millis() / 1000 + 0.05)
    return {"batchItemFailures": []}


def writes_after_its_timeout(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Sleeps past its function's timeout, then sends the record's body on to the queue
    named in LNN_SAMPLE_SETTING: an AWS call Lambda would never have let it make."""
    import boto3

    _record("writes_after_its_timeout", event, context)
    time.sleep(context.get_remaining_time_in_millis() / 1000 + 0.05)
    boto3.client("sqs").send_message(
        QueueUrl=os.environ["LNN_SAMPLE_SETTING"], MessageBody=event["Records"][0]["body"]
    )
    return {"batchItemFailures": []}
