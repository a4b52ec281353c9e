"""Deploy a queue + DLQ + function + SQS mapping with plain boto3, for the runner tests."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3

_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@dataclass(frozen=True)
class SampleStack:
    function_name: str
    function_arn: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    mapping_uuid: str


def _tiny_zip() -> bytes:
    # The runner imports handlers locally; the package is only there because Lambda wants one.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("placeholder.py", "")
    return buffer.getvalue()


def _role_arn(iam: Any) -> str:
    try:
        return iam.get_role(RoleName="runner-test")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_role(RoleName="runner-test", AssumeRolePolicyDocument=_TRUST)["Role"][
            "Arn"
        ]


def deploy_sample(
    session: boto3.Session,
    name: str,
    handler: str,
    *,
    endpoint_url: str | None = None,
    max_receive_count: int = 2,
    batch_size: int = 10,
    timeout: int = 30,
    environment: dict[str, str] | None = None,
    enabled: bool = True,
) -> SampleStack:
    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url)

    sqs, lam = client("sqs"), client("lambda")
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = queue_arn(sqs, dlq_url)
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}
    queue_url = sqs.create_queue(
        QueueName=name, Attributes={"RedrivePolicy": json.dumps(redrive), "VisibilityTimeout": "60"}
    )["QueueUrl"]
    function = lam.create_function(
        FunctionName=f"{name}-fn",
        Runtime="python3.11",
        Role=_role_arn(client("iam")),
        Handler=handler,
        Code={"ZipFile": _tiny_zip()},
        Timeout=timeout,
        Environment={"Variables": environment or {}},
    )
    arn = queue_arn(sqs, queue_url)
    mapping = lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function["FunctionArn"],
        BatchSize=batch_size,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        Enabled=enabled,
    )
    return SampleStack(
        f"{name}-fn", function["FunctionArn"], queue_url, arn, dlq_url, mapping["UUID"]
    )


def queue_arn(sqs: Any, queue_url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return attributes["Attributes"]["QueueArn"]


def depth(sqs: Any, queue_url: str) -> int:
    """Messages on the queue, visible or in flight."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[n]) for n in names)
