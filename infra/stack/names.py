"""Physical names and ARNs of every resource in one stack."""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra.stack.exceptions import StackConfigError
from messages.function_sizes import FUNCTION_KEYS

__all__ = ["FUNCTION_KEYS", "MAX_STACK_DEPTH", "StackNames"]

MAX_STACK_DEPTH = 32
_STACK_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_ACCOUNT_RE = re.compile(r"^\d{12}$")


@dataclass(frozen=True, kw_only=True)
class StackNames:
    """Names derived from (stack, region, account id, max depth); validated on creation."""

    stack: str = "lnn"
    region: str
    account_id: str
    max_depth: int = 8

    def __post_init__(self) -> None:
        if not _STACK_RE.match(self.stack):
            raise StackConfigError(
                f"invalid stack name {self.stack!r}: use 1-31 of a-z, 0-9, '-', starting a-z"
            )
        if not _REGION_RE.match(self.region):
            raise StackConfigError(f"invalid AWS region {self.region!r}")
        if not _ACCOUNT_RE.match(self.account_id):
            raise StackConfigError(f"invalid AWS account id {self.account_id!r}: need 12 digits")
        if not 1 <= self.max_depth <= MAX_STACK_DEPTH:
            raise StackConfigError(
                f"invalid max depth {self.max_depth}: need 1..{MAX_STACK_DEPTH} layers"
            )

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    @property
    def bucket(self) -> str:
        return f"{self.stack}-{self.account_id}-{self.region}".lower()

    @property
    def trainer_queue(self) -> str:
        return f"{self.stack}-trainer"

    def layer_queue(self, layer: int) -> str:
        if not 1 <= layer <= self.max_depth:
            raise StackConfigError(f"layer {layer} is outside 1..{self.max_depth}")
        return f"{self.stack}-layer-{layer}"

    @property
    def layer_queues(self) -> tuple[str, ...]:
        return tuple(self.layer_queue(layer) for layer in range(1, self.max_depth + 1))

    @property
    def output_queue(self) -> str:
        return f"{self.stack}-output"

    @property
    def queues(self) -> tuple[str, ...]:
        """The work queues (not their DLQs), trainer first, output last."""
        return (self.trainer_queue, *self.layer_queues, self.output_queue)

    @staticmethod
    def dlq(queue: str) -> str:
        return f"{queue}-dlq"

    @property
    def dead_letter_queues(self) -> tuple[str, ...]:
        return tuple(self.dlq(queue) for queue in self.queues)

    def queue_key(self, queue: str) -> str:
        """Logical name of a queue or DLQ: 'trainer', 'layer-3', 'output-dlq', ..."""
        return queue.removeprefix(f"{self.stack}-")

    @property
    def train_topic(self) -> str:
        return f"{self.stack}-train"

    @property
    def network_topic(self) -> str:
        return f"{self.stack}-network"

    @property
    def events_topic(self) -> str:
        return f"{self.stack}-events"

    @property
    def runs_table(self) -> str:
        return f"{self.stack}-runs"

    @property
    def barriers_table(self) -> str:
        return f"{self.stack}-barriers"

    def function(self, key: str) -> str:
        if key not in FUNCTION_KEYS:
            raise StackConfigError(f"unknown function {key!r}: expected one of {FUNCTION_KEYS}")
        return f"{self.stack}-{key}"

    def role(self, key: str) -> str:
        return f"{self.function(key)}-role"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    def queue_arn(self, queue: str) -> str:
        return self.arn("sqs", queue)

    def topic_arn(self, topic: str) -> str:
        return self.arn("sns", topic)

    def table_arn(self, table: str) -> str:
        return self.arn("dynamodb", f"table/{table}")

    def function_arn(self, key: str) -> str:
        return self.arn("lambda", f"function:{self.function(key)}")

    def role_arn(self, key: str) -> str:
        return self.arn("iam", f"role/{self.role(key)}", regional=False)

    @property
    def account_arn(self) -> str:
        """The account as a principal: its root user, and any of its principals whose own
        IAM policies allow the action."""
        return self.arn("iam", "root", regional=False)

    @property
    def bucket_arn(self) -> str:
        return f"arn:{self.partition}:s3:::{self.bucket}"
