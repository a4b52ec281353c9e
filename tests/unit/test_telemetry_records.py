"""The --out file: JSON Lines of (step, layer) records that read back equal, in strict JSON."""

import json

import numpy as np
import pytest
from telemetry_nets import random_layer, shard_step

from functions.telemetry import (
    TelemetryRecord,
    class_counts,
    dumps_records,
    loads_records,
    merge_batches,
)


def _strict(token: str) -> float:
    raise AssertionError(f"bare {token} in the file")


def records() -> list[TelemetryRecord]:
    w, b, x, da = random_layer(3, 2, 6, seed=3)
    hidden = [shard_step(w, b, x[:, i : i + 3], da[:, i : i + 3], "relu") for i in (0, 3)]
    wo, bo, _, dao = random_layer(1, 3, 6, seed=4)
    out = shard_step(wo, bo, np.abs(x[:1].repeat(3, 0)), dao, "sigmoid", layer=2)
    y = np.array([[1.0, 0.0, 1.0, 0.0, 1.0, 1.0]])
    classes = class_counts(y, np.array([[0.9, 0.2, 0.4, 0.1, 0.7, 0.8]]), "sigmoid")
    w[0, 0] = np.nan
    diverged = shard_step(w, b, x[:, :3], da[:, :3], "relu")
    return [
        TelemetryRecord(0, 0, 1, hidden[0]),
        TelemetryRecord(0, 1, 2, hidden[1]),
        TelemetryRecord(0, None, 2, merge_batches(hidden)),
        TelemetryRecord(0, None, 2, out, classes),
        TelemetryRecord(1, 0, 3, diverged),
    ]


def test_jsonl_round_trip_in_strict_json() -> None:
    text = dumps_records(records())
    lines = text.splitlines()
    assert len(lines) == 5 and text.endswith("\n")
    docs = [json.loads(line, parse_constant=_strict) for line in lines]
    assert [(d["epoch"], d["batch"], d["step"], d["layer"]) for d in docs] == [
        (0, 0, 1, 1), (0, 1, 2, 1), (0, None, 2, 1), (0, None, 2, 2), (1, 0, 3, 1),
    ]  # fmt: skip
    assert "classes" in docs[3] and "classes" not in docs[0]
    assert docs[4]["backward"]["weight_norm_sum"][0] == "nan"
    assert loads_records(text) == records()


def test_unknown_versions_are_refused() -> None:
    doc = records()[0].to_document()
    with pytest.raises(ValueError, match="version"):
        TelemetryRecord.from_document({**doc, "v": 99})
