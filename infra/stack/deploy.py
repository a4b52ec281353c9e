"""Idempotent deploy, teardown and describe of a `StackSpec` with boto3."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

import boto3

from infra.stack import iam, lambdas, mappings, queues, storage, topics
from infra.stack.aws import Clients, aws_errors
from infra.stack.exceptions import StackConfigError, StackNotDeployedError
from infra.stack.outputs import StackOutputs
from infra.stack.spec import StackSpec

__all__ = ["Teardown", "deploy_stack", "describe_stack", "function_states", "teardown_stack"]


@dataclass(frozen=True)
class Teardown:
    """What a teardown removed ('kind:name') and what it had to leave, with the reason."""

    removed: list[str]
    left: dict[str, str] = field(default_factory=dict)


def _clients(spec: StackSpec, session: boto3.Session, endpoint_url: str | None) -> Clients:
    """Clients for the target, refusing a spec built for another region or account."""
    clients = Clients.create(session, endpoint_url)
    names = spec.names
    if clients.region != names.region:
        raise StackConfigError(
            f"stack {names.stack} is for {names.region} but the session targets {clients.region}"
        )
    with aws_errors("identify the AWS account (sts:GetCallerIdentity)"):
        account = clients.account_id()
    if account != names.account_id:
        raise StackConfigError(
            f"stack {names.stack} is for account {names.account_id} but credentials are {account}"
        )
    return clients


def _outputs(
    spec: StackSpec,
    topic_arns: dict[str, str],
    queue_urls: dict[str, str],
    function_arns: dict[str, str],
) -> StackOutputs:
    n = spec.names
    return StackOutputs(
        stack=n.stack,
        region=n.region,
        account_id=n.account_id,
        max_depth=n.max_depth,
        max_receives=spec.queues[0].max_receive_count,
        bucket=spec.bucket.name,
        runs_table=n.runs_table,
        barriers_table=n.barriers_table,
        topic_arns={t.key: topic_arns[t.name] for t in spec.topics},
        queue_urls={n.queue_key(name): url for name, url in sorted(queue_urls.items())},
        function_arns=dict(sorted(function_arns.items())),
        function_sizes=spec.sizes,
    )


def deploy_stack(
    spec: StackSpec,
    *,
    session: boto3.Session,
    bundle: bytes,
    endpoint_url: str | None = None,
) -> StackOutputs:
    """Create or update every resource of `spec`; safe to run again (nothing is duplicated)."""
    if not zipfile.is_zipfile(io.BytesIO(bundle)):
        raise StackConfigError("the Lambda bundle is not a zip archive")
    clients = _clients(spec, session, endpoint_url)
    stack = spec.names.stack
    with aws_errors(f"deploy the storage of stack {stack}"):
        storage.ensure_bucket(spec.bucket, clients)
        storage.ensure_tables(spec, clients)
    with aws_errors(f"deploy the topics and queues of stack {stack}"):
        topic_arns = topics.ensure_topics(spec, clients)
        queue_urls = queues.ensure_queues(spec, clients)
        topics.ensure_subscriptions(spec, clients, topic_arns)
    with aws_errors(f"deploy the functions of stack {stack}"):
        role_arns = iam.ensure_roles(spec, clients)
        function_arns = lambdas.ensure_functions(spec, clients, role_arns, bundle)
        queue_arns = {
            name: spec.names.queue_arn(name) for q in spec.queues for name in (q.name, q.dlq_name)
        }
        mappings.ensure_mappings(spec, clients, queue_arns, function_arns)
    return _outputs(spec, topic_arns, queue_urls, function_arns)


def teardown_stack(
    spec: StackSpec, *, session: boto3.Session, endpoint_url: str | None = None
) -> Teardown:
    """Delete everything `deploy_stack` made (nothing removed if absent).

    A Failed function goes first: where the endpoint refuses to delete it (LocalStack
    without Docker), it is left, and so are its disabled mappings, which LocalStack 4.14.0
    would otherwise keep as "Deleting" for good, refusing to create them again on the next
    deploy; kept, the next deploy finds and reuses them. What is left is in `left`, with
    the reason; everything else must go.
    """
    clients = _clients(spec, session, endpoint_url)
    with aws_errors(f"tear down stack {spec.names.stack}"):
        failed = lambdas.failed_functions(spec, clients)
        removed, left = lambdas.delete_functions(spec, clients, failed)
        kept = {f"function:{fn.name}" for fn in failed} & set(left)
        gone, kept_mappings = mappings.delete_mappings(
            spec, clients, keep_disabled={k.split(":", 1)[1] for k in kept}
        )
        removed += gone
        left.update(kept_mappings)
        others = [fn for fn in spec.functions if fn not in failed]
        gone, others_left = lambdas.delete_functions(spec, clients, others)
        removed += gone
        left.update(others_left)
        removed += iam.delete_roles(spec, clients)
        removed += topics.delete_topics(spec, clients)
        removed += queues.delete_queues(spec, clients)
        removed += storage.delete_tables(spec, clients)
        removed += storage.delete_bucket(spec.bucket, clients)
    return Teardown(removed, left)


def function_states(
    spec: StackSpec, *, session: boto3.Session, endpoint_url: str | None = None
) -> dict[str, str]:
    """The Lambda State of each deployed function of `spec`, by function name."""
    clients = _clients(spec, session, endpoint_url)
    with aws_errors(f"read the functions of stack {spec.names.stack}"):
        return lambdas.function_states(spec, clients)


def describe_stack(
    spec: StackSpec, *, session: boto3.Session, endpoint_url: str | None = None
) -> StackOutputs | None:
    """Outputs of the deployed stack; None when absent, StackNotDeployedError when partial."""
    clients = _clients(spec, session, endpoint_url)
    with aws_errors(f"describe stack {spec.names.stack}"):
        topic_arns = topics.find_topic_arns(spec, clients)
        queue_urls = queues.find_queue_urls(spec, clients)
        function_arns = lambdas.find_function_arns(spec, clients)
        tables = storage.find_tables(spec, clients)
        has_bucket = storage.bucket_exists(clients.s3, spec.bucket.name)
    present = {
        **{f"topic:{k}": v is not None for k, v in topic_arns.items()},
        **{f"queue:{k}": v is not None for k, v in queue_urls.items()},
        **{f"function:{spec.function(k).name}": v is not None for k, v in function_arns.items()},
        **{f"table:{k}": v for k, v in tables.items()},
        f"bucket:{spec.bucket.name}": has_bucket,
    }
    missing = [name for name, ok in present.items() if not ok]
    if len(missing) == len(present):
        return None
    if missing:
        shown = ", ".join(missing[:4]) + (
            f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        )
        raise StackNotDeployedError(
            f"stack {spec.names.stack} is partially deployed (missing {shown}); deploy it again"
        )
    return _outputs(
        spec,
        {k: v for k, v in topic_arns.items() if v},
        {k: v for k, v in queue_urls.items() if v},
        {k: v for k, v in function_arns.items() if v},
    )
