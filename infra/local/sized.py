"""Payloads kept by their size only: a trace of AWS calls that can be priced and replayed
without holding (or replaying) the network's own bytes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from botocore.response import StreamingBody

# Identifiers (keys, ARNs, queue URLs, receipt handles, condition values) are far shorter;
# what is longer is a payload whose content no replay or price depends on.
PAYLOAD_THRESHOLD = 512


@dataclass(frozen=True)
class Sized:
    """A str or bytes value of ``size`` bytes (UTF-8 for str) whose content was dropped."""

    kind: type
    size: int

    def materialize(self) -> str | bytes:
        """A value of the same type and size (for str: as many ASCII characters)."""
        return "x" * self.size if self.kind is str else b"\0" * self.size


def byte_size(value: object) -> int:
    """Bytes of a str (UTF-8), bytes-like or Sized value; 0 for anything else."""
    if isinstance(value, Sized):
        return value.size
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    return 0


def shrink(value: Any, threshold: int = PAYLOAD_THRESHOLD) -> Any:
    """A copy of a boto3 params or response structure with every str/bytes of at least
    ``threshold`` bytes, and every body stream, replaced by its Sized."""
    if isinstance(value, dict):
        return {k: shrink(v, threshold) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [shrink(v, threshold) for v in value]
    if isinstance(value, str | bytes | bytearray):
        size = byte_size(value)
        return Sized(str if isinstance(value, str) else bytes, size) if size >= threshold else value
    if isinstance(value, StreamingBody):
        # Unread: the caller reads it after the call; its length is in the headers.
        return Sized(bytes, int(getattr(value, "_content_length", None) or 0))
    if isinstance(value, io.BytesIO):
        return Sized(bytes, value.getbuffer().nbytes)
    return value


def materialize(value: Any) -> Any:
    """The structure with every Sized made a value of its size (the inverse of shrink, up
    to the content)."""
    if isinstance(value, Sized):
        return value.materialize()
    if isinstance(value, dict):
        return {k: materialize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [materialize(v) for v in value]
    return value
