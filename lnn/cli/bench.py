"""``lnn bench``: engines timed side by side on the cat network, reported as ratios."""

import argparse
import os
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from threadpoolctl import threadpool_limits

from lnn.cli.errors import EXIT_FAILED, EXIT_OK, UsageError

if TYPE_CHECKING:  # the bench's modules load the engines: only when it runs
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
)
# Run only when named: they take long enough to be a decision.
OPT_IN = ("sweep-cost", "sweep-page-cost", "batch-norm")


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
    p.add_argument("--json", action="store_true", help="print one JSON object last")


def check_arguments(args: argparse.Namespace) -> list[str]:
    unknown = [name for name in args.cases if name not in CASE_NAMES]
    if unknown:
        raise UsageError(f"unknown case {unknown[0]!r}; choose from {', '.join(CASE_NAMES)}")
    for option in ("epochs", "repeats", "threads", "shards"):
        value = getattr(args, option)
        if value is not None and value < 1:
            raise UsageError(f"--{option} must be at least 1, got {value}")
    return list(dict.fromkeys(args.cases)) or [n for n in CASE_NAMES if n not in OPT_IN]


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
            results.append(run_case(CASES[name], cat, args.epochs, args.repeats))
    report = BenchReport(machine, results, os.getloadavg())
    if args.json:
        sys.stdout.write(to_json(report) + "\n")
    else:
        render(report, console)
    return EXIT_OK if report.passed else EXIT_FAILED
