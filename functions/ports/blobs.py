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
    def delete(self, keys: Sequence[str]) -> None:
        """Delete the objects; absent keys are fine."""
