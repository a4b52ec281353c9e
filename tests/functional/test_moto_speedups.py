"""moto with the local stack's remembered names answers as before."""

from __future__ import annotations

import moto.core.responses
import moto.core.utils
import moto.sqs.models

from infra.local import EmbeddedStack
from infra.local.speedups import speed_up_moto


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
        topic = sns.create_topic(Name="t")["TopicArn"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn["Attributes"]["QueueArn"],
            Attributes={"RawMessageDelivery": "true"},
        )
        body = '{"data": "QUJD+/==", "text": "a b%20"}'
        sns.publish(TopicArn=topic, Message=body)
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        assert body in [m["Body"] for m in received]


def test_sqs_still_drops_messages_past_the_queue_retention_period() -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
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
