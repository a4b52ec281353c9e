"""The shared model base and the field types several messages reuse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

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
    "SplitMetrics",
    "split_fields",
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
predicted as class j (a single sigmoid unit is k = 2). Square: SplitMetrics checks that."""


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


class SplitMetrics(FrozenModel):
    """What an evaluation measured on each split: its accuracy and its confusion matrix
    (classifiers only; None for a split the run does not have). The messages that carry an
    evaluation extend it (tasks.EvalMetrics, status.HistoryEntry): the fields and their
    check are written once."""

    train_accuracy: Accuracy | None = None
    dev_accuracy: Accuracy | None = None
    test_accuracy: Accuracy | None = None
    train_confusion: ConfusionMatrix | None = None
    dev_confusion: ConfusionMatrix | None = None
    test_confusion: ConfusionMatrix | None = None

    @model_validator(mode="after")
    def _square_confusions(self) -> Self:
        """Every matrix k x k, with one k for all (the splits count the same classes)."""
        matrices = [m for m in self.confusions().values() if m is not None]
        for matrix in matrices:
            if any(len(row) != len(matrix) for row in matrix):
                rows = len(matrix)
                raise ValueError(f"a confusion matrix is k x k: {rows} rows of other lengths")
        sizes = {len(m) for m in matrices}
        if len(sizes) > 1:
            raise ValueError(f"one evaluation's confusion matrices differ in size: {sorted(sizes)}")
        return self

    def accuracies(self) -> dict[str, float | None]:
        """Each split's accuracy by field name (the run record and the events take these)."""
        return {name: getattr(self, name) for name in _ACCURACIES}

    def confusions(self) -> dict[str, list[list[int]] | None]:
        return {name: getattr(self, name) for name in _CONFUSIONS}

    def split_metrics(self) -> dict[str, Any]:
        """Every field SplitMetrics defines, to build another model that extends it."""
        return {**self.accuracies(), **self.confusions()}


_ACCURACIES = tuple(name for name in SplitMetrics.model_fields if name.endswith("_accuracy"))
_CONFUSIONS = tuple(name for name in SplitMetrics.model_fields if name.endswith("_confusion"))


def split_fields(
    accuracies: Sequence[float | None], confusions: Sequence[list[list[int]] | None]
) -> dict[str, Any]:
    """SplitMetrics' fields from each split's accuracy and matrix, in train, dev, test order."""
    return {
        **dict(zip(_ACCURACIES, accuracies, strict=True)),
        **dict(zip(_CONFUSIONS, confusions, strict=True)),
    }
