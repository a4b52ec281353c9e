"""Deploy, teardown and serving on LocalStack on the host, the way a user without Docker
does it: `lnn deploy --local-runner`, `lnn up --endpoint-url`, `lnn submit`, `lnn deploy
--teardown` (the awscli-driven run: test_on_localstack_awscli.py).

LocalStack's Lambda cannot run functions here (no Docker): they end State Failed and stay
records of handler, settings and environment for the runner. It can delete neither them
nor, for good, their disabled mappings (a deleted disabled mapping stays "Deleting" and
blocks its re-creation), so a teardown leaves both, says so, and the next deploy reuses
them.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from served_stack import MAX_DEPTH, ServedStack

from infra.bundle import build_source_bundle
from infra.stack import StackSpec, build_stack, deploy_stack, resolve_names, teardown_stack

pytestmark = pytest.mark.localstack_host

LAYERS = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]


def _session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )


def _inventory(session: boto3.Session, url: str, spec: StackSpec) -> dict[str, Any]:
    """What of the stack exists, by kind, read with plain boto3."""
    stack = spec.names.stack

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=url)

    topics = [t["TopicArn"] for t in client("sns").list_topics()["Topics"]]
    buckets = [b["Name"] for b in client("s3").list_buckets()["Buckets"]]
    roles = [r["RoleName"] for r in client("iam").list_roles()["Roles"]]
    tables = client("dynamodb").list_tables()["TableNames"]
    mappings = [
        m["State"]
        for fn in spec.functions
        for m in client("lambda").list_event_source_mappings(FunctionName=fn.name)[
            "EventSourceMappings"
        ]
    ]
    found = {
        "queues": client("sqs").list_queues(QueueNamePrefix=f"{stack}-").get("QueueUrls", []),
        "topics": [t for t in topics if t.rsplit(":", 1)[1].startswith(f"{stack}-")],
        "tables": [t for t in tables if t.startswith(f"{stack}-")],
        "buckets": [b for b in buckets if b == spec.bucket.name],
        "roles": [r for r in roles if r.startswith(f"{stack}-")],
        "mappings": mappings,
    }
    return {kind: sorted(names) for kind, names in found.items()}


def test_deploy_and_teardown_are_idempotent_and_say_what_they_leave(
    endpoint_url: str, tmp_path: Path
) -> None:
    session = _session()
    names = resolve_names(
        session, stack=f"idem{uuid.uuid4().hex[:6]}", max_depth=MAX_DEPTH, endpoint_url=endpoint_url
    )
    spec = build_stack(names, mappings_enabled=False)
    bundle = build_source_bundle(tmp_path / "source.zip").read_bytes()
    target: dict[str, Any] = {"session": session, "endpoint_url": endpoint_url}

    first = deploy_stack(spec, bundle=bundle, **target)
    assert deploy_stack(spec, bundle=bundle, **target) == first
    deployed = _inventory(session, endpoint_url, spec)
    assert len(deployed["queues"]) == 2 * (MAX_DEPTH + 2)
    assert deployed["mappings"] == ["Disabled"] * (2 * (MAX_DEPTH + 2))
    lam = session.client("lambda", endpoint_url=endpoint_url)
    states = {fn.name: lam.get_function(FunctionName=fn.name)["Configuration"]["State"]
              for fn in spec.functions}  # fmt: skip
    assert set(states.values()) == {"Failed"}, states  # no Docker: the functions cannot run

    result = teardown_stack(spec, **target)
    functions = {f"function:{fn.name}" for fn in spec.functions}
    assert {k for k in result.left if k.startswith("function:")} == functions
    kept_mappings = [k for k in result.left if k.startswith("mapping:")]
    assert len(kept_mappings) == 2 * (MAX_DEPTH + 2)
    assert f"bucket:{spec.bucket.name}" in result.removed
    assert not any(r.startswith(("function:", "mapping:")) for r in result.removed)
    after = _inventory(session, endpoint_url, spec)
    assert {k: v for k, v in after.items() if k != "mappings"} == {
        "queues": [], "topics": [], "tables": [], "buckets": [], "roles": []
    }  # fmt: skip

    again = teardown_stack(spec, **target)
    assert again.removed == [] and again.left == result.left
    assert deploy_stack(spec, bundle=bundle, **target) == first  # the kept records reused
    assert _inventory(session, endpoint_url, spec) == deployed
    teardown_stack(spec, **target)


def test_lnn_submit_trains_on_the_served_stack(served_stack: ServedStack, tmp_path: Path) -> None:
    done = served_stack.lnn(
        "submit", "--stack", served_stack.stack, "--dataset", "flower",
        "--layers", "3:tanh,1:sigmoid", "--epochs", "5", "--lr", "1.2",
        "--wait", "--out", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with np.load(tmp_path / "model.npz") as model:
        assert model["W1"].shape == (3, 2) and model["W2"].shape == (1, 3)
