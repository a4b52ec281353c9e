"""The stack as plain frozen data; `build_stack` derives it from `StackNames`."""

from __future__ import annotations

from dataclasses import dataclass, field

from infra.stack.environment import stack_environment
from infra.stack.exceptions import StackConfigError
from infra.stack.names import FUNCTION_KEYS, StackNames
from infra.stack.policies import PolicyStatement, function_statements
from messages.function_sizes import (
    DEFAULT_FUNCTION_SIZES,
    FunctionSize,
    FunctionSizes,
    visibility_timeout_s,
)

__all__ = [
    "ARCHITECTURES",
    "HANDLERS",
    "MAX_RECEIVE_COUNT",
    "BucketSpec",
    "FunctionSpec",
    "MappingSpec",
    "QueueSpec",
    "RoleSpec",
    "StackSpec",
    "SubscriptionSpec",
    "TableSpec",
    "TopicSpec",
    "build_stack",
]

ARCHITECTURES = ("x86_64", "arm64")
HANDLERS = {key: f"functions.handlers.{key}.handler" for key in FUNCTION_KEYS}
# The functions that publish network tasks; the network topic's policy admits them alone.
_NETWORK_PUBLISHERS = ("trainer", "neuron", "loss")
# Deliveries a message gets before SQS moves it to its DLQ; the functions read it too.
MAX_RECEIVE_COUNT = 5
# A dead letter the consumer cannot attribute to a run stays in its DLQ for people to read;
# it comes back to the consumer twice a day rather than in a loop.
_DEAD_LETTER_VISIBILITY = 12 * 3600
_FOUR_DAYS = 4 * 24 * 3600
_FOURTEEN_DAYS = 14 * 24 * 3600


@dataclass(frozen=True)
class QueueSpec:
    key: str
    name: str
    dlq_name: str
    visibility_timeout: int
    max_receive_count: int = MAX_RECEIVE_COUNT
    dlq_visibility_timeout: int = _DEAD_LETTER_VISIBILITY
    message_retention: int = _FOUR_DAYS
    dlq_message_retention: int = _FOURTEEN_DAYS


@dataclass(frozen=True)
class TopicSpec:
    key: str
    name: str
    publishers: tuple[str, ...] = ()  # role ARNs that alone may publish; () = the account


@dataclass(frozen=True)
class SubscriptionSpec:
    topic: str
    queue: str
    raw_delivery: bool = True
    filter_policy: dict[str, list[str]] | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    partition_key: str
    sort_key: str | None = None
    ttl_attribute: str = "expires_at"


@dataclass(frozen=True)
class BucketSpec:
    name: str
    encryption: str = "AES256"
    block_public_access: bool = True


@dataclass(frozen=True)
class RoleSpec:
    name: str
    function: str
    statements: tuple[PolicyStatement, ...]

    @property
    def policy_name(self) -> str:
        return f"{self.name}-policy"


@dataclass(frozen=True)
class FunctionSpec:
    key: str
    name: str
    handler: str
    role: str
    timeout: int
    memory: int
    environment: dict[str, str] = field(default_factory=dict)
    runtime: str = "python3.12"
    architecture: str = "x86_64"


@dataclass(frozen=True)
class MappingSpec:
    queue: str
    function: str
    batch_size: int = 10
    batching_window: int = 0
    function_response_types: tuple[str, ...] = ("ReportBatchItemFailures",)
    enabled: bool = True


@dataclass(frozen=True)
class StackSpec:
    names: StackNames
    bucket: BucketSpec
    tables: tuple[TableSpec, ...]
    topics: tuple[TopicSpec, ...]
    queues: tuple[QueueSpec, ...]
    subscriptions: tuple[SubscriptionSpec, ...]
    roles: tuple[RoleSpec, ...]
    functions: tuple[FunctionSpec, ...]
    mappings: tuple[MappingSpec, ...]

    def function(self, key: str) -> FunctionSpec:
        return next(f for f in self.functions if f.key == key)

    @property
    def sizes(self) -> FunctionSizes:
        return FunctionSizes.of({f.key: FunctionSize(f.timeout, f.memory) for f in self.functions})

    @property
    def local_runner(self) -> bool:
        """Every mapping deployed disabled: a LambdaRunner from a checkout serves the
        functions (`lnn up --endpoint-url`), not the endpoint's Lambda service. Then a
        function the endpoint cannot run (LocalStack without Docker: State Failed) is only
        a record of handler, settings and environment for that runner, not a deploy error."""
        return bool(self.mappings) and not any(m.enabled for m in self.mappings)


def _check(architecture: str) -> None:
    if architecture not in ARCHITECTURES:
        raise StackConfigError(f"architecture {architecture!r} is not one of {ARCHITECTURES}")


def _environment(
    n: StackNames, service: str, max_receives: int, sizes: FunctionSizes
) -> dict[str, str]:
    return stack_environment(
        stack=n.stack,
        bucket=n.bucket,
        runs_table=n.runs_table,
        barriers_table=n.barriers_table,
        train_topic_arn=n.topic_arn(n.train_topic),
        network_topic_arn=n.topic_arn(n.network_topic),
        events_topic_arn=n.topic_arn(n.events_topic),
        max_depth=n.max_depth,
        max_receives=max_receives,
        function_sizes=sizes,
        service=service,
    )


def _queue(names: StackNames, name: str, visibility: int, max_receives: int) -> QueueSpec:
    return QueueSpec(names.queue_key(name), name, names.dlq(name), visibility, max_receives)


def build_stack(
    names: StackNames,
    *,
    sizes: FunctionSizes = DEFAULT_FUNCTION_SIZES,
    architecture: str = "x86_64",
    mappings_enabled: bool = True,
    max_receive_count: int = MAX_RECEIVE_COUNT,
) -> StackSpec:
    """The whole stack; `mappings_enabled=False` leaves SQS polling to an external runner.
    Each function gets its `sizes`; each queue hides a received message for
    visibility_timeout_s of its consumer's timeout."""
    _check(architecture)
    n = names
    topics = (n.train_topic, n.network_topic, n.events_topic)
    consumed = {
        "trainer": (n.trainer_queue,),
        "neuron": n.layer_queues,
        "loss": (n.output_queue,),
        "deadletters": n.dead_letter_queues,
    }
    layer_subs = tuple(
        SubscriptionSpec(
            n.network_topic, n.layer_queue(layer), filter_policy={"layer": [str(layer)]}
        )
        for layer in range(1, n.max_depth + 1)
    )
    return StackSpec(
        names=n,
        bucket=BucketSpec(n.bucket),
        tables=(TableSpec(n.runs_table, "pk", "sk"), TableSpec(n.barriers_table, "pk")),
        topics=tuple(
            TopicSpec(
                n.queue_key(t),
                t,
                tuple(n.role_arn(k) for k in _NETWORK_PUBLISHERS) if t == n.network_topic else (),
            )
            for t in topics
        ),
        queues=tuple(
            _queue(n, q, visibility_timeout_s(sizes[k].timeout_s), max_receive_count)
            for k, queues in consumed.items()
            if k != "deadletters"
            for q in queues
        ),
        subscriptions=(
            SubscriptionSpec(n.train_topic, n.trainer_queue),
            *layer_subs,
            SubscriptionSpec(n.network_topic, n.output_queue, filter_policy={"layer": ["out"]}),
        ),
        roles=tuple(
            RoleSpec(
                n.role(k),
                n.function(k),
                function_statements(
                    n,
                    n.function(k),
                    q,
                    # The train topic is the public door: no function publishes there.
                    (n.events_topic,) if k == "deadletters" else (n.network_topic, n.events_topic),
                    # The arrival that claims a step prunes the old versions (protocol.trainer).
                    prunes_objects=k == "neuron",
                    reads_inputs=k == "trainer",
                ),
            )
            for k, q in consumed.items()
        ),
        functions=tuple(
            FunctionSpec(
                key=k,
                name=n.function(k),
                handler=HANDLERS[k],
                role=n.role(k),
                timeout=sizes[k].timeout_s,
                memory=sizes[k].memory_mb,
                environment=_environment(n, k, max_receive_count, sizes),
                architecture=architecture,
            )
            for k in FUNCTION_KEYS
        ),
        mappings=tuple(
            MappingSpec(q, n.function(k), enabled=mappings_enabled)
            for k, queues in consumed.items()
            for q in queues
        ),
    )
