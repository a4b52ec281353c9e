"""deploy_stack / describe_stack / teardown_stack against moto's in-process AWS."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.stack import (
    DeployError,
    StackConfigError,
    StackNames,
    StackNotDeployedError,
    StackOutputs,
    StackSpec,
    Teardown,
    build_stack,
    deploy_stack,
    describe_stack,
    find_stack,
    resolve_names,
    teardown_stack,
)
from infra.stack import lambdas as stack_lambdas
from infra.stack.aws import Clients
from lnn.cli.deploy import deploy
from messages.function_sizes import DEFAULT_FUNCTION_SIZES


def _bundle(marker: str = "v1") -> bytes:
    """A small zip, byte-identical for the same marker."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for key in ("trainer", "neuron", "loss"):
            info = zipfile.ZipInfo(f"functions/handlers/{key}.py", date_time=(2024, 1, 1, 0, 0, 0))
            zf.writestr(info, f"def handler(event, context):\n    return '{marker}'\n")
    return buf.getvalue()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(var, value)
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def session(aws_env: None) -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


@pytest.fixture
def spec(session: boto3.Session) -> StackSpec:
    """A shallow stack keeps moto fast; the default depth is covered by the first test."""
    return build_stack(resolve_names(session, max_depth=3))


def _subscriptions(sns: Any, topic_arn: str) -> list[tuple[str, str, str, str | None]]:
    subs = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    rows = []
    for sub in subs:
        attrs = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])
        attrs = attrs["Attributes"]
        policy = attrs.get("FilterPolicy")
        rows.append(
            (
                sub["SubscriptionArn"],
                sub["Endpoint"],
                attrs.get("RawMessageDelivery", "false"),
                json.dumps(json.loads(policy), sort_keys=True) if policy else None,
            )
        )
    return sorted(rows, key=lambda row: row[1])


def inventory(session: boto3.Session) -> dict[str, Any]:
    """Everything of interest in the mocked account and region, in comparable form."""
    sqs, sns, lam = session.client("sqs"), session.client("sns"), session.client("lambda")
    ddb, iam, s3 = session.client("dynamodb"), session.client("iam"), session.client("s3")
    queues = {}
    for url in sqs.list_queues().get("QueueUrls", []):
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        keep = ("VisibilityTimeout", "MessageRetentionPeriod", "RedrivePolicy", "Policy")
        queues[url.rsplit("/", 1)[-1]] = {k: attrs.get(k) for k in keep}
    topics = sorted(t["TopicArn"] for t in sns.list_topics()["Topics"])
    functions = {
        f["FunctionName"]: {
            k: f.get(k)
            for k in ("Handler", "Role", "Runtime", "Timeout", "MemorySize", "CodeSha256")
        }
        | {"env": f.get("Environment", {}).get("Variables", {})}
        for f in lam.list_functions()["Functions"]
    }
    mappings = sorted(
        (m["UUID"], m["EventSourceArn"], m["FunctionArn"], m["BatchSize"], m["State"])
        for m in lam.list_event_source_mappings()["EventSourceMappings"]
    )
    roles = {
        r["RoleName"]: {
            p: iam.get_role_policy(RoleName=r["RoleName"], PolicyName=p)["PolicyDocument"]
            for p in iam.list_role_policies(RoleName=r["RoleName"])["PolicyNames"]
        }
        for r in iam.list_roles()["Roles"]
    }
    return {
        "queues": queues,
        "topics": topics,
        "subscriptions": {t: _subscriptions(sns, t) for t in topics},
        "tables": sorted(ddb.list_tables()["TableNames"]),
        "functions": functions,
        "mappings": mappings,
        "roles": roles,
        "buckets": sorted(b["Name"] for b in s3.list_buckets()["Buckets"]),
    }


def test_second_deploy_changes_nothing_and_duplicates_nothing(session: boto3.Session) -> None:
    spec = build_stack(resolve_names(session))
    first = deploy_stack(spec, session=session, bundle=_bundle())
    before = inventory(session)
    second = deploy_stack(spec, session=session, bundle=_bundle())

    assert second == first
    assert inventory(session) == before
    assert len(before["queues"]) == 2 * (spec.names.max_depth + 2)
    assert len(before["topics"]) == 3
    assert len(before["mappings"]) == 2 * (spec.names.max_depth + 2)  # the DLQs' consumer too
    functions = ["lnn-deadletters", "lnn-loss", "lnn-neuron", "lnn-trainer"]
    assert sorted(before["functions"]) == functions
    assert sorted(before["roles"]) == [f"{name}-role" for name in functions]
    assert before["tables"] == ["lnn-barriers", "lnn-runs"]


def test_redeploy_repairs_drift_and_removes_duplicate_mappings(
    session: boto3.Session, spec: StackSpec
) -> None:
    out = deploy_stack(spec, session=session, bundle=_bundle())
    clean = inventory(session)
    sqs, sns, lam = session.client("sqs"), session.client("sns"), session.client("lambda")
    layer2 = spec.names.queue_arn("lnn-layer-2")
    sqs.set_queue_attributes(
        QueueUrl=out.queue_urls["layer-2"], Attributes={"VisibilityTimeout": "5"}
    )
    sub_arn = next(row[0] for row in _subscriptions(sns, out.network_topic_arn) if row[1] == layer2)
    sns.set_subscription_attributes(
        SubscriptionArn=sub_arn, AttributeName="FilterPolicy", AttributeValue='{"layer": ["3"]}'
    )
    lam.create_event_source_mapping(EventSourceArn=layer2, FunctionName="lnn-neuron", BatchSize=3)
    lam.update_function_configuration(
        FunctionName="lnn-loss", MemorySize=256, Environment={"Variables": {"X": "1"}}
    )

    deploy_stack(spec, session=session, bundle=_bundle())

    assert inventory(session) == clean


def test_new_bundle_updates_code_in_place(session: boto3.Session, spec: StackSpec) -> None:
    deploy_stack(spec, session=session, bundle=_bundle("v1"))
    before = inventory(session)
    deploy_stack(spec, session=session, bundle=_bundle("v2"))
    after = inventory(session)

    assert after["mappings"] == before["mappings"]
    for name, fn in after["functions"].items():
        assert fn["CodeSha256"] != before["functions"][name]["CodeSha256"]


def test_describe_matches_deploy_and_roundtrips_json(
    session: boto3.Session, spec: StackSpec
) -> None:
    assert describe_stack(spec, session=session) is None
    assert find_stack(session) is None
    out = deploy_stack(spec, session=session, bundle=_bundle())

    assert describe_stack(spec, session=session) == out
    assert find_stack(session) == out
    assert StackOutputs.from_dict(json.loads(json.dumps(out.to_dict()))) == out


def test_function_sizes_are_deployed_found_again_and_changed_in_place(
    session: boto3.Session, tmp_path: Path
) -> None:
    """`lnn deploy --timeout trainer=300 --memory neuron=512`, then a plain `lnn deploy`."""
    bundle = tmp_path / "lnn.zip"
    bundle.write_bytes(_bundle())
    lam, sqs = session.client("lambda"), session.client("sqs")
    common = {"stack": "lnn", "session": session, "endpoint_url": None, "bundle": bundle}

    def deployed(key: str, queue: str) -> tuple[int, int, str]:
        config = lam.get_function_configuration(FunctionName=f"lnn-{key}")
        url = sqs.get_queue_url(QueueName=f"lnn-{queue}")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
        return (
            config["Timeout"],
            config["MemorySize"],
            attributes["Attributes"]["VisibilityTimeout"],
        )

    sizes = DEFAULT_FUNCTION_SIZES.replaced(timeouts={"trainer": 300}, memory={"neuron": 512})
    out, _ = deploy(max_depth=2, sizes=sizes, **common)
    assert out.function_sizes == sizes
    assert find_stack(session) == out
    assert deployed("trainer", "trainer") == (300, 2048, "1800")
    assert deployed("neuron", "layer-2") == (60, 512, "360")

    out, _ = deploy(max_depth=2, **common)
    assert find_stack(session) == out
    assert out.function_sizes == DEFAULT_FUNCTION_SIZES
    assert deployed("trainer", "trainer") == (120, 2048, "720")
    assert deployed("neuron", "layer-2") == (60, 1024, "360")


def test_describe_reports_a_partial_stack(session: boto3.Session, spec: StackSpec) -> None:
    out = deploy_stack(spec, session=session, bundle=_bundle())
    session.client("sqs").delete_queue(QueueUrl=out.queue_urls["layer-2"])

    with pytest.raises(StackNotDeployedError, match="lnn-layer-2"):
        describe_stack(spec, session=session)


def test_teardown_removes_everything_and_is_repeatable(
    session: boto3.Session, spec: StackSpec
) -> None:
    empty = inventory(session)
    out = deploy_stack(spec, session=session, bundle=_bundle())
    s3 = session.client("s3")
    s3.put_bucket_versioning(Bucket=out.bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"a", b"b"):
        s3.put_object(Bucket=out.bucket, Key="runs/r1/params.npz", Body=body)
    s3.delete_object(Bucket=out.bucket, Key="runs/r1/params.npz")

    removed = teardown_stack(spec, session=session).removed

    assert inventory(session) == empty
    assert "bucket:lnn-123456789012-us-east-1" in removed
    assert "mapping:lnn-layer-3->lnn-neuron" in removed
    assert "role:lnn-neuron-role" in removed
    assert len([r for r in removed if r.startswith("queue:")]) == 10
    assert teardown_stack(spec, session=session) == Teardown([], {})
    assert describe_stack(spec, session=session) is None


def test_teardown_sweeps_layers_of_a_deeper_deploy(session: boto3.Session) -> None:
    deep = build_stack(resolve_names(session, max_depth=6))
    deploy_stack(deep, session=session, bundle=_bundle())
    shallow = build_stack(resolve_names(session, max_depth=2))

    removed = teardown_stack(shallow, session=session).removed

    assert "queue:lnn-layer-6-dlq" in removed
    assert session.client("sqs").list_queues().get("QueueUrls", []) == []
    assert session.client("lambda").list_event_source_mappings()["EventSourceMappings"] == []


def test_large_bundle_goes_through_s3(
    session: boto3.Session, spec: StackSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stack_lambdas, "DIRECT_UPLOAD_LIMIT", 10)
    out = deploy_stack(spec, session=session, bundle=_bundle())

    keys = session.client("s3").list_objects_v2(Bucket=out.bucket)["Contents"]
    assert [k["Key"].split("/")[0] for k in keys] == ["deploy"]
    assert deploy_stack(spec, session=session, bundle=_bundle()) == out


def test_other_region_gets_a_located_bucket(aws_env: None) -> None:
    with mock_aws():
        session = boto3.Session(region_name="eu-west-1")
        spec = build_stack(resolve_names(session, stack="lnn-eu", max_depth=2))
        out = deploy_stack(spec, session=session, bundle=_bundle())

        s3 = session.client("s3")
        assert s3.get_bucket_location(Bucket=out.bucket)["LocationConstraint"] == "eu-west-1"
        assert out.bucket == "lnn-eu-123456789012-eu-west-1"
        assert out.train_topic_arn == "arn:aws:sns:eu-west-1:123456789012:lnn-eu-train"
        assert deploy_stack(spec, session=session, bundle=_bundle()) == out
        removed = teardown_stack(spec, session=session).removed
        assert "bucket:lnn-eu-123456789012-eu-west-1" in removed
        assert s3.list_buckets()["Buckets"] == []


def test_spec_for_another_target_or_a_bad_bundle_is_refused(
    session: boto3.Session, spec: StackSpec
) -> None:
    elsewhere = build_stack(StackNames(region="eu-west-1", account_id="123456789012"))
    with pytest.raises(StackConfigError, match="eu-west-1"):
        deploy_stack(elsewhere, session=session, bundle=_bundle())
    other = build_stack(StackNames(region="us-east-1", account_id="210987654321"))
    with pytest.raises(StackConfigError, match="account"):
        describe_stack(other, session=session)
    with pytest.raises(StackConfigError, match="zip"):
        deploy_stack(spec, session=session, bundle=b"not a zip")
    assert session.client("sqs").list_queues().get("QueueUrls", []) == []


def test_conflicting_existing_resource_is_a_one_line_deploy_error(
    session: boto3.Session, spec: StackSpec
) -> None:
    session.client("dynamodb").create_table(
        TableName="lnn-runs",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(DeployError, match="lnn-runs exists with another key schema") as caught:
        deploy_stack(spec, session=session, bundle=_bundle())
    assert "\n" not in str(caught.value)


def test_clients_are_made_once_per_session_and_target(
    session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Clients.create(session)
    assert Clients.create(session) is first
    assert Clients.create(session, "http://127.0.0.1:4566") is not first
    assert Clients.create(boto3.Session(region_name="us-east-1")) is not first
    # An emulator named by the environment needs path-style S3: other clients.
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4566")
    path_style = Clients.create(session)
    assert path_style is not first
    assert path_style.s3.meta.config.s3["addressing_style"] == "path"
