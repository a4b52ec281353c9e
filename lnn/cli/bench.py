"""``lnn bench``: engines timed side by side on the cat network, reported as ratios."""

import argparse
import os
import sys
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from rich.console import Console
from threadpoolctl import threadpool_limits

from lnn.cli.errors import EXIT_FAILED, EXIT_OK, UsageError

if TYPE_CHECKING:  # the bench's modules load the engines: only when it runs
    from lnn.bench.cases import Case
    from lnn.bench.workload import CatData

# Kept here so building the parser does not import the engines.
CASE_NAMES = (
    "reference-vs-numpy",
    "embedded-vs-reference",
    "embedded-floor",
    "telemetry-cost",
    "watch-cost",
    "sweep-cost",
    "sweep-page-cost",
    "batch-norm",
    "mnist-shaped",
)
# Run only when named: they take long enough to be a decision.
OPT_IN = ("sweep-cost", "sweep-page-cost", "batch-norm", "mnist-shaped")
# mnist-shaped's set, smaller (its defaults are MNIST's: lnn.bench.mnist_shaped_data).
SHAPE_OPTIONS = {
    "samples": "training samples",
    "features": "features",
    "test_samples": "test samples",
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "cases",
        nargs="*",
        metavar="CASE",
        help=f"cases to run (default: all of {', '.join(CASE_NAMES)} but {', '.join(OPT_IN)})",
    )
    p.add_argument("--epochs", type=int, default=None, help="epochs per run (default: per case)")
    p.add_argument(
        "--repeats", type=int, default=None, help="interleaved repeats (default: per case)"
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="limit BLAS threads for the run via threadpoolctl (default: as numpy loaded it)",
    )
    p.add_argument(
        "--shards",
        type=int,
        default=1,
        help="shards per layer for the message-passing engine",
    )
    for option, what in SHAPE_OPTIONS.items():
        p.add_argument(
            f"--{option.replace('_', '-')}",
            type=int,
            default=None,
            help=f"mnist-shaped: {what} of the generated set (default: MNIST's)",
        )
    p.add_argument("--json", action="store_true", help="print one JSON object last")


def check_arguments(args: argparse.Namespace) -> list[str]:
    unknown = [name for name in args.cases if name not in CASE_NAMES]
    if unknown:
        raise UsageError(f"unknown case {unknown[0]!r}; choose from {', '.join(CASE_NAMES)}")
    for option in ("epochs", "repeats", "threads", "shards", *SHAPE_OPTIONS):
        value = getattr(args, option)
        if value is not None and value < 1:
            raise UsageError(f"--{option.replace('_', '-')} must be at least 1, got {value}")
    names = list(dict.fromkeys(args.cases)) or [n for n in CASE_NAMES if n not in OPT_IN]
    shaped = [o for o in SHAPE_OPTIONS if getattr(args, o) is not None]
    if shaped and "mnist-shaped" not in names:
        raise UsageError(f"--{shaped[0].replace('_', '-')} is an option of mnist-shaped only")
    return names


def _with_shape(case: "Case", args: argparse.Namespace) -> "Case":
    """mnist-shaped on the set its options ask for; any other case as it is."""
    if case.name != "mnist-shaped":
        return case
    from lnn.bench.mnist_shaped import mnist_shaped
    from lnn.bench.mnist_shaped_data import MnistShape

    given = {o: getattr(args, o) for o in SHAPE_OPTIONS if getattr(args, o) is not None}
    return replace(case, run=partial(mnist_shaped, shape=MnistShape(**given)))


def cmd_bench(args: argparse.Namespace) -> int:
    names = check_arguments(args)
    from lnn.bench import CASES, BenchReport, load_cat, machine_info, render, run_case, to_json
    from lnn.bench.workload import MissingCat
    from lnn.datasets import DatasetNotFoundError

    console = Console()
    try:
        cat: CatData | MissingCat = load_cat(args.shards)
    except DatasetNotFoundError as exc:
        if any(CASES[name].needs_cat for name in names):
            raise  # one line, exit 2: the cases asked for cannot run
        cat = MissingCat(str(exc), args.shards)
        Console(stderr=True).print(f"lnn bench: {exc}; the cat network is skipped")
    with threadpool_limits(limits=args.threads, user_api="blas"):
        machine = machine_info()
        results = []
        for name in names:
            if not args.json:
                console.print(f"running {name} ...")
            case = _with_shape(CASES[name], args)
            results.append(run_case(case, cat, args.epochs, args.repeats))
    report = BenchReport(machine, results, os.getloadavg())
    if args.json:
        sys.stdout.write(to_json(report) + "\n")
    else:
        render(report, console)
    return EXIT_OK if report.passed else EXIT_FAILED
