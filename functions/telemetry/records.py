"""The telemetry file of a run (``--out DIR/telemetry.jsonl``): JSON Lines, one record per
(step, layer) or, for a window merged over an epoch, per (epoch, layer).

A record is a whole layer's LayerTelemetry document with ``epoch`` (0-based), ``batch``
(0-based; null for an epoch record) and ``step`` (1-based optimizer step; an epoch record
names its last step), plus ``classes`` on the output layer of a classifier. docs/telemetry.md
describes every field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from functions.telemetry.classes import ClassCounts
from functions.telemetry.layer import LayerTelemetry


@dataclass(frozen=True)
class TelemetryRecord:
    epoch: int
    batch: int | None
    step: int
    telemetry: LayerTelemetry
    classes: ClassCounts | None = None

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"epoch": self.epoch, "batch": self.batch, "step": self.step}
        doc.update(self.telemetry.to_document())
        if self.classes is not None:
            doc["classes"] = self.classes.to_document()
        return doc

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> TelemetryRecord:
        classes = doc.get("classes")
        batch = doc["batch"]
        return cls(
            epoch=int(doc["epoch"]),
            batch=None if batch is None else int(batch),
            step=int(doc["step"]),
            telemetry=LayerTelemetry.from_document(doc),
            classes=None if classes is None else ClassCounts.from_document(classes),
        )


def dumps_records(records: Iterable[TelemetryRecord]) -> str:
    """JSON Lines text: one compact line per record, each ending in a newline."""
    # allow_nan=False: the documents already spell non-finite floats as strings, so a bare
    # NaN here would be a bug, and it would make the file unreadable to strict parsers.
    return "".join(
        json.dumps(r.to_document(), separators=(",", ":"), allow_nan=False) + "\n" for r in records
    )


def loads_records(text: str) -> list[TelemetryRecord]:
    return [TelemetryRecord.from_document(json.loads(line)) for line in text.splitlines() if line]
