"""The array field: inline .npy payloads, S3 references and the codec."""

from __future__ import annotations

import base64
import io
import pickle

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from messages import (
    ArrayDecodeError,
    ArrayRef,
    ArrayTooLargeError,
    InlineArray,
    MessageError,
    S3Array,
    array_nbytes,
    decode_npy,
    encode_npy,
    format_validation_error,
)
from messages.limits import MAX_INLINE_ARRAY_BYTES

REF = TypeAdapter(ArrayRef)
DTYPES = ["float64", "float32", "int64", "int32", "uint8", "bool"]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _error(exc: ValidationError) -> str:
    return format_validation_error(exc)


@pytest.mark.parametrize("dtype", DTYPES)
def test_inline_round_trip_is_bit_for_bit_and_read_only(dtype: str) -> None:
    original = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    ref = InlineArray.from_numpy(original)
    again = REF.validate_json(REF.dump_json(ref))
    assert again == ref
    decoded = again.to_numpy()
    assert decoded.dtype == original.dtype and decoded.shape == (3, 4)
    assert decoded.tobytes() == original.tobytes()
    assert not decoded.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        decoded[0, 0] = 1


def test_special_floats_survive_bit_for_bit() -> None:
    original = np.array([np.nan, -0.0, np.inf, -np.inf, 5e-324])
    decoded = InlineArray.from_numpy(original).to_numpy()
    assert decoded.tobytes() == original.tobytes()


def test_decoded_once_and_independent_of_the_source_array() -> None:
    source = np.ones((2, 2))
    ref = InlineArray.from_numpy(source)
    source[0, 0] = 7.0
    assert ref.to_numpy() is ref.to_numpy()
    assert ref.to_numpy()[0, 0] == 1.0


def test_zero_d_and_empty_arrays_round_trip() -> None:
    for original in (np.float64(3.5), np.zeros((0, 4))):
        ref = InlineArray.from_numpy(original)
        assert ref.shape == np.shape(original)
        assert np.array_equal(ref.to_numpy(), original)


def test_big_endian_input_decodes_to_equal_native_array() -> None:
    original = np.arange(4, dtype=">f8")
    decoded = InlineArray.from_numpy(original).to_numpy()
    assert decoded.dtype.isnative and decoded.dtype.name == "float64"
    assert np.array_equal(decoded, original)


def _layouts() -> list[np.ndarray]:
    grid = np.arange(24, dtype=np.float64).reshape(4, 6) / 7
    return [
        grid,
        np.asfortranarray(grid),
        grid.T,  # Fortran-contiguous view
        grid[:, ::2],  # neither C- nor F-contiguous
        grid[1:3],
        grid.astype(">f8"),
        np.asfortranarray(grid.astype(">i4")),
        (grid > 1).reshape(2, 3, 4),
        np.float64(2.5),
        np.zeros((0, 3), dtype=np.uint8),
    ]


@pytest.mark.parametrize("original", _layouts(), ids=lambda a: f"{a.dtype.str}{a.shape}")
def test_from_numpy_holds_what_the_wire_would_give(original: np.ndarray) -> None:
    made = InlineArray.from_numpy(original)  # built without decoding its own payload
    wired = InlineArray.model_validate_json(made.model_dump_json())
    assert made == wired
    assert (made.dtype, made.shape, made.data) == (wired.dtype, wired.shape, wired.data)
    mine, theirs = made.to_numpy(), wired.to_numpy()
    assert (mine.dtype, mine.shape, mine.strides) == (theirs.dtype, theirs.shape, theirs.strides)
    assert mine.tobytes("A") == theirs.tobytes("A")
    assert not mine.flags.writeable
    assert mine.flags.c_contiguous == theirs.flags.c_contiguous
    assert mine.flags.f_contiguous == theirs.flags.f_contiguous


def test_s3_reference_round_trips_and_canonicalises_dtype() -> None:
    ref = REF.validate_python(
        {
            "storage": "s3",
            "bucket": "lnn-data",
            "key": "runs/r1/x.npy",
            "dtype": "<f4",
            "shape": [3, 5],
        }
    )
    assert isinstance(ref, S3Array) and ref.dtype == "float32" and ref.shape == (3, 5)
    assert REF.validate_json(REF.dump_json(ref)) == ref
    assert array_nbytes(ref) == 3 * 5 * 4


def test_array_nbytes_counts_data_not_header() -> None:
    assert array_nbytes(InlineArray.from_numpy(np.zeros((2, 3), dtype=np.int32))) == 24


def test_inline_limit_is_inclusive_and_bigger_arrays_are_refused() -> None:
    header = len(encode_npy(np.zeros(1))) - 8
    fits = np.zeros((MAX_INLINE_ARRAY_BYTES - header) // 8)
    assert len(encode_npy(fits)) == MAX_INLINE_ARRAY_BYTES
    assert InlineArray.from_numpy(fits).shape == fits.shape
    too_big = np.zeros(fits.size + 1)
    with pytest.raises(ArrayTooLargeError, match=f"over the {MAX_INLINE_ARRAY_BYTES}-byte"):
        InlineArray.from_numpy(too_big)
    payload = {"storage": "inline", "dtype": "float64", "shape": [too_big.size]}
    with pytest.raises(ValidationError) as info:
        REF.validate_python({**payload, "data": _b64(encode_npy(too_big))})
    message = _error(info.value)
    assert f"inline array is {len(encode_npy(too_big))} bytes" in message
    assert "send it as an S3 reference" in message


def test_oversized_base64_is_refused_before_decoding() -> None:
    with pytest.raises(ValidationError, match=r"over the \d+-byte inline limit"):
        InlineArray(dtype="uint8", shape=(1,), data="A" * (MAX_INLINE_ARRAY_BYTES * 2))


def test_pickled_payloads_are_refused() -> None:
    pickled = _b64(pickle.dumps(np.arange(3.0)))
    with pytest.raises(ValidationError) as info:
        InlineArray(dtype="float64", shape=(3,), data=pickled)
    assert "not a valid .npy array" in _error(info.value)


def test_object_arrays_are_refused_everywhere() -> None:
    objects = np.array([{"a": 1}, None], dtype=object)
    buf = io.BytesIO()
    np.save(buf, objects, allow_pickle=True)
    with pytest.raises(ArrayDecodeError, match=r"not a valid \.npy array"):
        decode_npy(buf.getvalue())
    with pytest.raises(MessageError, match="dtype 'object' is not allowed"):
        encode_npy(objects)
    with pytest.raises(ValidationError) as info:
        InlineArray(dtype="object", shape=(2,), data=_b64(buf.getvalue()))
    assert "dtype: dtype 'object' is not allowed; use one of bool, float32" in _error(info.value)


@pytest.mark.parametrize(
    ("dtype", "shape", "expected"),
    [
        ("float32", [2], "decoded dtype float64 != declared float32"),
        ("float64", [3], "decoded shape (2,) != declared (3,)"),
        ("complex128", [2], "dtype 'complex128' is not allowed"),
        ("nonsense", [2], "unknown dtype 'nonsense'"),
        ("float64", [-2], "shape.0: Input should be greater than or equal to 0 (got -2)"),
        ("float64", [1, 1, 1, 1, 2], "shape: Tuple should have at most 4 items"),
    ],
)
def test_declared_dtype_and_shape_must_match(dtype: str, shape: list[int], expected: str) -> None:
    data = _b64(encode_npy(np.zeros(2)))
    with pytest.raises(ValidationError) as info:
        InlineArray(dtype=dtype, shape=tuple(shape), data=data)
    assert expected in _error(info.value)


def test_invalid_base64_and_trailing_bytes_are_refused() -> None:
    with pytest.raises(ValidationError, match="not valid base64"):
        InlineArray(dtype="float64", shape=(2,), data="!!not base64!!")
    with pytest.raises(ArrayDecodeError, match="3 unexpected bytes after"):
        decode_npy(encode_npy(np.zeros(2)) + b"abc")
    with pytest.raises(ArrayDecodeError, match=r"not a valid \.npy array"):
        decode_npy(encode_npy(np.zeros(4))[:-8])


def test_decode_npy_checks_expectations_and_returns_read_only() -> None:
    raw = encode_npy(np.eye(2, dtype=np.float32))
    arr = decode_npy(raw, expected_dtype="float32", expected_shape=(2, 2))
    assert not arr.flags.writeable and np.array_equal(arr, np.eye(2))
    with pytest.raises(ArrayDecodeError, match="decoded shape"):
        decode_npy(raw, expected_shape=(4,))
    with pytest.raises(MessageError, match="at most 4"):
        encode_npy(np.zeros((1, 1, 1, 1, 1)))


def test_unknown_storage_and_extra_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        REF.validate_python({"storage": "ftp", "dtype": "float64", "shape": [1]})
    with pytest.raises(ValidationError) as info:
        REF.validate_python(
            {"storage": "s3", "bucket": "b-1", "key": "k", "dtype": "uint8", "shape": [1], "x": 1}
        )
    assert "s3.x: Extra inputs are not permitted" in _error(info.value)
    with pytest.raises(ValidationError, match="bucket"):
        S3Array(bucket="Bad_Bucket", key="k", dtype="uint8", shape=(1,))


def test_models_are_frozen() -> None:
    ref = InlineArray.from_numpy(np.zeros(1))
    with pytest.raises(ValidationError, match="frozen"):
        ref.shape = (2,)  # type: ignore[misc]
