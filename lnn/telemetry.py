"""A run's telemetry on the user's side: the file, the per-layer window `lnn inspect` shows,
and a comparison of two runs' records (the engines must agree on them)."""

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from functions.telemetry import (
    Flag,
    LayerTelemetry,
    TelemetryRecord,
    dumps_records,
    figures,
    flags,
    merge_batches,
)
from functions.telemetry.verdicts import UnitVerdict
from lnn.runs.types import TELEMETRY_FILE

BATCH_NORM = "batch_norm"  # a layer row's key for its batch-norm figures per unit


def write_telemetry(out: Path, records: Sequence[TelemetryRecord]) -> Path | None:
    """``out/telemetry.jsonl`` (docs/telemetry.md); None, and no file, without records."""
    if not records:
        return None
    path = out / TELEMETRY_FILE
    path.write_text(dumps_records(records), encoding="utf-8")
    return path


def whole_steps(records: list[TelemetryRecord], depth: int) -> list[TelemetryRecord]:
    """Records of the steps whose every layer is written. A step's layers are written from
    the output down as the backward pass goes; a reader that caught one halfway reads that
    step again next time."""
    if records and sum(1 for r in records if r.step == records[-1].step) < depth:
        last = records[-1].step
        return [r for r in records if r.step != last]
    return records


def epoch_window(
    records: Sequence[TelemetryRecord], epoch: int | None = None
) -> tuple[int, list[LayerTelemetry]]:
    """The layers of one epoch (0-based; the last one recorded by default), each merged over
    the epoch's telemetry steps: "dead" then means dead on every sample seen that epoch."""
    if not records:
        raise ValueError("the run has no telemetry")
    chosen = records[-1].epoch if epoch is None else epoch
    by_layer: dict[int, list[LayerTelemetry]] = {}
    for record in records:
        if record.epoch == chosen:
            by_layer.setdefault(record.telemetry.layer, []).append(record.telemetry)
    if not by_layer:
        raise ValueError(f"no telemetry in epoch {chosen + 1}")
    return chosen, [merge_batches(by_layer[layer]) for layer in sorted(by_layer)]


def layer_rows(layers: Sequence[LayerTelemetry]) -> list[dict[str, Any]]:
    """One summary per layer, with the flags raised on it (functions.telemetry.flags), and a
    batch-normalized layer's figures per unit (figures.NORM_UNIT_FIGURES) under BATCH_NORM."""
    raised = flags(layers)
    rows = []
    for t in layers:
        mine: list[Flag] = [f for f in raised if f.layer == t.layer]
        rows.append(
            {
                "layer": t.layer,
                "activation": t.activation,
                "units": t.units,
                figures.DEAD: len(t.dead_units),
                "dead_units": list(t.dead_units),
                figures.SATURATED: t.saturated_fraction,
                figures.GRAD_RMS: t.grad_rms,
                figures.UPDATE_RATIO: t.update_ratio,
                "finite": t.finite,
                "flags": [{"kind": f.kind, "message": f.message} for f in mine],
            }
        )
        norm = figures.norm_units(t)
        if norm is not None:  # a dense layer has no such key
            rows[-1][BATCH_NORM] = {name: values.tolist() for name, values in norm.items()}
    return rows


def verdict_document(v: UnitVerdict) -> dict[str, Any]:
    """A unit's verdict as `lnn inspect --json` and the watch page show it: epochs from 1."""
    return {
        "layer": v.layer,
        "unit": v.unit,
        "dead": v.dead,
        "mark": v.mark,
        "reason": v.reason,
        "events": [{"kind": e.kind, "step": e.step, "epoch": e.epoch + 1} for e in v.events],
    }


def notable(verdicts: Sequence[UnitVerdict]) -> list[UnitVerdict]:
    """The verdicts worth a line of their own: dead units, and units that died at some step."""
    return [v for v in verdicts if v.dead or v.events]


def differences(
    a: Sequence[TelemetryRecord], b: Sequence[TelemetryRecord], *, tolerance: float = 1e-9
) -> list[str]:
    """Where two runs' records differ: integers and names exactly, floats beyond
    ``tolerance`` (relative, or absolute near zero). Empty when they agree."""
    if len(a) != len(b):
        return [f"{len(a)} records against {len(b)}"]
    found: list[str] = []
    for i, (p, q) in enumerate(zip(a, b, strict=True)):
        _compare(p.to_document(), q.to_document(), f"record {i}", tolerance, found)
    return found


def _compare(a: Any, b: Any, path: str, tolerance: float, found: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            found.append(f"{path}: keys {sorted(a)} against {sorted(b)}")
            return
        for key in a:
            _compare(a[key], b[key], f"{path}.{key}", tolerance, found)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            found.append(f"{path}: {len(a)} items against {len(b)}")
            return
        for i, (p, q) in enumerate(zip(a, b, strict=True)):
            _compare(p, q, f"{path}[{i}]", tolerance, found)
    elif isinstance(a, float) and isinstance(b, float):
        if not math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance):
            found.append(f"{path}: {a!r} against {b!r}")
    elif type(a) is not type(b) or a != b:  # counts, names, "nan" strings: exactly
        found.append(f"{path}: {a!r} against {b!r}")
