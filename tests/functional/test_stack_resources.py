"""What one deployed stack looks like in moto: queues, routing, mappings, functions, storage."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.stack import StackOutputs, StackSpec, build_stack, deploy_stack, resolve_names
from messages.function_sizes import DEFAULT_FUNCTION_SIZES

_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class Deployed:
    session: boto3.Session
    spec: StackSpec
    out: StackOutputs


def _bundle() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("functions/__init__.py", "")
    return buf.getvalue()


@pytest.fixture(scope="module")
def stack() -> Iterator[Deployed]:
    """One deployment shared by these read-mostly tests (each uses its own queues)."""
    with pytest.MonkeyPatch.context() as mp:
        for var, value in _ENV.items():
            mp.setenv(var, value)
        for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            mp.delenv(var, raising=False)
        with mock_aws():
            session = boto3.Session(region_name="us-east-1")
            names = resolve_names(session, max_depth=3)
            # Disabled mappings: moto would otherwise invoke the function (via Docker) on arrival.
            sizes = DEFAULT_FUNCTION_SIZES.replaced(timeouts={"neuron": 30}, memory={"loss": 512})
            spec = build_stack(names, sizes=sizes, mappings_enabled=False)
            yield Deployed(session, spec, deploy_stack(spec, session=session, bundle=_bundle()))


def _drain(sqs: Any, out: StackOutputs) -> dict[str, list[dict[str, Any]]]:
    """Receive and delete everything waiting, by logical queue name (non-empty only)."""
    found = {}
    for key, url in out.queue_urls.items():
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        for message in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if got:
            found[key] = got
    return found


def _publish(sns: Any, topic_arn: str, body: str, layer: str | None = None) -> None:
    attrs = {"layer": {"DataType": "String", "StringValue": layer}} if layer else {}
    sns.publish(TopicArn=topic_arn, Message=body, MessageAttributes=attrs)


def test_network_topic_routes_by_layer_attribute(stack: Deployed) -> None:
    sns, sqs, out = stack.session.client("sns"), stack.session.client("sqs"), stack.out

    _publish(sns, out.network_topic_arn, '{"task": 2}', "2")
    assert {k: len(v) for k, v in _drain(sqs, out).items()} == {"layer-2": 1}

    _publish(sns, out.network_topic_arn, '{"task": "out"}', "out")
    _publish(sns, out.train_topic_arn, '{"run": 1}')
    _publish(sns, out.network_topic_arn, '{"task": 9}', "9")
    assert {k: len(v) for k, v in _drain(sqs, out).items()} == {"output": 1, "trainer": 1}


def test_raw_delivery_keeps_body_and_attributes(stack: Deployed) -> None:
    sns, sqs, out = stack.session.client("sns"), stack.session.client("sqs"), stack.out

    _publish(sns, out.network_topic_arn, '{"k": 2}', "3")

    (message,) = _drain(sqs, out)["layer-3"]
    assert message["Body"] == '{"k": 2}'
    assert message["MessageAttributes"]["layer"]["StringValue"] == "3"


def test_queues_redrive_to_their_dlq_with_long_visibility(stack: Deployed) -> None:
    sqs, out, names = stack.session.client("sqs"), stack.out, stack.spec.names
    for key in ("trainer", "layer-1", "layer-2", "layer-3", "output"):
        attrs = sqs.get_queue_attributes(QueueUrl=out.queue_urls[key], AttributeNames=["All"])
        attrs = attrs["Attributes"]
        redrive = json.loads(attrs["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == names.queue_arn(f"lnn-{key}-dlq")
        assert int(redrive["maxReceiveCount"]) == 5
        assert int(attrs["VisibilityTimeout"]) >= 6 * 30
        allow, deny = json.loads(attrs["Policy"])["Statement"]
        topic = [names.topic_arn("lnn-train" if key == "trainer" else "lnn-network")]
        assert allow["Condition"]["ArnEquals"]["aws:SourceArn"] == topic
        # Nothing but that topic sends: a direct SendMessage has no aws:SourceArn at all.
        assert (deny["Effect"], deny["Principal"]) == ("Deny", "*")
        assert deny["Condition"]["ArnNotEquals"]["aws:SourceArn"] == topic
        assert f"{key}-dlq" in out.queue_urls


def test_dead_letter_queues_take_no_sends_and_serve_only_their_queue(stack: Deployed) -> None:
    """Only SQS's redrive fills a DLQ: a letter sent there by hand could fail a run."""
    sqs, out, names = stack.session.client("sqs"), stack.out, stack.spec.names
    for key in ("trainer", "layer-1", "output"):
        url = out.queue_urls[f"{key}-dlq"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        (deny,) = json.loads(attrs["Policy"])["Statement"]
        assert (deny["Effect"], deny["Principal"], "Condition" in deny) == ("Deny", "*", False)
        assert set(deny["Action"]) == {"sqs:SendMessage", "sqs:SendMessageBatch"}
        assert deny["Resource"] == names.queue_arn(f"lnn-{key}-dlq")


def _subscriptions(sns: Any, topic_arn: str) -> dict[str, tuple[str, Any]]:
    """RawMessageDelivery and filter policy by subscribed queue name."""
    rows = {}
    for sub in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]:
        attrs = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])
        attrs = attrs["Attributes"]
        policy = json.loads(attrs["FilterPolicy"]) if attrs.get("FilterPolicy") else None
        rows[sub["Endpoint"].rsplit(":", 1)[-1]] = (attrs.get("RawMessageDelivery"), policy)
    return rows


def test_subscriptions_are_raw_and_filtered_by_layer(stack: Deployed) -> None:
    sns, out = stack.session.client("sns"), stack.out

    assert _subscriptions(sns, out.network_topic_arn) == {
        "lnn-layer-1": ("true", {"layer": ["1"]}),
        "lnn-layer-2": ("true", {"layer": ["2"]}),
        "lnn-layer-3": ("true", {"layer": ["3"]}),
        "lnn-output": ("true", {"layer": ["out"]}),
    }
    assert _subscriptions(sns, out.train_topic_arn) == {"lnn-trainer": ("true", None)}
    assert _subscriptions(sns, out.events_topic_arn) == {}


def test_mappings_feed_each_queue_to_its_function(stack: Deployed) -> None:
    lam, out = stack.session.client("lambda"), stack.out
    mappings = lam.list_event_source_mappings()["EventSourceMappings"]

    assert all(m["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings)
    assert all(m["BatchSize"] == 10 for m in mappings)
    fed = {m["EventSourceArn"].rsplit(":", 1)[-1]: m["FunctionArn"] for m in mappings}
    assert fed == {
        "lnn-trainer": out.function_arns["trainer"],
        **{f"lnn-layer-{i}": out.function_arns["neuron"] for i in (1, 2, 3)},
        "lnn-output": out.function_arns["loss"],
        **{
            f"lnn-{q}-dlq": out.function_arns["deadletters"]
            for q in ("trainer", "layer-1", "layer-2", "layer-3", "output")
        },
    }


def test_functions_get_the_stack_environment_and_their_own_role(stack: Deployed) -> None:
    lam, iam, out = stack.session.client("lambda"), stack.session.client("iam"), stack.out
    for key in ("trainer", "neuron", "loss", "deadletters"):
        config = lam.get_function_configuration(FunctionName=f"lnn-{key}")
        assert config["Handler"] == f"functions.handlers.{key}.handler"
        assert config["Environment"]["Variables"] == out.environment(key)
        size = out.function_sizes[key]
        assert (config["Timeout"], config["MemorySize"]) == (size.timeout_s, size.memory_mb)
        assert config["Role"] == iam.get_role(RoleName=f"lnn-{key}-role")["Role"]["Arn"]
    assert (out.function_sizes["neuron"].timeout_s, out.function_sizes["loss"].memory_mb) == (
        30,
        512,
    )
    assert out.environment()["LNN_MAX_DEPTH"] == "3"
    assert out.environment()["LNN_RUNS_TABLE"] == "lnn-runs"


def test_storage_is_private_encrypted_and_on_demand(stack: Deployed) -> None:
    s3, ddb, out = stack.session.client("s3"), stack.session.client("dynamodb"), stack.out
    rules = s3.get_bucket_encryption(Bucket=out.bucket)["ServerSideEncryptionConfiguration"]
    assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=out.bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    for table, keys in ((out.runs_table, ["pk", "sk"]), (out.barriers_table, ["pk"])):
        desc = ddb.describe_table(TableName=table)["Table"]
        assert [k["AttributeName"] for k in desc["KeySchema"]] == keys
        assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        ttl = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")


def test_topic_policies_are_deployed_and_stay_put_on_redeploy(stack: Deployed) -> None:
    sns, names = stack.session.client("sns"), stack.spec.names
    roles = [names.role_arn(k) for k in ("trainer", "neuron", "loss")]

    def stored() -> dict[str, dict[str, Any]]:
        return {
            key: json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
            for key, arn in stack.out.topic_arns.items()
        }

    policies = stored()
    network = {s["Sid"]: s for s in policies["network"]["Statement"]}
    assert network["NobodyElsePublishes"]["Condition"] == {
        "ArnNotEquals": {"aws:PrincipalArn": roles}
    }
    assert network["NobodyElsePublishes"]["Resource"] == stack.out.network_topic_arn
    train = {s["Sid"]: s for s in policies["train"]["Statement"]}
    assert train["AccountPublishes"]["Principal"] == {"AWS": names.account_arn}
    deploy_stack(stack.spec, session=stack.session, bundle=_bundle())
    assert stored() == policies
