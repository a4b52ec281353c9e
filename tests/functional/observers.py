"""Watching a deployed stack from the outside: what its queues and topics carry."""

from typing import Any

from lnn.client import StackClient


def events_queue(client: StackClient, name: str = "observer") -> str:
    """A queue subscribed to the events topic, to observe what is emitted."""
    sqs, sns = client.clients.sqs, client.clients.sns
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=client.outputs.events_topic_arn,
        Protocol="sqs",
        Endpoint=arn["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    return url


def drain(sqs: Any, queue_url: str) -> list[str]:
    """Every body waiting in the queue, deleted as it is read."""
    bodies = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
        "Messages"
    ):
        bodies.extend(message["Body"] for message in messages)
        entries = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
        ]
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
    return bodies
