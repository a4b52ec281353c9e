"""InMemoryBlobStore: bytes in a dict, the blob port's semantics."""

import threading
from collections.abc import Sequence

from functions.ports import BlobStore, ObjectNotFoundError
from functions.ports.blobs import check_range


class InMemoryBlobStore(BlobStore):
    def __init__(self, bucket: str = "lnn-memory") -> None:
        self.bucket = bucket
        self.objects: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put_bytes(self, key: str, body: bytes) -> None:
        with self._lock:
            self.objects[key] = bytes(body)

    def get_bytes(self, key: str) -> bytes:
        with self._lock:
            found = self.objects.get(key)
        if found is None:
            raise ObjectNotFoundError(f"memory://{self.bucket}/{key} does not exist")
        return found

    def get_range(self, key: str, start: int, stop: int) -> bytes:
        check_range(start, stop)
        return self.get_bytes(key)[start:stop]

    def delete(self, keys: Sequence[str]) -> None:
        with self._lock:
            for key in keys:
                self.objects.pop(key, None)
