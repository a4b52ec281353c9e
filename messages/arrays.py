"""Array fields: an inline base64 .npy payload or an S3 claim-check, plus the .npy codec."""

from __future__ import annotations

import base64
import binascii
import io
import math
from typing import Annotated, Literal, Self

import numpy as np
from pydantic import AfterValidator, Field, PrivateAttr, model_validator

from messages.base import Count, FrozenModel
from messages.exceptions import ArrayDecodeError, ArrayTooLargeError, MessageError
from messages.limits import MAX_ARRAY_DIMS, MAX_INLINE_ARRAY_BYTES

__all__ = [
    "ALLOWED_DTYPES",
    "ArrayRef",
    "InlineArray",
    "S3Array",
    "array_nbytes",
    "decode_npy",
    "encode_npy",
]

ALLOWED_DTYPES = frozenset({"float64", "float32", "int64", "int32", "uint8", "bool"})


def _canonical_dtype(name: str) -> str:
    """Return numpy's canonical name for `name` ('<f8' -> 'float64') if it is allowed."""
    try:
        canonical = np.dtype(name).name
    except (TypeError, ValueError) as exc:
        raise ValueError(f"unknown dtype {name!r}") from exc
    if canonical not in ALLOWED_DTYPES:
        allowed = ", ".join(sorted(ALLOWED_DTYPES))
        raise ValueError(f"dtype {canonical!r} is not allowed; use one of {allowed}")
    return canonical


DType = Annotated[
    str,
    AfterValidator(_canonical_dtype),
    Field(
        description="numpy's dtype name; the server also reads aliases such as '<f8'",
        json_schema_extra={"enum": sorted(ALLOWED_DTYPES)},
    ),
]
Shape = Annotated[tuple[Count, ...], Field(max_length=MAX_ARRAY_DIMS)]


def _check_array(a: np.ndarray) -> None:
    try:
        _canonical_dtype(a.dtype.str)
    except ValueError as exc:
        raise MessageError(str(exc)) from exc
    if a.ndim > MAX_ARRAY_DIMS:
        raise MessageError(f"array has {a.ndim} dimensions; at most {MAX_ARRAY_DIMS} allowed")


def encode_npy(a: np.ndarray) -> bytes:
    """Serialise `a` as .npy bytes (no pickle); MessageError for a disallowed dtype/ndim."""
    a = np.asarray(a)
    _check_array(a)
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def decode_npy(
    raw: bytes,
    *,
    expected_dtype: str | None = None,
    expected_shape: tuple[int, ...] | None = None,
) -> np.ndarray:
    """Load .npy bytes without pickle into a read-only native-endian array.

    Raises ArrayDecodeError when the bytes are not exactly one allowed .npy array or do
    not match the expected dtype/shape.
    """
    buf = io.BytesIO(raw)
    try:
        arr = np.lib.format.read_array(buf, allow_pickle=False)
    except Exception as exc:  # numpy raises ValueError, EOFError, SyntaxError, ...
        raise ArrayDecodeError(f"not a valid .npy array: {exc}") from exc
    if buf.tell() != len(raw):
        raise ArrayDecodeError(f"{len(raw) - buf.tell()} unexpected bytes after the .npy array")
    try:
        _check_array(arr)
    except MessageError as exc:
        raise ArrayDecodeError(str(exc)) from exc
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if expected_dtype is not None and arr.dtype.name != np.dtype(expected_dtype).name:
        raise ArrayDecodeError(f"decoded dtype {arr.dtype.name} != declared {expected_dtype}")
    if expected_shape is not None and arr.shape != tuple(expected_shape):
        raise ArrayDecodeError(f"decoded shape {arr.shape} != declared {tuple(expected_shape)}")
    arr.flags.writeable = False
    return arr


def _as_decoded(a: np.ndarray, raw: bytes) -> np.ndarray:
    """What ``decode_npy(raw)`` returns for ``raw = encode_npy(a)``, mostly without decoding:
    a read-only, native-endian copy in the memory order that np.save keeps (Fortran only
    for an array that is Fortran- and not C-contiguous)."""
    if a.size == 0:  # no data to copy, and strides that only the decoder's path gives
        return decode_npy(raw)
    fortran = a.flags.f_contiguous and not a.flags.c_contiguous
    copy = np.empty(a.shape, dtype=a.dtype.newbyteorder("="), order="F" if fortran else "C")
    copy[...] = a
    copy.flags.writeable = False
    return copy


class _Decoded:
    """The array decoded from `source`; always equal, since it is derived from the fields."""

    __slots__ = ("array", "source")

    def __init__(self, source: str | None = None, array: np.ndarray | None = None) -> None:
        self.source = source
        self.array = array

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Decoded)

    __hash__ = None  # type: ignore[assignment]


# Base64 of n bytes is 4*ceil(n/3) characters: the longest `data` the inline limit allows.
_MAX_INLINE_BASE64_CHARS = 4 * math.ceil(MAX_INLINE_ARRAY_BYTES / 3)
# Padded standard base64, what b64decode(validate=True) accepts.
_BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class InlineArray(FrozenModel):
    """An array carried in the message as base64 of its .npy bytes."""

    storage: Literal["inline"] = "inline"
    dtype: DType
    shape: Shape
    # base64 .npy; kept out of logs. The length bound and the alphabet are published in the
    # JSON Schema only: _decode enforces both with messages that say what to do instead.
    data: str = Field(
        repr=False,
        json_schema_extra={
            "maxLength": _MAX_INLINE_BASE64_CHARS,
            "pattern": _BASE64_PATTERN,
            "contentEncoding": "base64",
            "contentMediaType": "application/x-npy",
        },
    )
    _decoded: _Decoded = PrivateAttr(default_factory=_Decoded)

    @model_validator(mode="after")
    def _decode(self) -> Self:
        # Reject before decoding, from the length alone.
        limit = MAX_INLINE_ARRAY_BYTES
        if len(self.data) > _MAX_INLINE_BASE64_CHARS:
            padding = self.data[-2:].count("=")
            raise ValueError(_too_large(len(self.data) * 3 // 4 - padding))
        try:
            raw = base64.b64decode(self.data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"data is not valid base64: {exc}") from exc
        if len(raw) > limit:
            raise ValueError(_too_large(len(raw)))
        arr = decode_npy(raw, expected_dtype=self.dtype, expected_shape=self.shape)
        self._decoded = _Decoded(self.data, arr)
        return self

    @classmethod
    def from_numpy(cls, a: np.ndarray) -> InlineArray:
        """Wrap `a` inline; ArrayTooLargeError if its .npy bytes exceed the inline limit."""
        a = np.asarray(a)
        raw = encode_npy(a)
        if len(raw) > MAX_INLINE_ARRAY_BYTES:
            raise ArrayTooLargeError(_too_large(len(raw)))
        data = base64.b64encode(raw).decode("ascii")
        # Validation would decode what was just encoded (a third of a millisecond for a
        # 33 KB array): the fields hold by construction, encode_npy having checked the
        # dtype and the dimensions, and the decoded array is a copy of `a` itself.
        shape = tuple(int(n) for n in a.shape)
        made = cls.model_construct(dtype=a.dtype.name, shape=shape, data=data)
        made._decoded = _Decoded(data, _as_decoded(a, raw))
        return made

    def to_numpy(self) -> np.ndarray:
        """The decoded array (read-only, decoded once at validation)."""
        # model_construct/model_copy skip validation: decode those on first use.
        if self._decoded.source is not self.data:
            self._decode()
        return self._decoded.array


def _too_large(nbytes: int) -> str:
    return (
        f"inline array is {nbytes} bytes, over the {MAX_INLINE_ARRAY_BYTES}-byte inline "
        "limit; send it as an S3 reference"
    )


class S3Array(FrozenModel):
    """A claim-check: the .npy object lives at s3://bucket/key; IO happens elsewhere."""

    storage: Literal["s3"] = "s3"
    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    key: str = Field(min_length=1, max_length=1024)
    dtype: DType
    shape: Shape


ArrayRef = Annotated[InlineArray | S3Array, Field(discriminator="storage")]


def array_nbytes(ref: InlineArray | S3Array) -> int:
    """Bytes of the array's data (no .npy header), from the declared dtype and shape."""
    return math.prod(ref.shape) * np.dtype(ref.dtype).itemsize
