"""``lnn estimate``: a run's (or a sweep's) AWS critical-path time and bill, projected from
a few embedded steps measured call by call."""

from lnn.estimate.estimate import Estimate, estimate
from lnn.estimate.invocations import timed_handlers
from lnn.estimate.report import render, to_json
from lnn.estimate.sweep import SweepEstimate, estimate_sweep
from lnn.estimate.sweep_report import render_sweep
from lnn.estimate.trace import RunTrace

__all__ = [
    "Estimate",
    "RunTrace",
    "SweepEstimate",
    "estimate",
    "estimate_sweep",
    "render",
    "render_sweep",
    "timed_handlers",
    "to_json",
]
