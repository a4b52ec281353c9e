"""The stack as data: names, spec invariants, policies, outputs documents, role retry."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.stack import (
    StackConfigError,
    StackNames,
    StackOutputs,
    StackSpec,
    build_stack,
)
from infra.stack.lambdas import create_function
from infra.stack.policies import policy_document, topic_policy
from messages.function_sizes import (
    DEFAULT_FUNCTION_SIZES,
    FUNCTION_KEYS,
    FunctionSizeError,
    FunctionSizes,
)

ACCOUNT = "123456789012"


def _names(**overrides: Any) -> StackNames:
    return StackNames(**{"region": "us-east-1", "account_id": ACCOUNT, **overrides})


@pytest.mark.parametrize(
    "overrides",
    [
        {"stack": "LNN"},
        {"stack": "1lnn"},
        {"stack": "l" * 32},
        {"stack": "ln_n"},
        {"region": "mars"},
        {"account_id": "12345"},
        {"max_depth": 0},
        {"max_depth": 33},
    ],
)
def test_bad_names_are_rejected_as_value_errors(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        _names(**overrides)


def test_names_follow_the_naming_scheme() -> None:
    names = _names(stack="demo", region="eu-west-1", max_depth=2)
    assert names.bucket == f"demo-{ACCOUNT}-eu-west-1"
    assert names.queues == ("demo-trainer", "demo-layer-1", "demo-layer-2", "demo-output")
    assert names.dlq("demo-output") == "demo-output-dlq"
    assert names.role("neuron") == "demo-neuron-role"
    assert names.topic_arn(names.network_topic) == f"arn:aws:sns:eu-west-1:{ACCOUNT}:demo-network"
    assert names.role_arn("loss") == f"arn:aws:iam::{ACCOUNT}:role/demo-loss-role"
    assert _names(region="cn-north-1").bucket_arn.startswith("arn:aws-cn:s3:::")
    with pytest.raises(StackConfigError):
        names.layer_queue(3)


def test_build_stack_wires_queues_topics_and_functions() -> None:
    sizes = DEFAULT_FUNCTION_SIZES.replaced(timeouts={"trainer": 300, "neuron": 45})
    sizes = sizes.replaced(memory=dict.fromkeys(FUNCTION_KEYS, 2048))
    spec = build_stack(_names(), sizes=sizes, architecture="arm64")
    assert len(spec.queues) == 10
    # Each queue hides a message for 6 x its consumer's timeout (AWS's advice for Lambda).
    visibility = {q.name: q.visibility_timeout for q in spec.queues}
    assert visibility["lnn-trainer"] == 6 * 300
    assert visibility["lnn-output"] == 6 * DEFAULT_FUNCTION_SIZES["loss"].timeout_s
    assert all(visibility[f"lnn-layer-{i}"] == 6 * 45 for i in range(1, 9))
    assert all(q.max_receive_count == 5 for q in spec.queues)
    assert spec.function("trainer").timeout == 300
    assert spec.sizes == sizes
    assert all(q.dlq_name == f"{q.name}-dlq" for q in spec.queues)
    policies = {s.queue: (s.topic, s.filter_policy) for s in spec.subscriptions}
    assert policies["lnn-layer-8"] == ("lnn-network", {"layer": ["8"]})
    assert policies["lnn-output"] == ("lnn-network", {"layer": ["out"]})
    assert policies["lnn-trainer"] == ("lnn-train", None)
    assert all(s.raw_delivery for s in spec.subscriptions)
    targets = {m.queue: m.function for m in spec.mappings}
    assert targets == {
        "lnn-trainer": "lnn-trainer",
        **{f"lnn-layer-{i}": "lnn-neuron" for i in range(1, 9)},
        "lnn-output": "lnn-loss",
        **{f"{q.name}-dlq": "lnn-deadletters" for q in spec.queues},
    }
    assert all(q.dlq_visibility_timeout == 12 * 3600 for q in spec.queues)
    assert all(m.function_response_types == ("ReportBatchItemFailures",) for m in spec.mappings)
    neuron = spec.function("neuron")
    assert (neuron.memory, neuron.architecture, neuron.runtime) == (2048, "arm64", "python3.12")
    assert neuron.environment["POWERTOOLS_SERVICE_NAME"] == "neuron"
    assert neuron.environment["LNN_NETWORK_TOPIC_ARN"].endswith(":lnn-network")
    assert {t.name for t in spec.tables} == {"lnn-runs", "lnn-barriers"}


def test_build_stack_rejects_bad_settings() -> None:
    with pytest.raises(StackConfigError):
        build_stack(_names(), architecture="riscv")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timeouts": {"neuron": 0}}, "timeout 0 s is outside Lambda's 1..900"),
        ({"timeouts": {"trainer": 901}}, "timeout 901 s is outside Lambda's 1..900"),
        ({"memory": {"loss": 64}}, "memory 64 MB is outside Lambda's 128..10240"),
        ({"memory": {"neuron": 10_241}}, "memory 10241 MB is outside Lambda's 128..10240"),
        ({"memory": {"worker": 512}}, "no function 'worker': one of trainer, neuron, loss, "),
    ],
)
def test_function_sizes_outside_lambdas_limits_are_refused(
    change: dict[str, dict[str, int]], message: str
) -> None:
    with pytest.raises(FunctionSizeError, match=f"^{re.escape(message)}"):
        DEFAULT_FUNCTION_SIZES.replaced(**change)


def test_function_sizes_travel_in_the_environment_and_the_outputs() -> None:
    sizes = DEFAULT_FUNCTION_SIZES.replaced(timeouts={"trainer": 600}, memory={"neuron": 3008})
    spec = build_stack(_names(max_depth=2), sizes=sizes)
    encoded = spec.function("neuron").environment["LNN_FUNCTION_SIZES"]
    assert FunctionSizes.decode(encoded) == sizes
    assert {fn.environment["LNN_FUNCTION_SIZES"] for fn in spec.functions} == {encoded}
    document = json.loads(json.dumps(_outputs(sizes).to_dict()))
    assert document["function_sizes"]["trainer"] == {"timeout_s": 600, "memory_mb": 2048}
    assert StackOutputs.from_dict(document).function_sizes == sizes


def test_each_role_may_only_touch_its_own_queues() -> None:
    spec = build_stack(_names(max_depth=2))
    docs = {r.function: json.loads(policy_document(r.statements)) for r in spec.roles}
    consumed = {
        fn: next(s["Resource"] for s in doc["Statement"] if s["Sid"] == "ConsumeQueues")
        for fn, doc in docs.items()
    }
    arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:"
    assert consumed == {
        "lnn-trainer": [f"{arn}lnn-trainer"],
        "lnn-neuron": [f"{arn}lnn-layer-1", f"{arn}lnn-layer-2"],
        "lnn-loss": [f"{arn}lnn-output"],
        "lnn-deadletters": [
            f"{arn}lnn-{q}-dlq" for q in ("trainer", "layer-1", "layer-2", "output")
        ],
    }
    published = next(s for s in docs["lnn-deadletters"]["Statement"] if s["Sid"] == "Publish")
    assert published["Resource"] == [f"arn:aws:sns:us-east-1:{ACCOUNT}:lnn-events"]
    for doc in docs.values():
        for statement in doc["Statement"]:
            assert "*" not in statement["Action"] and "*" not in statement["Resource"]
            assert not any(a.endswith(":*") for a in statement["Action"])
        objects = next(s for s in doc["Statement"] if s["Sid"] == "RunObjects")
        assert objects["Resource"] == [f"arn:aws:s3:::lnn-{ACCOUNT}-us-east-1/runs/*"]


def _outputs(sizes: FunctionSizes = DEFAULT_FUNCTION_SIZES) -> StackOutputs:
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:lnn-"
    return StackOutputs(
        stack="lnn",
        region="us-east-1",
        account_id=ACCOUNT,
        max_depth=2,
        max_receives=5,
        bucket=f"lnn-{ACCOUNT}-us-east-1",
        runs_table="lnn-runs",
        barriers_table="lnn-barriers",
        topic_arns={k: topic + k for k in ("train", "network", "events")},
        queue_urls={"trainer": "https://q/lnn-trainer"},
        function_arns={"trainer": "arn:fn"},
        function_sizes=sizes,
    )


def test_outputs_environment_matches_the_spec_environment() -> None:
    spec = build_stack(_names(max_depth=2))
    for fn in spec.functions:
        assert _outputs().environment(fn.key) == fn.environment
    assert "POWERTOOLS_SERVICE_NAME" not in _outputs().environment()


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("bucket"),
        lambda d: d.update(max_depth="8"),
        lambda d: d.update(queue_urls=["x"]),
        lambda d: d["topic_arns"].pop("network"),
        lambda d: d.update(region=None),
    ],
)
def test_malformed_outputs_documents_are_rejected(damage: Any) -> None:
    doc = json.loads(json.dumps(_outputs().to_dict()))
    damage(doc)
    with pytest.raises(StackConfigError):
        StackOutputs.from_dict(doc)


class _FlakyLambda:
    """Fails CreateFunction with `errors` in order, then succeeds."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors, self.calls = errors, 0

    def create_function(self, **params: Any) -> dict[str, Any]:
        self.calls += 1
        if self.errors:
            code, message = self.errors.pop(0)
            raise ClientError({"Error": {"Code": code, "Message": message}}, "CreateFunction")
        return {"FunctionArn": "arn:ok"}


_UNASSUMABLE = (
    "InvalidParameterValueException",
    "The role defined for the function cannot be assumed by Lambda.",
)


def test_create_function_waits_out_iam_propagation() -> None:
    lam, sleeps = _FlakyLambda([_UNASSUMABLE, _UNASSUMABLE]), []
    assert create_function(lam, {}, attempts=5, delay=2.0, sleep=sleeps.append)["FunctionArn"]
    assert (lam.calls, sleeps) == (3, [2.0, 2.0])


def test_create_function_retry_is_bounded_and_narrow() -> None:
    lam = _FlakyLambda([_UNASSUMABLE] * 3)
    with pytest.raises(ClientError):
        create_function(lam, {}, attempts=3, delay=0, sleep=lambda _: None)
    assert lam.calls == 3
    other = _FlakyLambda([("InvalidParameterValueException", "Unzipped size must be smaller")])
    with pytest.raises(ClientError):
        create_function(other, {}, attempts=3, delay=0, sleep=lambda _: None)
    assert other.calls == 1


def test_only_the_function_that_claims_steps_may_delete_run_objects() -> None:
    """Layer 1's completing backward arrival, in the neuron function, claims each step and
    prunes the parameter versions left behind."""
    spec = build_stack(_names(max_depth=2))
    docs = {r.function: json.loads(policy_document(r.statements)) for r in spec.roles}
    deleters = {
        fn
        for fn, doc in docs.items()
        for statement in doc["Statement"]
        if "s3:DeleteObject" in statement["Action"]
    }
    assert deleters == {"lnn-neuron"}
    publishes = {
        fn: {t for s in doc["Statement"] if s["Sid"] == "Publish" for t in s["Resource"]}
        for fn, doc in docs.items()
    }
    train_topic = spec.names.topic_arn(spec.names.train_topic)
    assert all(train_topic not in topics for topics in publishes.values())


def _topic_policies(spec: StackSpec) -> dict[str, dict[str, Any]]:
    names = spec.names
    return {
        t.key: json.loads(topic_policy(names.topic_arn(t.name), names.account_arn, t.publishers))
        for t in spec.topics
    }


def test_only_the_stacks_functions_may_publish_on_the_network_topic() -> None:
    spec = build_stack(_names(max_depth=2))
    network = {s["Sid"]: s for s in _topic_policies(spec)["network"]["Statement"]}
    roles = [f"arn:aws:iam::{ACCOUNT}:role/lnn-{k}-role" for k in ("trainer", "neuron", "loss")]
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:lnn-network"
    assert network["StackFunctionsPublish"]["Condition"] == {
        "ArnEquals": {"aws:PrincipalArn": roles}
    }
    deny = network["NobodyElsePublishes"]
    assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", "*", "sns:Publish")
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": roles}}
    manage = network["AccountManages"]
    assert manage["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert "sns:Publish" not in manage["Action"] and "sns:Subscribe" in manage["Action"]
    assert all(s["Resource"] == topic for s in network.values())


def test_the_train_and_events_topics_stay_open_to_the_account() -> None:
    policies = _topic_policies(build_stack(_names(max_depth=2)))
    for key in ("train", "events"):
        statements = {s["Sid"]: s for s in policies[key]["Statement"]}
        assert set(statements) == {"AccountManages", "AccountPublishes"}
        publish = statements["AccountPublishes"]
        assert publish["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
        assert (publish["Effect"], publish["Action"]) == ("Allow", "sns:Publish")
        assert "Condition" not in publish


def test_only_the_trainer_reads_shared_inputs() -> None:
    spec = build_stack(_names(max_depth=2))
    readers = {
        r.function: s.resources for r in spec.roles for s in r.statements if s.sid == "InputObjects"
    }
    assert readers == {"lnn-trainer": (f"arn:aws:s3:::lnn-{ACCOUNT}-us-east-1/inputs/*",)}
