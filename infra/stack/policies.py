"""IAM and SQS policy documents: least privilege per function, SNS-only delivery per queue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from infra.stack.names import StackNames

__all__ = [
    "PolicyStatement",
    "dead_letter_queue_policy",
    "function_statements",
    "lambda_trust_policy",
    "policy_document",
    "queue_delivery_policy",
    "redrive_allow_policy",
    "topic_policy",
]

_CONSUME = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
)
_TABLE = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query")
_OBJECTS = ("s3:GetObject", "s3:PutObject")
_VERSION = "2012-10-17"
# What the account does to a topic besides publishing: deploy, inspect, subscribe, tear down.
_TOPIC_MANAGEMENT = (
    "sns:GetTopicAttributes",
    "sns:SetTopicAttributes",
    "sns:AddPermission",
    "sns:RemovePermission",
    "sns:DeleteTopic",
    "sns:Subscribe",
    "sns:ListSubscriptionsByTopic",
    "sns:TagResource",
    "sns:UntagResource",
    "sns:ListTagsForResource",
)


@dataclass(frozen=True)
class PolicyStatement:
    """One Allow statement."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": list(self.actions),
            "Resource": list(self.resources),
        }


def function_statements(
    names: StackNames,
    function: str,
    queues: tuple[str, ...],
    topics: tuple[str, ...],
    *,
    prunes_objects: bool = False,
    reads_inputs: bool = False,
) -> tuple[PolicyStatement, ...]:
    """What `function` needs: consume `queues`, publish to `topics`, tables, runs/*, logs;
    with `prunes_objects` (the neuron function, which claims steps) also delete under
    runs/*, with `reads_inputs` (the trainer) also read the data users share between runs
    under inputs/*."""
    log_group = names.arn("logs", f"log-group:/aws/lambda/{function}:*")
    objects = (*_OBJECTS, "s3:DeleteObject") if prunes_objects else _OBJECTS
    inputs = (
        PolicyStatement("InputObjects", ("s3:GetObject",), (f"{names.bucket_arn}/inputs/*",)),
    )
    return (
        *(inputs if reads_inputs else ()),
        PolicyStatement("ConsumeQueues", _CONSUME, tuple(names.queue_arn(q) for q in queues)),
        PolicyStatement("Publish", ("sns:Publish",), tuple(names.topic_arn(t) for t in topics)),
        PolicyStatement(
            "Tables",
            _TABLE,
            (names.table_arn(names.runs_table), names.table_arn(names.barriers_table)),
        ),
        PolicyStatement("RunObjects", objects, (f"{names.bucket_arn}/runs/*",)),
        # Without ListBucket S3 answers a missing key with AccessDenied, not NoSuchKey, and a
        # late duplicate could not tell a pruned parameter version from a real failure.
        PolicyStatement("ListRunObjects", ("s3:ListBucket",), (names.bucket_arn,)),
        PolicyStatement(
            "Logs",
            ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
            (log_group,),
        ),
    )


def policy_document(statements: tuple[PolicyStatement, ...]) -> str:
    return json.dumps({"Version": _VERSION, "Statement": [s.to_dict() for s in statements]})


def lambda_trust_policy() -> str:
    return json.dumps(
        {
            "Version": _VERSION,
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


_SEND = ["sqs:SendMessage", "sqs:SendMessageBatch"]


def queue_delivery_policy(queue_arn: str, topic_arns: tuple[str, ...]) -> str:
    """Lets only the given SNS topics send to the queue: an explicit Deny holds off direct
    sends by anyone else, whatever their own policies grant (a missing aws:SourceArn
    matches ArnNotEquals)."""
    return json.dumps(
        {
            "Version": _VERSION,
            "Statement": [
                {
                    "Sid": "SnsDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": list(topic_arns)}},
                },
                {
                    "Sid": "NothingElseSends",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": _SEND,
                    "Resource": queue_arn,
                    "Condition": {"ArnNotEquals": {"aws:SourceArn": list(topic_arns)}},
                },
            ],
        }
    )


def dead_letter_queue_policy(dlq_arn: str) -> str:
    """Nobody sends to a DLQ: SQS moves dead letters into it itself (the source queue's
    redrive, allowed by the DLQ's RedriveAllowPolicy), and a letter written there by hand
    could otherwise fail the run it names."""
    return json.dumps(
        {
            "Version": _VERSION,
            "Statement": [
                {
                    "Sid": "OnlyRedriveFillsIt",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": _SEND,
                    "Resource": dlq_arn,
                }
            ],
        }
    )


def redrive_allow_policy(source_queue_arn: str) -> str:
    """Only ``source_queue_arn`` may use the DLQ as its dead-letter target."""
    return json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [source_queue_arn]})


def topic_policy(topic_arn: str, account_arn: str, publishers: tuple[str, ...] = ()) -> str:
    """The account manages the topic. With no `publishers` any principal of the account may
    publish (what its IAM policies allow); otherwise only those role ARNs may, and an
    explicit Deny holds everyone else off, whatever their own policies grant."""
    manage = {
        "Sid": "AccountManages",
        "Effect": "Allow",
        "Principal": {"AWS": account_arn},
        "Action": list(_TOPIC_MANAGEMENT),
        "Resource": topic_arn,
    }
    publish: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": account_arn},
        "Action": "sns:Publish",
        "Resource": topic_arn,
    }
    if not publishers:
        return _document([manage, {"Sid": "AccountPublishes", **publish}])
    # Conditions on aws:PrincipalArn, not role principals: SNS would refuse a policy naming a
    # role that does not exist yet, and the topics are deployed before the roles.
    only = {"aws:PrincipalArn": list(publishers)}
    return _document(
        [
            manage,
            {"Sid": "StackFunctionsPublish", **publish, "Condition": {"ArnEquals": only}},
            {
                "Sid": "NobodyElsePublishes",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"ArnNotEquals": only},
            },
        ]
    )


def _document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": _VERSION, "Statement": statements})
