"""SNS topics and their raw-delivery, filtered SQS subscriptions."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from infra.stack.aws import Clients, error_code
from infra.stack.policies import topic_policy
from infra.stack.spec import StackSpec, SubscriptionSpec

__all__ = ["delete_topics", "ensure_subscriptions", "ensure_topics", "find_topic_arns"]


def ensure_topics(spec: StackSpec, clients: Clients) -> dict[str, str]:
    """CreateTopic is idempotent by name, and so is setting the access policy each time;
    returns topic ARNs by physical name."""
    arns = {}
    for topic in spec.topics:
        arn = str(clients.sns.create_topic(Name=topic.name)["TopicArn"])
        policy = topic_policy(arn, spec.names.account_arn, topic.publishers)
        clients.sns.set_topic_attributes(
            TopicArn=arn, AttributeName="Policy", AttributeValue=policy
        )
        arns[topic.name] = arn
    return arns


def find_topic_arns(spec: StackSpec, clients: Clients) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for topic in spec.topics:
        arn = spec.names.topic_arn(topic.name)
        try:
            clients.sns.get_topic_attributes(TopicArn=arn)
        except ClientError as exc:
            if error_code(exc) not in {"NotFound", "NotFoundException"}:
                raise
            arn = None
        found[topic.name] = arn
    return found


def list_subscriptions(sns: Any, topic_arn: str) -> list[dict[str, Any]]:
    pages = sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
    subs = [s for page in pages for s in page.get("Subscriptions", [])]
    # "PendingConfirmation" placeholders cannot be managed by ARN.
    return [s for s in subs if str(s.get("SubscriptionArn", "")).startswith("arn:")]


def _attributes(sub: SubscriptionSpec) -> dict[str, str]:
    attrs = {"RawMessageDelivery": "true" if sub.raw_delivery else "false"}
    if sub.filter_policy is not None:
        attrs["FilterPolicy"] = json.dumps(sub.filter_policy, sort_keys=True)
        attrs["FilterPolicyScope"] = "MessageAttributes"
    return attrs


def _reconcile(sns: Any, arn: str, sub: SubscriptionSpec) -> bool:
    """Bring one subscription's attributes in line; False when it must be recreated."""
    current = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    wanted = _attributes(sub)
    has_policy = bool(current.get("FilterPolicy"))
    if sub.filter_policy is None and has_policy:
        return False  # SNS cannot drop a filter policy in place
    if current.get("RawMessageDelivery", "false") != wanted["RawMessageDelivery"]:
        sns.set_subscription_attributes(
            SubscriptionArn=arn,
            AttributeName="RawMessageDelivery",
            AttributeValue=wanted["RawMessageDelivery"],
        )
    if sub.filter_policy is not None and (
        not has_policy or json.loads(current["FilterPolicy"]) != sub.filter_policy
    ):
        sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=wanted["FilterPolicy"]
        )
    return True


def ensure_subscriptions(
    spec: StackSpec, clients: Clients, topic_arns: dict[str, str]
) -> dict[tuple[str, str], str]:
    """One subscription per (topic, queue); extras are removed. Returns ARNs by that pair."""
    sns, names = clients.sns, spec.names
    existing = {arn: list_subscriptions(sns, arn) for arn in set(topic_arns.values())}
    result: dict[tuple[str, str], str] = {}
    for sub in spec.subscriptions:
        topic_arn, endpoint = topic_arns[sub.topic], names.queue_arn(sub.queue)
        matches = [
            s["SubscriptionArn"]
            for s in existing[topic_arn]
            if s.get("Protocol") == "sqs" and s.get("Endpoint") == endpoint
        ]
        keep = None
        for arn in matches:
            if keep is None and _reconcile(sns, arn, sub):
                keep = arn
            else:
                sns.unsubscribe(SubscriptionArn=arn)
        if keep is None:
            keep = sns.subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=endpoint,
                Attributes=_attributes(sub),
                ReturnSubscriptionArn=True,
            )["SubscriptionArn"]
        result[(sub.topic, sub.queue)] = str(keep)
    return result


def delete_topics(spec: StackSpec, clients: Clients) -> list[str]:
    """Unsubscribe everything from the stack's topics, then delete them."""
    removed: list[str] = []
    for topic, arn in find_topic_arns(spec, clients).items():
        if arn is None:
            continue
        for sub in list_subscriptions(clients.sns, arn):
            clients.sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
            removed.append(f"subscription:{topic}->{sub.get('Endpoint', '').rsplit(':', 1)[-1]}")
        clients.sns.delete_topic(TopicArn=arn)
        removed.append(f"topic:{topic}")
    return removed
