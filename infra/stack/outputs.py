"""What a deployed stack exposes to its callers; JSON round-trippable."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from infra.stack.environment import stack_environment
from infra.stack.exceptions import StackConfigError
from messages.function_sizes import DEFAULT_FUNCTION_SIZES, FunctionSizeError, FunctionSizes

__all__ = ["StackOutputs"]

_MAPS = ("topic_arns", "queue_urls", "function_arns")
_COUNTS = ("max_depth", "max_receives")


@dataclass(frozen=True)
class StackOutputs:
    """Names, ARNs and URLs of a deployed stack.

    `topic_arns` and `function_arns` are keyed train/network/events and trainer/neuron/loss;
    `queue_urls` by logical queue name: trainer, layer-1.., output and each `<name>-dlq`;
    `function_sizes` each function's timeout and memory as deployed.
    """

    stack: str
    region: str
    account_id: str
    max_depth: int
    max_receives: int
    bucket: str
    runs_table: str
    barriers_table: str
    topic_arns: dict[str, str]
    queue_urls: dict[str, str]
    function_arns: dict[str, str]
    function_sizes: FunctionSizes = DEFAULT_FUNCTION_SIZES

    @property
    def train_topic_arn(self) -> str:
        return self.topic_arns["train"]

    @property
    def network_topic_arn(self) -> str:
        return self.topic_arns["network"]

    @property
    def events_topic_arn(self) -> str:
        return self.topic_arns["events"]

    def environment(self, service: str | None = None) -> dict[str, str]:
        """The LNN_* variables the functions get (plus POWERTOOLS_SERVICE_NAME for `service`)."""
        return stack_environment(
            stack=self.stack,
            bucket=self.bucket,
            runs_table=self.runs_table,
            barriers_table=self.barriers_table,
            train_topic_arn=self.train_topic_arn,
            network_topic_arn=self.network_topic_arn,
            events_topic_arn=self.events_topic_arn,
            max_depth=self.max_depth,
            max_receives=self.max_receives,
            function_sizes=self.function_sizes,
            service=service,
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "function_sizes": self.function_sizes.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StackOutputs:
        """Inverse of `to_dict`; raises StackConfigError on a malformed document."""
        try:
            values = {f.name: data[f.name] for f in fields(cls)}
            values["function_sizes"] = FunctionSizes.from_dict(values["function_sizes"])
        except (KeyError, TypeError) as exc:
            raise StackConfigError(f"stack outputs document lacks {exc}") from exc
        except FunctionSizeError as exc:
            raise StackConfigError(f"stack outputs field 'function_sizes': {exc}") from exc
        for name in _MAPS:
            mapping = values[name]
            if not isinstance(mapping, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
            ):
                raise StackConfigError(f"stack outputs field {name!r} must map str to str")
            values[name] = dict(mapping)
        for key in _COUNTS:
            if not isinstance(values[key], int) or isinstance(values[key], bool):
                raise StackConfigError(f"stack outputs field {key!r} must be an integer")
        for key, value in values.items():
            if key in (*_MAPS, *_COUNTS, "function_sizes"):
                continue
            if not isinstance(value, str):
                raise StackConfigError(f"stack outputs field {key!r} must be a string")
        for key in ("train", "network", "events"):
            if key not in values["topic_arns"]:
                raise StackConfigError(f"stack outputs lack the {key!r} topic ARN")
        return cls(**values)
