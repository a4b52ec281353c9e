"""BlobStore: immutable bytes at keys (S3 on AWS)."""

from abc import ABC, abstractmethod
from collections.abc import Sequence


class BlobStore(ABC):
    """Bytes under keys of one bucket; nothing is updated in place by the protocol."""

    bucket: str

    @abstractmethod
    def put_bytes(self, key: str, body: bytes) -> None: ...

    @abstractmethod
    def get_bytes(self, key: str) -> bytes:
        """The object's bytes; ObjectNotFoundError when the key holds nothing."""

    @abstractmethod
    def get_range(self, key: str, start: int, stop: int) -> bytes:
        """Bytes ``start`` to ``stop`` (exclusive) of the object, fewer where it ends first
        (none when it ends before ``start``): a header can be read without the body.
        ObjectNotFoundError when the key holds nothing."""

    @abstractmethod
    def delete(self, keys: Sequence[str]) -> None:
        """Delete the objects; absent keys are fine."""


def check_range(start: int, stop: int) -> None:
    """Both adapters refuse the same ranges: S3 has no empty or negative one."""
    if not 0 <= start < stop:
        raise ValueError(f"byte range [{start}, {stop}) is empty or negative")
