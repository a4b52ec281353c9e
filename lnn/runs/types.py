"""The files of a run directory, named once: what `lnn train --out` writes and what
`lnn inspect`, `lnn trace`, `lnn export` and `lnn report` read back."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BOUNDARY_PLOT",
    "COST_PLOT",
    "ESTIMATE_FILE",
    "FIRST_LAYER_FILE",
    "HISTORY_FILE",
    "MODEL_FILE",
    "REPORT_FILE",
    "RUNS_DIR",
    "SPANS_FILE",
    "TELEMETRY_FILE",
    "default_run_dir",
]

MODEL_FILE = "model.npz"
HISTORY_FILE = "history.json"
TELEMETRY_FILE = "telemetry.jsonl"
SPANS_FILE = "spans.jsonl"
FIRST_LAYER_FILE = "first_layer.npz"  # W1 at the picture steps (lnn.first_layer)
REPORT_FILE = "report.html"
COST_PLOT = "cost.png"
BOUNDARY_PLOT = "boundary.png"
ESTIMATE_FILE = "estimate.json"  # `lnn estimate --out DIR`
# Relative on purpose: a run's outputs land beside where the user ran the command.
RUNS_DIR = Path("runs")


def default_run_dir(run_id: str) -> Path:
    """Where a run's files go when no --out / --output says otherwise: runs/RUN_ID."""
    return RUNS_DIR / run_id
