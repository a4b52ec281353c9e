"""Lambda functions (create or update code and configuration) and their log groups."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from infra.stack.aws import Clients, error_code, error_message, poll, retry_propagation
from infra.stack.exceptions import DeployError
from infra.stack.spec import FunctionSpec, StackSpec

__all__ = [
    "create_function",
    "delete_functions",
    "ensure_functions",
    "failed_functions",
    "find_function_arns",
    "function_states",
]

DIRECT_UPLOAD_LIMIT = 45 * 1024 * 1024  # the API takes zips up to 50 MB inline
ROLE_RETRY_ATTEMPTS = 12
ROLE_RETRY_DELAY = 5.0
_READY_TIMEOUT = 180.0


def _find(lam: Any, name: str) -> dict[str, Any] | None:
    try:
        return dict(lam.get_function_configuration(FunctionName=name))
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise


def _config(fn: FunctionSpec, role_arn: str) -> dict[str, Any]:
    return {
        "Runtime": fn.runtime,
        "Role": role_arn,
        "Handler": fn.handler,
        "Timeout": fn.timeout,
        "MemorySize": fn.memory,
        "Environment": {"Variables": dict(fn.environment)},
    }


def _config_differs(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    env = current.get("Environment", {}).get("Variables", {})
    if env != wanted["Environment"]["Variables"]:
        return True
    return any(current.get(k) != v for k, v in wanted.items() if k != "Environment")


def create_function(
    lam: Any,
    params: dict[str, Any],
    *,
    attempts: int = ROLE_RETRY_ATTEMPTS,
    delay: float = ROLE_RETRY_DELAY,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """CreateFunction, retried while a fresh IAM role cannot yet be assumed by Lambda."""
    return dict(
        retry_propagation(
            lambda: lam.create_function(**params),
            hint="cannot be assumed",
            attempts=attempts,
            delay=delay,
            sleep=sleep,
        )
    )


def _wait_ready(lam: Any, name: str, *, after_change: bool = True) -> None:
    """Wait until the function is neither Pending nor mid-update, where the API reports that.

    Inactive (idle) functions count as ready: an update reactivates them. A Failed state
    is an error only right after our own change; an old failure is what a redeploy repairs.
    """

    def ready() -> bool:
        cfg = lam.get_function_configuration(FunctionName=name)
        state, update = cfg.get("State", "Active"), cfg.get("LastUpdateStatus", "Successful")
        if after_change and "Failed" in (state, update):
            reason = cfg.get("StateReason") or cfg.get("LastUpdateStatusReason") or "no reason"
            raise DeployError(f"function {name} failed: {' '.join(str(reason).split())}")
        return state != "Pending" and update != "InProgress"

    poll(ready, what=f"function {name} to become ready", timeout=_READY_TIMEOUT)


def _code_source(spec: StackSpec, clients: Clients, bundle: bytes) -> dict[str, Any]:
    """Inline zip when small enough, else an S3 object outside the functions' runs/ prefix."""
    if len(bundle) <= DIRECT_UPLOAD_LIMIT:
        return {"ZipFile": bundle}
    key = f"deploy/bundle-{hashlib.sha256(bundle).hexdigest()}.zip"
    clients.s3.put_object(Bucket=spec.bucket.name, Key=key, Body=bundle)
    return {"S3Bucket": spec.bucket.name, "S3Key": key}


def _failed(cfg: dict[str, Any]) -> bool:
    return cfg.get("State") == "Failed"


def _update_configuration(lam: Any, fn: FunctionSpec, wanted: dict[str, Any]) -> None:
    try:
        lam.update_function_configuration(FunctionName=fn.name, **wanted)
    except ClientError as exc:
        current = _find(lam, fn.name) or {}
        if error_code(exc) != "InternalError" or not _failed(current):
            raise
        # LocalStack 4.14.0 without Docker: a Failed function can be neither updated nor
        # deleted ("Unable to find version manager"); only a restart of LocalStack clears it.
        raise DeployError(
            f"function {fn.name} is Failed on this endpoint, which cannot update it "
            f"({error_message(exc)}); its settings differ from this deploy's: restart the "
            "emulator or deploy under another --stack"
        ) from exc
    _wait_ready(lam, fn.name)


def _ensure_one(
    lam: Any,
    fn: FunctionSpec,
    role_arn: str,
    code: dict[str, Any],
    sha: str,
    *,
    local_runner: bool = False,
) -> str:
    """Create or update one function. For a local runner (`local_runner`) the function is a
    record of handler, settings and environment: that it cannot run on the endpoint (State
    Failed) is no error, and its code, which is not what runs, is left as it is there."""
    current = _find(lam, fn.name)
    wanted = _config(fn, role_arn)
    if current is None:
        params = {"FunctionName": fn.name, "Code": code, "Architectures": [fn.architecture]}
        current = create_function(lam, {**params, **wanted, "Publish": False})
        _wait_ready(lam, fn.name, after_change=not local_runner)
        return str(current["FunctionArn"])
    _wait_ready(lam, fn.name, after_change=False)
    current = _find(lam, fn.name) or current
    stale = current.get("CodeSha256") != sha or current.get("LastUpdateStatus") == "Failed"
    stale = stale or current.get("Architectures") != [fn.architecture]
    if stale and not (local_runner and _failed(current)):
        lam.update_function_code(FunctionName=fn.name, Architectures=[fn.architecture], **code)
        _wait_ready(lam, fn.name, after_change=not local_runner)
    if _config_differs(current, wanted):
        _update_configuration(lam, fn, wanted)
    return str(current["FunctionArn"])


def ensure_functions(
    spec: StackSpec, clients: Clients, role_arns: dict[str, str], bundle: bytes
) -> dict[str, str]:
    """Create or update every function; returns function ARNs by key (trainer/neuron/loss)."""
    code = _code_source(spec, clients, bundle)
    sha = base64.b64encode(hashlib.sha256(bundle).digest()).decode()
    return {
        fn.key: _ensure_one(
            clients.lambda_, fn, role_arns[fn.role], code, sha, local_runner=spec.local_runner
        )
        for fn in spec.functions
    }


def function_states(spec: StackSpec, clients: Clients) -> dict[str, str]:
    """Each deployed function's Lambda State (Active, Inactive, Pending, Failed) by name."""
    found = {fn.name: _find(clients.lambda_, fn.name) for fn in spec.functions}
    return {name: str(cfg.get("State", "Active")) for name, cfg in found.items() if cfg}


def find_function_arns(spec: StackSpec, clients: Clients) -> dict[str, str | None]:
    found = {fn.key: _find(clients.lambda_, fn.name) for fn in spec.functions}
    return {k: (str(c["FunctionArn"]) if c else None) for k, c in found.items()}


def failed_functions(spec: StackSpec, clients: Clients) -> list[FunctionSpec]:
    """The stack's functions whose Lambda State is Failed."""
    return [fn for fn in spec.functions if _failed(_find(clients.lambda_, fn.name) or {})]


def delete_functions(
    spec: StackSpec, clients: Clients, functions: list[FunctionSpec] | None = None
) -> tuple[list[str], dict[str, str]]:
    """Delete the functions (default: all of the stack's) and the log groups Lambda created
    for them.

    Returns the removals ('kind:name') and the functions left behind with the reason: a
    Failed function that the endpoint refuses to delete with an InternalError (LocalStack
    4.14.0 without Docker, "Unable to find version manager"); a restart of LocalStack
    removes it. Any other refusal is raised.
    """
    removed: list[str] = []
    left: dict[str, str] = {}
    for fn in spec.functions if functions is None else functions:
        try:
            clients.lambda_.delete_function(FunctionName=fn.name)
            removed.append(f"function:{fn.name}")
        except ClientError as exc:
            stuck = error_code(exc) == "InternalError"
            if stuck and _failed(_find(clients.lambda_, fn.name) or {}):
                left[f"function:{fn.name}"] = (
                    f"Failed, and the endpoint refuses to delete it ({error_code(exc)})"
                )
            elif error_code(exc) != "ResourceNotFoundException":
                raise
        group = f"/aws/lambda/{fn.name}"
        try:
            clients.logs.delete_log_group(logGroupName=group)
            removed.append(f"log-group:{group}")
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
    return removed, left
