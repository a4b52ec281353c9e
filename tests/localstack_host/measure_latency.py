"""Median latencies of the stack's hot calls against an endpoint (not collected by pytest).

    python tests/localstack_host/measure_latency.py http://127.0.0.1:4566 [--calls 200]

SQS SendMessage, SNS Publish (topic with one SQS subscription, as the stack's), DynamoDB
UpdateItem (the arrival claim), S3 PutObject of 40 KiB. One warm client per service, calls
in sequence; prints one line per call with the median, p90 and max in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Callable

import boto3


def measure(label: str, call: Callable[[int], object], calls: int) -> None:
    call(-1)  # warm: connection, lazy service start
    samples = []
    for i in range(calls):
        started = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    print(
        f"{label:<26} median {statistics.median(samples):6.2f} ms  "
        f"p90 {samples[int(len(samples) * 0.9)]:6.2f} ms  max {samples[-1]:7.2f} ms  (n={calls})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )

    def client(service: str):  # type: ignore[no-untyped-def]
        return session.client(service, endpoint_url=args.endpoint)

    sqs, sns, ddb, s3 = client("sqs"), client("sns"), client("dynamodb"), client("s3")
    name = f"lnn-bench-{uuid.uuid4().hex[:8]}"
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.get_waiter("table_exists").wait(TableName=name)
    s3.create_bucket(Bucket=name)
    body_40k = b"x" * 40 * 1024
    message = json.dumps({"run": "r1", "layer": 1, "data": "a" * 2000})
    try:
        measure(
            "SQS SendMessage", lambda i: sqs.send_message(QueueUrl=queue, MessageBody=message),
            args.calls,
        )  # fmt: skip
        measure("SNS Publish", lambda i: sns.publish(TopicArn=topic, Message=message), args.calls)
        measure(
            "DynamoDB UpdateItem",
            lambda i: ddb.update_item(
                TableName=name,
                Key={"pk": {"S": f"shard#{i % 10}"}},
                UpdateExpression="ADD arrived :s",
                ConditionExpression="attribute_not_exists(arrived) OR NOT contains(arrived, :k)",
                ExpressionAttributeValues={":s": {"SS": [f"k{i}"]}, ":k": {"S": f"k{i}"}},
            ),
            args.calls,
        )
        measure(
            "S3 PutObject 40 KiB",
            lambda i: s3.put_object(Bucket=name, Key=f"k/{i % 10}", Body=body_40k),
            args.calls,
        )
    finally:
        sns.delete_topic(TopicArn=topic)
        sqs.delete_queue(QueueUrl=queue)
        ddb.delete_table(TableName=name)
        for i in range(-1, 10):
            s3.delete_object(Bucket=name, Key=f"k/{i % 10}")
        s3.delete_bucket(Bucket=name)


if __name__ == "__main__":
    main()
