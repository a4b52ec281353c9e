"""Where the stack lives, read from the function's environment (set by the deploy)."""

import os
from dataclasses import dataclass

from functions.protocol.exceptions import ConfigurationError


@dataclass(frozen=True)
class StackSettings:
    bucket: str
    runs_table: str
    barriers_table: str
    train_topic_arn: str
    network_topic_arn: str
    events_topic_arn: str
    max_depth: int
    max_receives: int  # the queues' maxReceiveCount: the last delivery a message gets

    @classmethod
    def from_env(cls) -> "StackSettings":
        try:
            return cls(
                bucket=os.environ["LNN_BUCKET"],
                runs_table=os.environ["LNN_RUNS_TABLE"],
                barriers_table=os.environ["LNN_BARRIERS_TABLE"],
                train_topic_arn=os.environ["LNN_TRAIN_TOPIC_ARN"],
                network_topic_arn=os.environ["LNN_NETWORK_TOPIC_ARN"],
                events_topic_arn=os.environ["LNN_EVENTS_TOPIC_ARN"],
                max_depth=int(os.environ["LNN_MAX_DEPTH"]),
                max_receives=int(os.environ["LNN_MAX_RECEIVES"]),
            )
        except KeyError as exc:
            raise ConfigurationError(f"environment variable {exc.args[0]} is not set") from exc
