"""The delivery being worked on: when it started, its receive count and its SQS message id.

``guarded`` sets it around the work of one record. The message id is what makes a claim
heal-able without a second write: a claim records the id of the message whose delivery made
it, and only a redelivery of that very message (its process may have died between claiming
and publishing) publishes again. A duplicate sent separately has another id and is dropped.
"""

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


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
