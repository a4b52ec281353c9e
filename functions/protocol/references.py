"""S3 array references from messages, checked before use (docs/design.md, rule 10).

A reference is only a claim: whoever wrote the message chose its bucket, key, dtype and
shape. It may name the stack's bucket only, and only keys under the prefixes of its message's
scope: a TrainRequest its own upload prefix and the shared inputs prefix, a task of the
network its own run's prefix, so no message reads another run's objects. The object's .npy
header is read first, with a ranged read, and must agree with the declared dtype and shape;
the body is then read up to the size the header implies and one byte more, never the whole
object, however large. Anything else is an invalid message (ArrayReferenceError).
"""

import io
import math
from dataclasses import dataclass

import numpy as np

from functions.ports import BlobStore
from functions.protocol.keys import INPUTS_PREFIX, run_prefix, upload_prefix
from messages.arrays import S3Array, decode_npy
from messages.exceptions import ArrayDecodeError, MessageError

# Headers numpy writes for the allowed dtypes and up to four dimensions take 128 bytes; a
# longer one is not a plain array, and reading this much first makes small objects one read.
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


def check_declared(ref: S3Array, dtype: np.dtype, shape: tuple[int, ...]) -> None:
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


def read_declared(blobs: BlobStore, ref: S3Array) -> np.ndarray:
    """The referenced array, read only once its header matches the declaration."""
    probe = blobs.get_range(ref.key, 0, HEADER_PROBE_BYTES)
    dtype, shape, offset = _header(ref, probe)
    check_declared(ref, dtype, shape)
    size = offset + math.prod(shape) * dtype.itemsize
    # One byte past the declared end tells an object with trailing bytes from an exact one.
    if len(probe) > size or len(probe) < HEADER_PROBE_BYTES:
        raw = probe[: size + 1]
    else:
        raw = probe + blobs.get_range(ref.key, len(probe), size + 1)
    if len(raw) != size:
        how = "has bytes after" if len(raw) > size else "is shorter than"
        raise ArrayReferenceError(f"{_where(ref)}: the object {how} its {size}-byte .npy array")
    try:
        return decode_npy(raw, expected_dtype=ref.dtype, expected_shape=ref.shape)
    except ArrayDecodeError as exc:
        raise ArrayReferenceError(f"{_where(ref)}: {exc}") from exc
