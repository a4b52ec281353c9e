"""Invoke one function on one batch, the way Lambda does for an SQS mapping."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from botocore.credentials import Credentials

from infra.local.chaos import Chaos, DeadlinePassed, Invocation, ProcessDeath
from infra.local.context import LambdaContext
from infra.local.discovery import SqsMapping
from infra.local.handlers import Handler
from infra.local.sqs_event import failed_message_ids, sqs_event

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What the deliveries of one batch left to retry. ``died``: a delivery's process died;
    ``timeouts_exceeded``: a delivery ran past the function's timeout. Either way the batch
    is retried whole and the process's memory is gone (``fresh_container``)."""

    failed: set[str] = field(default_factory=set)
    handler_errors: int = 0
    timeouts_exceeded: int = 0
    died: bool = False

    @property
    def fresh_container(self) -> bool:
        """Lambda runs the next invocation in a new execution environment."""
        return self.died or self.timeouts_exceeded > 0


def lambda_environment(
    mapping: SqsMapping, credentials: Credentials | None, endpoint_url: str | None
) -> dict[str, str]:
    """The function's variables plus what the Lambda runtime sets (runtime wins)."""
    env = dict(mapping.environment)
    env.update(
        AWS_LAMBDA_FUNCTION_NAME=mapping.function_name,
        AWS_LAMBDA_FUNCTION_VERSION=mapping.function_version,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=str(mapping.memory_mb),
        AWS_REGION=mapping.region,
        AWS_DEFAULT_REGION=mapping.region,
        _HANDLER=mapping.handler,
    )
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        env.update(AWS_ACCESS_KEY_ID=frozen.access_key, AWS_SECRET_ACCESS_KEY=frozen.secret_key)
        if frozen.token:
            env["AWS_SESSION_TOKEN"] = frozen.token
    if endpoint_url:
        # Handler clients then reach the same API as the runner.
        env["AWS_ENDPOINT_URL"] = endpoint_url
    return env


def _function_key(mapping: SqsMapping) -> str:
    """The stack's name for the mapped function (trainer, neuron, ...), from its handler
    ``functions.handlers.<key>.handler``."""
    parts = mapping.handler.rsplit(".", 2)
    return parts[-2] if len(parts) == 3 else mapping.function_name


def _report_timeout(mapping: SqsMapping, size: int, stopped: DeadlinePassed | None) -> None:
    how = f" ({stopped})" if stopped is not None else ""
    logger.warning(
        "%s exceeded its %ss timeout%s: its batch of %d is retried",
        mapping.function_name,
        mapping.timeout_s,
        how,
        size,
    )


def _receive_counts(messages: list[dict[str, Any]]) -> list[int]:
    return [int(m.get("Attributes", {}).get("ApproximateReceiveCount", "1")) for m in messages]


def invoke_batch(
    mapping: SqsMapping,
    handler: Handler,
    messages: list[dict[str, Any]],
    *,
    duplicates: int = 0,
    chaos: Chaos | None = None,
) -> Outcome:
    """Deliver a batch, then `duplicates` identical redeliveries (same ids and handles).

    A record failed by any delivery is retried; an exception fails the whole batch, and so
    does a process death (injected by ``chaos``) or a delivery past the function's timeout,
    either of which also ends the deliveries, as Lambda ends the execution environment.
    """
    # Serialised once so that each delivery decodes its own copy, as over the wire.
    payload = json.dumps(sqs_event(messages, mapping.queue_arn))
    ids = [m["MessageId"] for m in messages]
    outcome = Outcome()
    max_receives = mapping.redrive.max_receive_count if mapping.redrive else 0
    for _ in range(1 + duplicates):
        context = LambdaContext(
            function_name=mapping.function_name,
            function_version=mapping.function_version,
            invoked_function_arn=mapping.function_arn,
            memory_limit_in_mb=mapping.memory_mb,
            timeout_s=mapping.timeout_s,
        )
        deadline = time.monotonic() + mapping.timeout_s
        invocation = (
            chaos.invocation(
                _receive_counts(messages), max_receives, _function_key(mapping), deadline
            )
            if chaos
            else Invocation(None, None, deadline=deadline)
        )
        error: Exception | None = None
        try:
            with invocation:
                response = handler(json.loads(payload), context)
        except DeadlinePassed as stopped:
            _report_timeout(mapping, len(ids), stopped)
            outcome.timeouts_exceeded += 1
            outcome.failed.update(ids)
            break
        except ProcessDeath as death:
            logger.warning("%s: %s (chaos)", mapping.function_name, death)
            outcome.died = True
            outcome.failed.update(ids)
            break
        except Exception as exc:
            error = exc
        if context.get_remaining_time_in_millis() == 0:
            # Lambda stops the invocation at its deadline and reports the batch failed,
            # whatever the handler would have returned. It made no AWS call past the
            # deadline (Invocation), so what it did after it is lost, as on AWS.
            _report_timeout(mapping, len(ids), None)
            outcome.timeouts_exceeded += 1
            outcome.failed.update(ids)
            break
        if error is not None:
            logger.error(
                "%s raised on a batch of %d", mapping.function_name, len(ids), exc_info=error
            )
            outcome.handler_errors += 1
            outcome.failed.update(ids)
        else:
            partial = mapping.partial_failures
            outcome.failed |= failed_message_ids(response, ids, partial=partial)
    return outcome
