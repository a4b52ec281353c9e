"""Where arrays live: inline in a message or in S3, checked on the way in, and kept in this
process on the way out.

- Process memory (ProcessMemory, LruCache): what a warm Lambda container keeps between
  invocations. Only an optimization: every entry can be rebuilt from durable state, so a
  process that dies loses time, never correctness. Each cache is bounded and keyed by what
  identifies its object; the in-memory stack drops a whole ProcessMemory to play a fresh
  container.
- References (docs/design.md, rule 10): an S3 reference in a message is only a claim. It
  may name the stack's bucket only, and only keys under its message's scope (a TrainRequest
  its own upload prefix and the shared inputs prefix, a network task its own run's prefix),
  so no message reads another run's objects. One ranged read takes the declared array's
  bytes, room for its .npy header and one byte more, never the whole of a larger object;
  the header must agree with the declared dtype and shape, and the object must end where
  the header says. Anything else is an ArrayReferenceError.
- ArrayStore: arrays, npz archives and JSON documents on a blob store. Nothing is ever
  overwritten (a new version gets a new key), so a cached copy is never stale. Cached arrays
  are read-only, being shared.
- Uploads: a TrainRequest's arrays travel inline when small, else as objects under the
  run's upload keys.
"""

import io
import json
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

from functions.ports import BlobStore
from functions.protocol.keys import INPUTS_PREFIX, run_prefix, upload_key, upload_prefix
from messages.arrays import ArrayRef, InlineArray, S3Array, array_nbytes, decode_npy, encode_npy
from messages.exceptions import ArrayDecodeError, MessageError
from messages.limits import UPLOAD_INLINE_BUDGET
from messages.train_request import TrainingData

V = TypeVar("V")

# What a warm container keeps of what it read or wrote: the parameter versions of the last
# steps and their inputs, never the dataset (its batches are read again: batches.py). At
# most 1/32 of the function's memory (32 MiB of the neurons' default 1,024 MB), and at most
# this: what is read again is a step's own versions and inputs (a 1,000 x 1,000 layer with
# Adam's moments is 24 MB), older steps' only by late duplicates. An MNIST-sized epoch made
# no more S3 reads with 32 MiB than with 128.
ARRAY_CACHE_BYTES = 128 * 1024 * 1024
ARRAY_CACHE_SHARE = 32


def array_cache_bytes() -> int:
    """This process's cache: its function's share, as the Lambda runtime states its memory."""
    memory_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"))
    return min(ARRAY_CACHE_BYTES, memory_mb * 1024 * 1024 // ARRAY_CACHE_SHARE)


PLAN_CACHE_RUNS = 64
BATCH_CACHE_ENTRIES = 4  # the x and y of the last two batches
Z_CACHE_ENTRIES = 256


class LruCache(Generic[V]):
    """Least recently used first out, once the entries' total size passes ``capacity``
    (size 1 per entry unless ``size_of`` says otherwise)."""

    def __init__(self, capacity: int, size_of: Callable[[Any], int] = lambda _: 1) -> None:
        self._capacity = capacity
        self._size_of = size_of
        self._size = 0
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def pop(self, key: Hashable) -> V | None:
        with self._lock:
            item = self._items.pop(key, None)
            if item is None:
                return None
            self._size -= item[1]
            return item[0]

    def put(self, key: Hashable, value: V) -> V:
        size = self._size_of(value)
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, size)
                self._size += size
                while self._size > self._capacity and self._items:
                    _, (_, dropped) = self._items.popitem(last=False)
                    self._size -= dropped
        return value

    def __len__(self) -> int:
        return len(self._items)


def nbytes(value: Any) -> int:
    """Bytes held by an array, a dict of arrays, or a JSON-like document (roughly)."""
    if hasattr(value, "nbytes"):
        return int(value.nbytes)
    if isinstance(value, dict):
        return sum(nbytes(v) for v in value.values()) or 64
    return 64


@dataclass
class ProcessMemory:
    """The caches of one process: decoded objects, run plans, batch columns, forward passes."""

    objects: LruCache[Any] = field(default_factory=lambda: LruCache(array_cache_bytes(), nbytes))
    plans: LruCache[Any] = field(default_factory=lambda: LruCache(PLAN_CACHE_RUNS))
    batches: LruCache[Any] = field(default_factory=lambda: LruCache(BATCH_CACHE_ENTRIES))
    z: LruCache[Any] = field(default_factory=lambda: LruCache(Z_CACHE_ENTRIES))


# Headers numpy writes for the allowed dtypes and up to four dimensions take 128 bytes; a
# longer one is not a plain array. A read takes this much beyond the declared array's bytes,
# so an object that is what it claims to be is read in one request.
HEADER_PROBE_BYTES = 1024


class ArrayReferenceError(MessageError):
    """An S3 reference points outside its scope or at an object it does not describe."""


@dataclass(frozen=True)
class Scope:
    """Where a message's references may point; ``immutable`` when nothing there is ever
    rewritten (a run's own outputs), so a cached copy stays true."""

    prefixes: tuple[str, ...]
    immutable: bool


def request_scope(run_id: str) -> Scope:
    """A TrainRequest's data: its own uploads, or inputs a user may replace between runs."""
    return Scope((upload_prefix(run_id), INPUTS_PREFIX), immutable=False)


def task_scope(run_id: str) -> Scope:
    """The network's own references (activations, gradients, outputs) of one run."""
    return Scope((run_prefix(run_id),), immutable=True)


def _where(ref: S3Array) -> str:
    return f"s3://{ref.bucket}/{ref.key}"


def check_location(ref: S3Array, bucket: str, scope: Scope) -> None:
    if ref.bucket != bucket:
        raise ArrayReferenceError(f"{_where(ref)}: not in this stack's bucket {bucket}")
    # S3 keeps dot segments literally, but HTTP layers may resolve them out of the prefix.
    if any(part in ("", ".", "..") for part in ref.key.split("/")):
        raise ArrayReferenceError(f"{_where(ref)}: the key has an empty or dot segment")
    if not ref.key.startswith(scope.prefixes):
        allowed = ", ".join(scope.prefixes)
        raise ArrayReferenceError(f"{_where(ref)}: outside the prefixes it may name ({allowed})")


def check_prefix(prefix: str, scope: Scope) -> None:
    """A message's prefix of objects (a request's stored batches) is held to its scope as a
    key is: ArrayReferenceError otherwise."""
    if any(part in (".", "..") for part in prefix.split("/")) or "//" in prefix:
        raise ArrayReferenceError(f"prefix {prefix!r} has an empty or dot segment")
    if not prefix.startswith(scope.prefixes):
        allowed = ", ".join(scope.prefixes)
        raise ArrayReferenceError(
            f"prefix {prefix!r} is outside the prefixes it may name ({allowed})"
        )


def batches_scope(run_id: str) -> Scope:
    """Where a request's stored batches may be: its own upload prefix only. Steps read them
    all run long, so they must be the run's own objects: inputs/ may change between runs
    (or during one), and only the trainer may read it."""
    return Scope((upload_prefix(run_id),), immutable=False)


def data_scope(run_id: str) -> Scope:
    """Where a step reads the run's stored batches: its own objects (a client's upload, or
    what the trainer cut from whole arrays), not cached (batches.py)."""
    return Scope((run_prefix(run_id),), immutable=False)


def _check_declared(ref: S3Array, dtype: np.dtype, shape: tuple[int, ...]) -> None:
    if dtype.name != ref.dtype or tuple(shape) != tuple(ref.shape):
        raise ArrayReferenceError(
            f"{_where(ref)}: the object holds {dtype.name} {tuple(shape)} but the reference "
            f"declares {ref.dtype} {tuple(ref.shape)}"
        )


def _header(ref: S3Array, probe: bytes) -> tuple[np.dtype, tuple[int, ...], int]:
    """(dtype, shape, offset of the data) from the first bytes of a .npy object."""
    buffer = io.BytesIO(probe)
    try:
        version = np.lib.format.read_magic(buffer)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(buffer)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(buffer)
        else:
            raise ValueError(f".npy version {version} is not supported")
    except Exception as exc:  # numpy raises ValueError, EOFError, SyntaxError, ...
        raise ArrayReferenceError(f"{_where(ref)}: not a .npy array ({exc})") from exc
    return dtype, tuple(shape), buffer.tell()


def _read_declared(blobs: BlobStore, ref: S3Array) -> np.ndarray:
    """The referenced array, in one ranged read bounded by the declaration, returned only
    once its header matches it."""
    probe = blobs.get_range(ref.key, 0, HEADER_PROBE_BYTES + array_nbytes(ref) + 1)
    dtype, shape, offset = _header(ref, probe[:HEADER_PROBE_BYTES])
    _check_declared(ref, dtype, shape)
    size = offset + math.prod(shape) * dtype.itemsize
    # One byte past the declared end tells an object with trailing bytes from an exact one.
    raw = probe[: size + 1]
    if len(raw) != size:
        how = "has bytes after" if len(raw) > size else "is shorter than"
        raise ArrayReferenceError(f"{_where(ref)}: the object {how} its {size}-byte .npy array")
    try:
        return decode_npy(raw, expected_dtype=ref.dtype, expected_shape=ref.shape)
    except ArrayDecodeError as exc:
        raise ArrayReferenceError(f"{_where(ref)}: {exc}") from exc


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
        return self.reference(key, array)

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
        object's header matches the declaration (the references above)."""
        if isinstance(ref, InlineArray):
            return ref.to_numpy()
        check_location(ref, self.bucket, scope)
        found = self._cache.get(self._key(ref.key)) if scope.immutable else None
        if isinstance(found, np.ndarray):
            _check_declared(ref, found.dtype, found.shape)
            return found
        # Not cached, or cached as something else (a plan, parameters): the header decides.
        array = _read_declared(self.blobs, ref)
        return self._cache.put(self._key(ref.key), array) if scope.immutable else array

    def reference(self, key: str, array: np.ndarray) -> S3Array:
        """A reference to ``array``, which is already stored at ``key`` (a write that every
        retry repeats with the same bytes)."""
        return S3Array(
            storage="s3", bucket=self.bucket, key=key, dtype=array.dtype.name, shape=array.shape
        )

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


def pack_training_data(
    store: ArrayStore,
    run_id: str,
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
) -> TrainingData:
    """Column-major arrays (features x samples) as the request's data references."""

    def put(name: str, array: np.ndarray) -> ArrayRef:
        key = upload_key(run_id, name)
        return store.pack(np.asarray(array), key, inline_limit=UPLOAD_INLINE_BUDGET)

    test = {}
    if x_test is not None and y_test is not None:
        test = {"x_test": put("x_test", x_test), "y_test": put("y_test", y_test)}
    return TrainingData(x_train=put("x_train", x), y_train=put("y_train", y), **test)
