"""moto as the local stack changes it: with the remembered names it answers as before, and
an SNS topic keeps only its latest messages while it still delivers every one."""

from __future__ import annotations

import json
from typing import Any

import moto.core.responses
import moto.core.utils
import moto.sqs.models
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from infra.local import EmbeddedStack
from infra.local.moto_compat import SENT_NOTIFICATIONS_KEPT
from infra.local.speedups import speed_up_moto


def _queue_on_topic(stack: EmbeddedStack, topic_name: str, queue_url: str) -> str:
    """A new topic whose messages go, raw, to the queue: its ARN."""
    sqs, sns = stack.session.client("sqs"), stack.session.client("sns")
    topic: str = sns.create_topic(Name=topic_name)["TopicArn"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn["Attributes"]["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    return topic


def test_moto_names_are_remembered_and_give_the_same_answers() -> None:
    current = moto.core.utils.camelcase_to_underscores
    original = getattr(current, "__wrapped__", current)  # another test may have sped it up
    names = ["ApproximateNumberOfMessages", "MessageRetentionPeriod", "theNewAttribute", ""]
    expected = [original(name) for name in names]
    listed = moto.core.utils.method_names_from_class(moto.sqs.models.Queue)
    speed_up_moto()
    speed_up_moto()  # idempotent
    for module in (moto.core.utils, moto.core.responses, moto.sqs.models):
        remembered = module.camelcase_to_underscores  # every reference
        assert remembered is not original and remembered.__wrapped__ is original
    assert [moto.core.utils.camelcase_to_underscores(n) for n in names] == expected
    copy = moto.core.utils.method_names_from_class(moto.sqs.models.Queue)
    assert copy == listed
    copy.clear()  # a caller's list is its own
    assert moto.core.utils.method_names_from_class(moto.sqs.models.Queue) == listed


def test_the_embedded_stack_still_answers_with_the_stand_ins() -> None:
    with EmbeddedStack() as stack:
        sqs = stack.session.client("sqs")
        url = sqs.create_queue(QueueName="plain")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="a+b c%")
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
        sns = stack.session.client("sns")
        topic = _queue_on_topic(stack, "t", url)
        body = '{"data": "QUJD+/==", "text": "a b%20"}'
        sns.publish(TopicArn=topic, Message=body)
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        assert body in [m["Body"] for m in received]


def test_sqs_still_drops_messages_past_the_queue_retention_period() -> None:
    from moto.sqs.models import sqs_backends

    speed_up_moto()
    with EmbeddedStack() as stack:
        sqs = stack.session.client("sqs")
        url = sqs.create_queue(QueueName="short", Attributes={"MessageRetentionPeriod": "60"})
        url = url["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="fresh")
        backend = sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
        (message,) = backend.get_queue("short")._messages
        assert backend.is_message_valid_based_on_retention_period("short", message)
        message.sent_timestamp -= 61_000  # milliseconds: sent 61 s ago
        assert not backend.is_message_valid_based_on_retention_period("short", message)
        assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_a_topic_keeps_its_latest_messages_and_delivers_them_all() -> None:
    published = SENT_NOTIFICATIONS_KEPT + 16
    with EmbeddedStack() as stack:
        sns, sqs = stack.session.client("sns"), stack.session.client("sqs")
        url = sqs.create_queue(QueueName="layer")["QueueUrl"]
        topic = _queue_on_topic(stack, "acts", url)
        for i in range(published):
            sns.publish(TopicArn=topic, Message=json.dumps({"i": i}))

        kept = sns_backends[DEFAULT_ACCOUNT_ID][stack.region].topics[topic].sent_notifications
        assert [json.loads(n[1])["i"] for n in kept] == list(
            range(published - SENT_NOTIFICATIONS_KEPT, published)
        )
        delivered: list[Any] = []
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            delivered += [json.loads(m["Body"])["i"] for m in batch]
            handles = [m["ReceiptHandle"] for m in batch]
            entries = [{"Id": str(k), "ReceiptHandle": h} for k, h in enumerate(handles)]
            sqs.delete_message_batch(QueueUrl=url, Entries=entries)
        assert sorted(delivered) == list(range(published))
