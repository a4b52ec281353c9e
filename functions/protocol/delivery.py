"""One delivery: the message being worked on, where the stack lives, and the services it
uses.

- Delivery: when it started, its receive count and its SQS message id, set by ``guarded``
  around the work of one record. The message id makes a claim heal-able without a second
  write: a claim records the id of the message whose delivery made it, and only a
  redelivery of that very message (its process may have died between claiming and
  publishing) publishes again. A duplicate sent separately has another id and is dropped.
- StackSettings: where the stack lives, read from the function's environment (set by the
  deploy).
- Services: the ports a handler works with, and this process's memory, bundled per stack.
"""

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache, cached_property

from functions.ports import Barriers, BlobStore, Bus, RunLedger
from functions.protocol.arrays import ArrayStore, ProcessMemory
from functions.protocol.exceptions import ConfigurationError
from messages.function_sizes import DEFAULT_FUNCTION_SIZES, FunctionSizeError, FunctionSizes


@dataclass(frozen=True)
class Delivery:
    started: float  # Unix seconds
    count: int  # the SQS receive count, from 1
    message_id: str
    redriven_from: str | None = None  # a dead letter's source queue, where SQS says it


_current: ContextVar[Delivery | None] = ContextVar("lnn_delivery", default=None)


@contextmanager
def delivery(
    count: int, message_id: str | None = None, redriven_from: str | None = None
) -> Iterator[Delivery]:
    """Work inside this block belongs to one delivery of one message."""
    current = Delivery(time.time(), count, message_id or _unnamed(), redriven_from)
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)


def _unnamed() -> str:
    # Work run outside an SQS delivery (a test calling the protocol directly): an id no
    # other delivery has, so its claims heal nothing but themselves.
    return f"local-{uuid.uuid4().hex}"


def current() -> Delivery:
    found = _current.get()
    if found is None:
        found = Delivery(time.time(), 1, _unnamed())
        _current.set(found)
    return found


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
    # Each function's deployed timeout and memory (what a function can serve).
    function_sizes: FunctionSizes = DEFAULT_FUNCTION_SIZES

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
                function_sizes=FunctionSizes.decode(os.environ["LNN_FUNCTION_SIZES"]),
            )
        except KeyError as exc:
            raise ConfigurationError(f"environment variable {exc.args[0]} is not set") from exc
        except FunctionSizeError as exc:
            raise ConfigurationError(f"LNN_FUNCTION_SIZES: {exc}") from exc


@dataclass(frozen=True)
class Services:
    settings: StackSettings
    blobs: BlobStore
    barriers: Barriers
    ledger: RunLedger
    bus: Bus
    memory: ProcessMemory = field(default_factory=ProcessMemory)

    @cached_property
    def store(self) -> ArrayStore:
        return ArrayStore(self.blobs, self.memory.objects)


@cache
def _aws_services(settings: StackSettings) -> Services:
    from functions.aws import DynamoBarriers, DynamoRunLedger, S3BlobStore, SnsBus

    return Services(
        settings=settings,
        blobs=S3BlobStore(settings.bucket),
        barriers=DynamoBarriers(settings.barriers_table),
        ledger=DynamoRunLedger(settings.runs_table),
        bus=SnsBus(
            network_topic_arn=settings.network_topic_arn,
            train_topic_arn=settings.train_topic_arn,
            events_topic_arn=settings.events_topic_arn,
        ),
    )


def reset_services() -> None:
    """Forget every stack's Services (an embedded stack starts and stops its own emulator)."""
    _aws_services.cache_clear()


def services() -> Services:
    """The AWS adapters of the stack named by the environment, which is read at call time
    (the local runner sets it per invocation); one Services, so one memory, per stack."""
    return _aws_services(StackSettings.from_env())
