"""ArrayStore: numpy arrays, npz archives and JSON documents on a blob store.

Nothing is ever overwritten (a new version gets a new key), so a cached copy can never be
stale: a warm container skips the read. Cached arrays are read-only, being shared.
"""

import io
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from functions.ports import BlobStore
from functions.protocol.memory import LruCache
from functions.protocol.references import Scope, check_declared, check_location, read_declared
from messages.arrays import ArrayRef, InlineArray, S3Array, decode_npy, encode_npy


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


class ArrayStore:
    def __init__(self, blobs: BlobStore, cache: LruCache[Any]) -> None:
        self.blobs = blobs
        self.bucket = blobs.bucket
        self._cache = cache

    def _key(self, key: str) -> tuple[str, str]:
        return (self.bucket, key)

    def put_bytes(self, key: str, body: bytes) -> None:
        self.blobs.put_bytes(key, body)

    def get_bytes(self, key: str) -> bytes:
        return self.blobs.get_bytes(key)

    def delete(self, keys: Sequence[str]) -> None:
        self.blobs.delete(keys)
        for key in keys:
            self._cache.pop(self._key(key))

    def put_array(self, key: str, array: np.ndarray) -> S3Array:
        array = _frozen(np.array(array, copy=True))
        self.blobs.put_bytes(key, encode_npy(array))
        self._cache.put(self._key(key), array)
        return S3Array(
            storage="s3", bucket=self.bucket, key=key, dtype=array.dtype.name, shape=array.shape
        )

    def remember(self, key: str, array: np.ndarray) -> np.ndarray:
        """Cache ``array`` (taking ownership: it becomes read-only) under ``key`` without
        writing it anywhere; for arrays whose durable copy lives elsewhere."""
        return self._cache.put(self._key(key), _frozen(array))

    def cached(self, key: str) -> np.ndarray | None:
        return self._cache.get(self._key(key))

    def get_array(self, key: str) -> np.ndarray:
        found = self._cache.get(self._key(key))
        if found is None:
            found = self._cache.put(self._key(key), _frozen(decode_npy(self.get_bytes(key))))
        return found

    def resolve(self, ref: ArrayRef, scope: Scope) -> np.ndarray:
        """The array a message refers to; an S3 reference only within ``scope`` and once its
        object's header matches the declaration (functions.protocol.references)."""
        if isinstance(ref, InlineArray):
            return ref.to_numpy()
        check_location(ref, self.bucket, scope)
        found = self._cache.get(self._key(ref.key)) if scope.immutable else None
        if isinstance(found, np.ndarray):
            check_declared(ref, found.dtype, found.shape)
            return found
        # Not cached, or cached as something else (a plan, parameters): the header decides.
        array = read_declared(self.blobs, ref)
        return self._cache.put(self._key(ref.key), array) if scope.immutable else array

    def pack(self, array: np.ndarray, key: str, *, inline_limit: int) -> ArrayRef:
        """Inline when it fits the message budget, else a claim check at ``key``."""
        if array.nbytes <= inline_limit:
            return InlineArray.from_numpy(array)
        return self.put_array(key, array)

    def put_npz(self, key: str, arrays: dict[str, np.ndarray]) -> None:
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        self.blobs.put_bytes(key, buffer.getvalue())
        self.remember_npz(key, arrays)

    def remember_npz(self, key: str, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Keep read-only copies of ``arrays`` as this process's copy of the npz at ``key``
        (stored elsewhere, or about to be)."""
        frozen = {name: _frozen(np.array(a, copy=True)) for name, a in arrays.items()}
        self._cache.put(self._key(key), frozen)
        return frozen

    def cached_npz(self, key: str) -> dict[str, np.ndarray] | None:
        return self._cache.get(self._key(key))

    def get_npz(self, key: str) -> dict[str, np.ndarray]:
        found = self._cache.get(self._key(key))
        if found is None:
            with np.load(io.BytesIO(self.get_bytes(key)), allow_pickle=False) as data:
                found = {name: _frozen(data[name]) for name in data.files}
            self._cache.put(self._key(key), found)
        return found

    def put_json(self, key: str, document: dict[str, Any]) -> None:
        body = json.dumps(document, sort_keys=True)
        self.blobs.put_bytes(key, body.encode())
        self._cache.put(self._key(key), json.loads(body))

    def get_json(self, key: str) -> dict[str, Any]:
        found = self._cache.get(self._key(key))
        if found is None:
            found = self._cache.put(self._key(key), json.loads(self.get_bytes(key)))
        return found
