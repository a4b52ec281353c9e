"""The shared model base and the field types several messages reuse."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = ["RUN_ID_PATTERN", "Accuracy", "Count", "Float", "FrozenModel", "Int", "RunId"]

RUN_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def _not_bool_or_str(value: Any) -> Any:
    # Lax mode would read true as 1 and "3" as 3; on the wire those are mistakes.
    # (Strict mode is not used because it also refuses numpy integers.)
    if isinstance(value, bool | str):
        raise ValueError(f"expected a number, got {type(value).__name__} {value!r}")
    return value


Int = Annotated[int, BeforeValidator(_not_bool_or_str)]
"""An integer that refuses booleans and numeric strings."""

Float = Annotated[float, BeforeValidator(_not_bool_or_str)]
"""A float that refuses booleans and numeric strings (NaN/inf are refused by the base)."""

RunId = Annotated[str, Field(pattern=RUN_ID_PATTERN)]
"""A run id: 1..64 characters from letters, digits, '_' and '-' (safe in S3 keys and ARNs)."""

Count = Annotated[Int, Field(ge=0)]
"""A non-negative counter (epoch, batch, step)."""

Accuracy = Annotated[Float, Field(ge=0.0, le=1.0)]
"""A fraction of correct predictions in [0, 1]."""


class FrozenModel(BaseModel):
    """Immutable, closed wire message: unknown fields and non-finite floats are rejected."""

    # NaN/inf cannot round-trip through JSON (pydantic writes them as null), so a
    # message carrying one is refused where it is built rather than where it lands.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
