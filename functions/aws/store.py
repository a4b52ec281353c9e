"""Arrays in S3 at immutable keys, with a per-process cache.

Nothing is ever overwritten (a new version gets a new key), so a cached copy can never be
stale; a warm Lambda container, or the embedded runner, skips the GetObject.
"""

import io
import json
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from botocore.exceptions import ClientError

from functions.aws.clients import client
from functions.aws.exceptions import ObjectNotFoundError
from messages.arrays import ArrayRef, InlineArray, S3Array, decode_npy, encode_npy

CACHE_BYTES = 512 * 1024 * 1024
_DELETE_BATCH = 1000


class _LruCache:
    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._size = 0
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def drop(self, key: str) -> None:
        with self._lock:
            item = self._items.pop(key, None)
            if item is not None:
                self._size -= item[1]

    def put(self, key: str, value: Any, size: int) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, size)
            self._size += size
            while self._size > self._capacity and self._items:
                _, (_, dropped) = self._items.popitem(last=False)
                self._size -= dropped


_cache = _LruCache(CACHE_BYTES)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


class ArrayStore:
    def __init__(self, bucket: str, *, s3: Any = None) -> None:
        self.bucket = bucket
        self._s3 = s3  # an explicit client (CLI side); None = the process's own

    def _client(self) -> Any:
        return self._s3 or client("s3")

    def put_bytes(self, key: str, body: bytes) -> None:
        self._client().put_object(Bucket=self.bucket, Key=key, Body=body)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._client().get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                raise ObjectNotFoundError(f"s3://{self.bucket}/{key} does not exist") from exc
            raise

    def delete(self, keys: list[str]) -> None:
        """Delete objects (absent ones are fine), 1,000 per call as DeleteObjects allows."""
        for start in range(0, len(keys), _DELETE_BATCH):
            chunk = keys[start : start + _DELETE_BATCH]
            self._client().delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True},
            )
            for key in chunk:
                _cache.drop(key)

    def put_array(self, key: str, array: np.ndarray) -> S3Array:
        array = _frozen(np.array(array, copy=True))
        self.put_bytes(key, encode_npy(array))
        _cache.put(key, array, array.nbytes)
        return S3Array(
            storage="s3", bucket=self.bucket, key=key, dtype=array.dtype.name, shape=array.shape
        )

    def remember(self, key: str, array: np.ndarray) -> np.ndarray:
        """Cache ``array`` (taking ownership: it becomes read-only) under ``key`` without
        writing it anywhere; for arrays whose durable copy lives elsewhere."""
        _cache.put(key, _frozen(array), array.nbytes)
        return array

    def cached(self, key: str) -> np.ndarray | None:
        return _cache.get(key)

    def get_array(self, key: str) -> np.ndarray:
        found = _cache.get(key)
        if found is None:
            found = _frozen(decode_npy(self.get_bytes(key)))
            _cache.put(key, found, found.nbytes)
        return found

    def resolve(self, ref: ArrayRef) -> np.ndarray:
        if isinstance(ref, InlineArray):
            return ref.to_numpy()
        return self.get_array(ref.key)

    def pack(self, array: np.ndarray, key: str, *, inline_limit: int) -> ArrayRef:
        """Inline when it fits the message budget, else a claim check at ``key``."""
        if array.nbytes <= inline_limit:
            return InlineArray.from_numpy(array)
        return self.put_array(key, array)

    def put_npz(self, key: str, arrays: dict[str, np.ndarray]) -> None:
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        self.put_bytes(key, buffer.getvalue())
        frozen = {name: _frozen(np.array(a, copy=True)) for name, a in arrays.items()}
        _cache.put(key, frozen, sum(a.nbytes for a in frozen.values()))

    def get_npz(self, key: str) -> dict[str, np.ndarray]:
        found = _cache.get(key)
        if found is None:
            with np.load(io.BytesIO(self.get_bytes(key)), allow_pickle=False) as data:
                found = {name: _frozen(data[name]) for name in data.files}
            _cache.put(key, found, sum(a.nbytes for a in found.values()))
        return found

    def put_json(self, key: str, document: dict[str, Any]) -> None:
        body = json.dumps(document, sort_keys=True)
        self.put_bytes(key, body.encode())
        _cache.put(key, json.loads(body), len(body))

    def get_json(self, key: str) -> dict[str, Any]:
        found = _cache.get(key)
        if found is None:
            found = json.loads(self.get_bytes(key))
            _cache.put(key, found, len(json.dumps(found)))
        return found
