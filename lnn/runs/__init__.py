"""A run as the user side reads it: from the directory `lnn train --out` wrote, or from a
deployed stack by its id. The RUN argument of lnn inspect, trace, export, watch, report and
status is resolved here, once, and the run directory's file names are defined here."""

from __future__ import annotations

from lnn.runs.base import LocalRun, Run, StackRun, make_output_dir, open_run, open_stack_run
from lnn.runs.exceptions import (
    OutputDirectoryError,
    RunDirectoryNotFoundError,
    RunError,
    RunFileInvalidError,
    RunFileMissingError,
)
from lnn.runs.types import (
    BOUNDARY_PLOT,
    COST_PLOT,
    ESTIMATE_FILE,
    FIRST_LAYER_FILE,
    HISTORY_FILE,
    MODEL_FILE,
    REPORT_FILE,
    RUNS_DIR,
    SPANS_FILE,
    TELEMETRY_FILE,
    default_run_dir,
)

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
    "LocalRun",
    "OutputDirectoryError",
    "Run",
    "RunDirectoryNotFoundError",
    "RunError",
    "RunFileInvalidError",
    "RunFileMissingError",
    "StackRun",
    "default_run_dir",
    "make_output_dir",
    "open_run",
    "open_stack_run",
]
