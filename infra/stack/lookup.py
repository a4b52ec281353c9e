"""Find a deployed stack knowing only its name (its depth, receive count and function sizes
are read from the trainer function's environment)."""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infra.stack.aws import Clients, aws_errors, error_code, resolve_names
from infra.stack.deploy import describe_stack
from infra.stack.names import MAX_STACK_DEPTH
from infra.stack.outputs import StackOutputs
from infra.stack.spec import build_stack
from messages.function_sizes import FunctionSizeError, FunctionSizes

__all__ = ["find_stack"]


def _trainer_env(clients: Clients, function: str) -> dict[str, Any]:
    try:
        config = clients.lambda_.get_function_configuration(FunctionName=function)
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return {}
        raise
    return dict(config.get("Environment", {}).get("Variables", {}))


def find_stack(
    session: boto3.Session, *, stack: str = "lnn", endpoint_url: str | None = None
) -> StackOutputs | None:
    """Outputs of stack `stack` in the session's account and region; None when absent."""
    names = resolve_names(session, stack=stack, endpoint_url=endpoint_url)
    with aws_errors(f"look up stack {stack}"):
        env = _trainer_env(Clients.create(session, endpoint_url), names.function("trainer"))
    depth = str(env.get("LNN_MAX_DEPTH", ""))
    if depth.isdigit() and 1 <= int(depth) <= MAX_STACK_DEPTH:
        names = dataclasses.replace(names, max_depth=int(depth))
    receives = str(env.get("LNN_MAX_RECEIVES", ""))
    options: dict[str, Any] = {}
    if receives.isdigit():
        options["max_receive_count"] = int(receives)
    # A stack deployed before sizes were settings is described with the defaults.
    with contextlib.suppress(KeyError, FunctionSizeError):
        options["sizes"] = FunctionSizes.decode(str(env["LNN_FUNCTION_SIZES"]))
    spec = build_stack(names, **options)
    return describe_stack(spec, session=session, endpoint_url=endpoint_url)
