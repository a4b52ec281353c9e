"""The MNIST-shaped case: one epoch of 128:relu,64:relu,10:softmax (Adam, batches of 128) on
the MNIST-shaped set, on the reference and the embedded engine side by side, each training in
a child process of its own (its wall time and peak memory are its own), then ``lnn estimate``
of the same run; the figures beside the targets of issue 21. Nothing is asserted of them."""

import os
import statistics
import time
from pathlib import Path

from lnn.bench.child import CHILD_ENV, ChildRun, child_env, run_lnn
from lnn.bench.exceptions import CaseUnavailableError
from lnn.bench.mnist_shaped_data import MnistShape, cached_dataset
from lnn.bench.mnist_shaped_runs import (
    ENGINES,
    LAYERS,
    TRAIN_OPTIONS,
    EngineRun,
    models_max_abs_diff,
    steps_of,
    train,
    train_args,
)
from lnn.bench.mnist_shaped_targets import Measured, targets
from lnn.bench.types import AGREEMENT_TOLERANCE
from lnn.runs.types import RUNS_DIR

__all__ = ["mnist_shaped"]

BENCH_DIR = RUNS_DIR / "bench"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _rounds(dataset: Path, epochs: int, repeats: int, work: Path) -> list[dict[str, EngineRun]]:
    """Each round trains on both engines, who goes first swapping from round to round."""
    found = []
    for number in range(1, repeats + 1):
        order = ENGINES if number % 2 else ENGINES[::-1]
        runs = {e: train(e, dataset, epochs, work / f"round-{number}-{e}") for e in order}
        found.append(runs)
    return found


def _estimate(dataset: Path, epochs: int, work: Path) -> tuple[ChildRun, dict[str, object]]:
    args = ["estimate", *train_args(dataset, epochs), "--out", str(work / "estimate")]
    child = run_lnn(args, work, "estimate")
    e = child.output
    times, bill = dict(e["time_s"]), dict(e["bill_usd"])  # type: ignore[call-overload]
    upload = dict(e["upload"])  # type: ignore[call-overload]
    figures: dict[str, object] = {
        "aws_run_p50_s": times["per_run"],
        "aws_start_p50_s": times["start"],
        "aws_step_p50_s": times["per_step"],
        "aws_run_p50_usd": dict(bill["per_run"])["total"],
        "aws_upload_mb": upload["bytes"] / 1e6,
        "aws_upload_measured_here_s": upload["measured_s"],
        "estimate_wall_s": child.wall_s,
    }
    return child, {k: _p50(v) for k, v in figures.items()}


def _p50(value: object) -> object:
    """A band's p50 end points (low, high); a plain figure as it is."""
    if isinstance(value, dict):
        return [value["p50_low"], value["p50_high"]]
    return value


def mnist_shaped(
    _: object, epochs: int, repeats: int, *, shape: MnistShape | None = None
) -> dict[str, object]:
    shape = shape or MnistShape()
    try:
        import lnn.engines.stack  # noqa: F401  (the embedded engine the children need)
    except ImportError as exc:
        raise CaseUnavailableError(f"lnn.engines.stack: {exc}") from exc
    load_before = os.getloadavg()
    made = time.perf_counter()
    dataset, new = cached_dataset(shape)
    made_s = time.perf_counter() - made
    work = BENCH_DIR / f"mnist-shaped-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    rounds = _rounds(dataset, epochs, repeats, work)
    _, aws = _estimate(dataset, epochs, work)
    load_after = os.getloadavg()
    by_engine = {e: [r[e] for r in rounds] for e in ENGINES}
    wall = {e: [r.child.wall_s for r in runs] for e, runs in by_engine.items()}
    peak = {e: [r.child.peak_rss_gb for r in runs] for e, runs in by_engine.items()}
    starts = [r.start for r in by_engine["embedded"] if r.start is not None]
    steps = steps_of(shape.samples, epochs)
    last = rounds[-1]
    diff = models_max_abs_diff(last["reference"], last["embedded"])
    measured = Measured(
        start_s=_median([s.start_s for s in starts]),
        embedded_run_s=_median([s.run_s for s in starts]),
        embedded_wall_s=_median(wall["embedded"]),
        reference_wall_s=_median(wall["reference"]),
        embedded_peak_gb=_median(peak["embedded"]),
        reference_peak_gb=_median(peak["reference"]),
        timeouts_exceeded=sum(r.timeouts_exceeded for r in by_engine["embedded"]),
    )
    return {
        "dataset": {**shape.as_dict(), "path": str(dataset), "made_now": new, "made_s": made_s},
        "network": LAYERS,
        "training": " ".join([*TRAIN_OPTIONS, "--epochs", str(epochs)]),
        "children_env": {k: child_env()[k] for k in CHILD_ENV},
        "load_before": list(load_before),
        "load_after": list(load_after),
        "out": str(work),
        "steps": steps,
        "wall_s": wall,
        "peak_rss_gb": peak,
        "embedded_upload_s": [s.upload_s for s in starts],
        "embedded_trainer_start_s": [s.trainer_s for s in starts],
        "embedded_start_s": [s.start_s for s in starts],
        "embedded_run_s": [s.run_s for s in starts],
        "embedded_ms_per_step": [1000 * s.rest_s / steps for s in starts],
        "timeouts_exceeded": measured.timeouts_exceeded,
        "final_cost": {e: runs[-1].final_cost for e, runs in by_engine.items()},
        "max_abs_diff": diff,
        "models_agree": diff <= AGREEMENT_TOLERANCE,
        **aws,
        "targets": targets(measured),
    }
