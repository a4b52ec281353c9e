"""moto as the embedded stack corrects it: an SNS topic keeps only its latest messages and
still delivers every one."""

from __future__ import annotations

import json

from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from infra.local import EmbeddedStack
from infra.local.moto_compat import SENT_NOTIFICATIONS_KEPT

PUBLISHED = SENT_NOTIFICATIONS_KEPT + 16


def test_a_topic_keeps_its_latest_messages_and_delivers_them_all() -> None:
    with EmbeddedStack() as stack:
        sns, sqs = stack.session.client("sns"), stack.session.client("sqs")
        topic = sns.create_topic(Name="acts")["TopicArn"]
        url = sqs.create_queue(QueueName="layer")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn["Attributes"]["QueueArn"],
            Attributes={"RawMessageDelivery": "true"},
        )
        for i in range(PUBLISHED):
            sns.publish(TopicArn=topic, Message=json.dumps({"i": i}))

        kept = sns_backends[DEFAULT_ACCOUNT_ID][stack.region].topics[topic].sent_notifications
        assert [json.loads(n[1])["i"] for n in kept] == list(
            range(PUBLISHED - SENT_NOTIFICATIONS_KEPT, PUBLISHED)
        )
        delivered = []
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            delivered += [json.loads(m["Body"])["i"] for m in batch]
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(batch)
                ],
            )
        assert sorted(delivered) == list(range(PUBLISHED))
