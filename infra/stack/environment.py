"""The environment variables every function of the stack gets (one source for spec and outputs)."""

from __future__ import annotations

from messages.function_sizes import FunctionSizes

__all__ = ["stack_environment"]


def stack_environment(
    *,
    stack: str,
    bucket: str,
    runs_table: str,
    barriers_table: str,
    train_topic_arn: str,
    network_topic_arn: str,
    events_topic_arn: str,
    max_depth: int,
    max_receives: int,
    function_sizes: FunctionSizes,
    service: str | None = None,
) -> dict[str, str]:
    """LNN_* settings; `service` (trainer/neuron/loss) adds POWERTOOLS_SERVICE_NAME."""
    env = {
        "LNN_STACK": stack,
        "LNN_BUCKET": bucket,
        "LNN_RUNS_TABLE": runs_table,
        "LNN_BARRIERS_TABLE": barriers_table,
        "LNN_TRAIN_TOPIC_ARN": train_topic_arn,
        "LNN_NETWORK_TOPIC_ARN": network_topic_arn,
        "LNN_EVENTS_TOPIC_ARN": events_topic_arn,
        "LNN_MAX_DEPTH": str(max_depth),
        "LNN_MAX_RECEIVES": str(max_receives),
        # Every function's, so that one can judge what another can serve.
        "LNN_FUNCTION_SIZES": function_sizes.encode(),
    }
    if service is not None:
        env["POWERTOOLS_SERVICE_NAME"] = service
    return env
