"""Benchmarks reported as ratios of two engines timed side by side in one process."""

from lnn.bench.cases import CASES, Case, CaseResult, run_case
from lnn.bench.numpy_loop import NumpyRun, UnsupportedConfigError, train_numpy
from lnn.bench.report import BenchReport, machine_info, render, to_json
from lnn.bench.timing import Timed, time_interleaved
from lnn.bench.workload import CAT_LAYERS, CatData, load_cat, max_abs_diff, same_bytes

__all__ = [
    "CASES",
    "CAT_LAYERS",
    "BenchReport",
    "Case",
    "CaseResult",
    "CatData",
    "NumpyRun",
    "Timed",
    "UnsupportedConfigError",
    "load_cat",
    "machine_info",
    "max_abs_diff",
    "render",
    "run_case",
    "same_bytes",
    "time_interleaved",
    "to_json",
    "train_numpy",
]
