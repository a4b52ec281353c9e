"""boto3 clients for one target (session + optional endpoint) and small error helpers."""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from functions.aws.clients import CALL_ATTEMPTS, CALL_TIMEOUT_S
from infra.stack.exceptions import DeployError, StackConfigError
from infra.stack.names import StackNames

__all__ = [
    "AWS_ERRORS",
    "CLIENT_LIMITS",
    "EMULATOR_REGION",
    "Clients",
    "Session",
    "aws_errors",
    "error_code",
    "make_session",
    "poll",
    "resolve_names",
    "retry_propagation",
    "unanswered",
]

T = TypeVar("T")

# What the SDK raises when AWS (or an emulator) refuses a call or cannot be reached.
AWS_ERRORS = (BotoCoreError, ClientError)
Session = boto3.Session
"""Credentials and a region: what every command that reaches AWS or an emulator starts from."""

# Emulators (LocalStack, `lnn up`) accept any credentials and default to this region.
EMULATOR_REGION = "us-east-1"
_EMULATOR_KEY = "test"

# What the SDK raises when the API did not answer at all (refused, reset, timed out), as
# opposed to answering with an error: a client cannot tell a dead stack from a slow one.
_UNANSWERED = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
)


@dataclass(frozen=True)
class _ApiLimits:
    """How long one API call may take: each attempt's connect and read timeouts (a read
    timeout bounds each wait for bytes, not a whole transfer) and the attempts in all."""

    connect_s: float
    read_s: float
    attempts: int

    def config(self) -> Config:
        return Config(
            connect_timeout=self.connect_s,
            read_timeout=self.read_s,
            retries={"mode": "standard", "max_attempts": self.attempts},
        )


# Deploys, teardowns and the local runner: botocore's own timeouts (a first DynamoDB or
# Lambda call may start LocalStack's backend), five attempts as before.
_DEFAULT_LIMITS = _ApiLimits(
    connect_s=CALL_TIMEOUT_S, read_s=CALL_TIMEOUT_S, attempts=CALL_ATTEMPTS
)
# The user's commands (status, follow, train on an endpoint, ...) make small calls: an API
# that has not answered one within 10 s is frozen or gone, and three attempts (about 35 s
# for a frozen server, at most about 50 s) are all a user should wait before hearing so,
# not botocore's ~6 minutes.
CLIENT_LIMITS = _ApiLimits(connect_s=5, read_s=10, attempts=3)


class _LimitedSession(boto3.Session):
    """A session whose `Clients` keep to ``limits`` (a plain session's get _DEFAULT_LIMITS):
    the limits travel with the session, so a stack lookup made from it keeps to them too."""

    def __init__(self, *, limits: _ApiLimits, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limits = limits


def unanswered(exc: BaseException) -> BaseException | None:
    """The SDK's "the API did not answer" error that caused ``exc`` (itself, or one on its
    ``__cause__``/``__context__`` chain, as when aws_errors wrapped it); None otherwise."""
    seen: set[int] = set()
    found: BaseException | None = exc
    while found is not None and id(found) not in seen:
        if isinstance(found, _UNANSWERED):
            return found
        seen.add(id(found))
        found = found.__cause__ or found.__context__
    return None


# A client costs about 20 ms to create (model loading, endpoint resolution): one deploy and
# stack lookup asked for the same eight several times. Clients are kept per session object
# and forgotten with it; the key holds whatever the clients were made from.
_ClientsKey = tuple[str | None, str | None, bool, _ApiLimits]
_made: weakref.WeakKeyDictionary[boto3.Session, dict[_ClientsKey, Clients]] = (
    weakref.WeakKeyDictionary()
)
_made_lock = threading.Lock()


@dataclass(frozen=True)
class Clients:
    """The service clients deploy/teardown/describe use, all bound to one region and endpoint."""

    region: str
    sqs: Any
    sns: Any
    dynamodb: Any
    s3: Any
    iam: Any
    lambda_: Any
    logs: Any
    sts: Any

    @classmethod
    def create(cls, session: boto3.Session, endpoint_url: str | None = None) -> Clients:
        """The session's clients for `endpoint_url`, made on first use and then reused."""
        region = session.region_name
        if not region:
            raise StackConfigError("no AWS region configured: set AWS_DEFAULT_REGION")
        # Emulators on loopback cannot serve virtual-hosted bucket names.
        emulated = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3")
        emulated = emulated or os.environ.get("AWS_ENDPOINT_URL")
        limits = session.limits if isinstance(session, _LimitedSession) else _DEFAULT_LIMITS
        key = (region, endpoint_url, bool(emulated), limits)
        with _made_lock:
            known = _made.setdefault(session, {})
            if key not in known:
                known[key] = cls._make(
                    session, region, endpoint_url, path_style=bool(emulated), limits=limits
                )
            return known[key]

    @classmethod
    def _make(
        cls,
        session: boto3.Session,
        region: str,
        endpoint_url: str | None,
        *,
        path_style: bool,
        limits: _ApiLimits,
    ) -> Clients:
        base = limits.config()
        s3_config = base.merge(Config(s3={"addressing_style": "path"})) if path_style else base

        def make(service: str, config: Config = base) -> Any:
            return session.client(service, endpoint_url=endpoint_url, config=config)

        return cls(
            region=region,
            sqs=make("sqs"),
            sns=make("sns"),
            dynamodb=make("dynamodb"),
            s3=make("s3", s3_config),
            iam=make("iam"),
            lambda_=make("lambda"),
            logs=make("logs"),
            sts=make("sts"),
        )

    def account_id(self) -> str:
        return str(self.sts.get_caller_identity()["Account"])


def resolve_names(
    session: boto3.Session,
    *,
    stack: str = "lnn",
    max_depth: int = 8,
    endpoint_url: str | None = None,
) -> StackNames:
    """StackNames for the session's region and the caller's account (via STS)."""
    clients = Clients.create(session, endpoint_url)
    with aws_errors(f"resolve the account of stack {stack!r}"):
        account = clients.account_id()
    return StackNames(stack=stack, region=clients.region, account_id=account, max_depth=max_depth)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def error_message(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        text = f"{err.get('Code', '')}: {err.get('Message', '')}"
    else:
        text = str(exc)
    return " ".join(text.split())


@contextmanager
def aws_errors(action: str) -> Iterator[None]:
    """Turn botocore failures into a one-line DeployError naming the action."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise DeployError(f"could not {action}: {error_message(exc)}") from exc


def poll(check: Callable[[], bool], *, what: str, timeout: float, interval: float = 1.0) -> None:
    """Call `check` until it returns True; DeployError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() >= deadline:
            raise DeployError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def retry_propagation(
    call: Callable[[], T],
    *,
    hint: str,
    attempts: int,
    delay: float,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Retry `call` while AWS rejects it with InvalidParameterValueException mentioning `hint`.

    IAM changes take seconds to reach Lambda; this bounds the wait instead of failing a deploy.
    """
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except ClientError as exc:
            message = str(exc.response.get("Error", {}).get("Message", ""))
            transient = error_code(exc) == "InvalidParameterValueException" and hint in message
            if not transient or attempt == attempts:
                raise
        sleep(delay)
    raise ValueError(f"attempts must be at least 1, got {attempts}")


def make_session(
    *,
    region: str | None = None,
    endpoint_url: str | None = None,
    limits: _ApiLimits | None = None,
) -> boto3.Session:
    """The ambient AWS session; for an emulator endpoint, fake credentials fill any gap.
    With ``limits``, a _LimitedSession: its clients give up on an API that does not answer."""

    def new(**options: Any) -> boto3.Session:
        return (
            boto3.Session(**options)
            if limits is None
            else _LimitedSession(limits=limits, **options)
        )

    session = new(region_name=region) if region else new()
    if not (endpoint_url or os.environ.get("AWS_ENDPOINT_URL")):
        return session
    region = session.region_name or EMULATOR_REGION
    if session.get_credentials() is None:
        return new(
            aws_access_key_id=_EMULATOR_KEY,
            aws_secret_access_key=_EMULATOR_KEY,
            region_name=region,
        )
    return new(region_name=region)
