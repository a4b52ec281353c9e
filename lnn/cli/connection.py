"""What every command that talks to a deployed stack shares: its options and its connection."""

import argparse
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from infra.bundle import BundleError
from infra.local import LocalStackError
from infra.stack import StackError
from infra.stack.aws import AWS_ERRORS, CLIENT_LIMITS, make_session
from lnn.cli.errors import UsageError
from lnn.client import StackClient, StackClientError, no_answer


def add_stack_options(p: argparse.ArgumentParser, *, stack: bool = True) -> None:
    if stack:
        p.add_argument("--stack", default="lnn", help="stack name (default: lnn)")
    p.add_argument(
        "--endpoint-url",
        default=None,
        help="AWS API endpoint, e.g. http://127.0.0.1:4566 (default: $AWS_ENDPOINT_URL, else AWS)",
    )
    p.add_argument("--region", default=None, help="AWS region (default: the AWS configuration's)")


def require_listening(endpoint_url: str | None, *, timeout: float = 3.0) -> None:
    """Fail in a second, not after botocore's retries (~20 s), when nothing listens at an
    explicit endpoint (`--endpoint-url` or $AWS_ENDPOINT_URL). AWS itself is not probed."""
    url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    if not url:
        return
    parts = urlsplit(url)
    if not parts.hostname:
        raise UsageError(f"endpoint {url!r} is not a URL like http://127.0.0.1:4566")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(
            f"nothing answers at {url} ({reason}); start `lnn up` or LocalStack, or fix the URL"
        ) from exc


@contextmanager
def stack_errors() -> Iterator[None]:
    """Report stack, bundle and AWS failures as one-line usage errors (exit code 2), except
    an API that did not answer: StackUnreachableError (exit 1, the input was fine)."""
    try:
        yield
    except (
        StackError,
        StackClientError,
        BundleError,
        LocalStackError,
        *AWS_ERRORS,
    ) as exc:
        lost = no_answer(exc)
        if lost is not None:
            raise lost from exc
        raise UsageError(" ".join(str(exc).split())) from exc


def connect(args: argparse.Namespace) -> StackClient:
    require_listening(args.endpoint_url)
    # A user's command: its calls give up on an API that does not answer (CLIENT_LIMITS).
    session = make_session(region=args.region, endpoint_url=args.endpoint_url, limits=CLIENT_LIMITS)
    with stack_errors():
        return StackClient.connect(
            stack=args.stack, session=session, endpoint_url=args.endpoint_url
        )
