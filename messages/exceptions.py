"""Errors raised by the wire contract, and a one-line rendering of pydantic's errors."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

__all__ = [
    "ArrayDecodeError",
    "ArrayTooLargeError",
    "MessageError",
    "format_validation_error",
]

_MAX_INPUT_REPR = 40
_SCALARS = (bool, int, float, str, type(None))
# Messages we write ourselves already name the offending value.
_OWN_MESSAGE_TYPES = {"value_error", "assertion_error"}


class MessageError(ValueError):
    """A message (or a part of one) is malformed or breaks the contract."""


class ArrayDecodeError(MessageError):
    """Bytes are not a safe .npy array of the declared dtype and shape."""


class ArrayTooLargeError(MessageError):
    """An array is too large to travel inline in a message."""


def _short_repr(value: Any) -> str:
    text = repr(value)
    if len(text) > _MAX_INPUT_REPR:
        text = text[: _MAX_INPUT_REPR - 3] + "..."
    return text


# Fields whose value is a secret: a reason naming one travels to logs, events and records.
_SECRET_FIELDS = frozenset({"token", "cancel_token"})


def _one(error: Any) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    msg = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    secret = bool(error["loc"]) and error["loc"][-1] in _SECRET_FIELDS
    if error["type"] not in _OWN_MESSAGE_TYPES and error["type"] != "missing" and not secret:
        value = error.get("input")
        if isinstance(value, _SCALARS):
            msg = f"{msg} (got {_short_repr(value)})"
    return f"{loc}: {msg}" if loc else msg


def format_validation_error(exc: ValidationError) -> str:
    """Render every error of `exc` on one line: 'loc: message (got value)' joined by '; '."""
    return "; ".join(_one(error) for error in exc.errors(include_url=False))
