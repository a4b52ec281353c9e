"""ensure_queues' attributes: every DLQ refuses sends and serves only its own source queue,
every queue takes messages from its topic alone (docs/security.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from infra.stack import StackNames, build_stack
from infra.stack.queues import ensure_queues

ACCOUNT = "123456789012"


@dataclass
class _Sqs:
    """The SQS calls ensure_queues makes on an account without the stack's queues."""

    created: dict[str, dict[str, str]] = field(default_factory=dict)

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        error = {"Error": {"Code": "AWS.SimpleQueueService.NonExistentQueue", "Message": "no"}}
        raise ClientError(error, "GetQueueUrl")

    def create_queue(self, QueueName: str, Attributes: dict[str, str]) -> dict[str, str]:
        self.created[QueueName] = Attributes
        return {"QueueUrl": f"https://sqs/{QueueName}"}

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict[str, Any]:
        name = QueueUrl.rsplit("/", 1)[-1]
        return {"Attributes": {"QueueArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"}}


@dataclass(frozen=True)
class _Clients:
    sqs: _Sqs


def test_dead_letter_queues_refuse_sends_and_admit_only_their_source_queue() -> None:
    spec = build_stack(StackNames(region="us-east-1", account_id=ACCOUNT, max_depth=2))
    sqs = _Sqs()
    ensure_queues(spec, _Clients(sqs))  # type: ignore[arg-type]
    names = spec.names
    for queue in spec.queues:
        dlq = sqs.created[queue.dlq_name]
        (deny,) = json.loads(dlq["Policy"])["Statement"]
        assert (deny["Effect"], deny["Principal"], deny["Resource"]) == (
            "Deny",
            "*",
            names.queue_arn(queue.dlq_name),
        )
        assert json.loads(dlq["RedriveAllowPolicy"]) == {
            "redrivePermission": "byQueue",
            "sourceQueueArns": [names.queue_arn(queue.name)],
        }
        assert set(deny["Action"]) == {"sqs:SendMessage", "sqs:SendMessageBatch"}
        allow, refuse = json.loads(sqs.created[queue.name]["Policy"])["Statement"]
        topics = allow["Condition"]["ArnEquals"]["aws:SourceArn"]
        assert (allow["Effect"], refuse["Effect"], refuse["Principal"]) == ("Allow", "Deny", "*")
        assert set(refuse["Action"]) == {"sqs:SendMessage", "sqs:SendMessageBatch"}
        assert refuse["Condition"] == {"ArnNotEquals": {"aws:SourceArn": topics}}
