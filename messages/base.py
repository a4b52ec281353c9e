"""The shared model base and the field types several messages reuse."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from messages.limits import TELEMETRY_MAX_CLASSES

__all__ = [
    "RUN_ID_PATTERN",
    "Accuracy",
    "ConfusionMatrix",
    "Count",
    "Float",
    "FrozenModel",
    "Int",
    "MessageId",
    "RunId",
    "check_confusions",
]

RUN_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def _not_bool_or_str(value: Any) -> Any:
    # Lax mode would read true as 1 and "3" as 3; on the wire those are mistakes.
    # (Strict mode is not used because it also refuses numpy integers.)
    if isinstance(value, bool | str):
        raise ValueError(f"expected a number, got {type(value).__name__} {value!r}")
    return value


_NUMBER = BeforeValidator(_not_bool_or_str)

Int = Annotated[int, _NUMBER]
"""An integer that refuses booleans and numeric strings."""

Float = Annotated[float, _NUMBER]
"""A float that refuses booleans and numeric strings (NaN/inf are refused by the base)."""

RunId = Annotated[str, Field(pattern=RUN_ID_PATTERN)]
"""A run id: 1..64 characters from letters, digits, '_' and '-' (safe in S3 keys and ARNs)."""

MessageId = Annotated[str, Field(min_length=1, max_length=100)]
"""The id of an SQS message (AWS: a UUID; emulators and tests: any short text)."""

# Bounds come before the validator: a bound that follows one is enforced by a wrapper
# function whose JSON Schema keeps pydantic's name ("ge", not "minimum"; pydantic
# issue #11576), which a standard validator ignores.
Count = Annotated[int, Field(ge=0), _NUMBER]
"""A non-negative counter (epoch, batch, step)."""

Accuracy = Annotated[float, Field(ge=0.0, le=1.0), _NUMBER]
"""A fraction of correct predictions in [0, 1]."""

_CLASSES = Field(min_length=2, max_length=TELEMETRY_MAX_CLASSES)
ConfusionMatrix = Annotated[list[Annotated[list[Count], _CLASSES]], _CLASSES]
"""k x k sample counts of a classifier: row i the samples of true class i, column j those
predicted as class j (a single sigmoid unit is k = 2). Square: its models check that."""


def check_confusions(*matrices: list[list[int]] | None) -> None:
    """ValueError unless every given matrix is k x k with one k for all (the splits of one
    evaluation count the same classes)."""
    sizes = {len(m) for m in matrices if m is not None}
    for matrix in (m for m in matrices if m is not None):
        if any(len(row) != len(matrix) for row in matrix):
            raise ValueError(f"a confusion matrix is k x k: {len(matrix)} rows of other lengths")
    if len(sizes) > 1:
        raise ValueError(f"one evaluation's confusion matrices differ in size: {sorted(sizes)}")


_JSON_SCHEMA_BOUNDS = {
    "ge": "minimum",
    "gt": "exclusiveMinimum",
    "le": "maximum",
    "lt": "exclusiveMaximum",
    "multiple_of": "multipleOf",
}


def _standard_bounds(schema: Any) -> None:
    """Rename bounds pydantic left under their Python names, anywhere in `schema`."""
    # Annotated[Int, Field(ge=...)] written outside this module still hits #11576;
    # fixing the names here keeps every model's schema standard whoever declares it.
    if isinstance(schema, list):
        for item in schema:
            _standard_bounds(item)
        return
    if not isinstance(schema, dict):
        return
    if schema.get("type") in ("integer", "number"):
        for name, keyword in _JSON_SCHEMA_BOUNDS.items():
            if name in schema:
                schema[keyword] = schema.pop(name)
    for value in schema.values():
        _standard_bounds(value)


def _model_json_schema(schema: dict[str, Any], _cls: type) -> None:
    _standard_bounds(schema)


class FrozenModel(BaseModel):
    """Immutable, closed wire message: unknown fields and non-finite floats are rejected."""

    # NaN/inf cannot round-trip through JSON (pydantic writes them as null), so a
    # message carrying one is refused where it is built rather than where it lands.
    model_config = ConfigDict(
        frozen=True, extra="forbid", allow_inf_nan=False, json_schema_extra=_model_json_schema
    )
