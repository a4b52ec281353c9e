"""``lnn estimate``: the options of ``lnn train``; a few steps run embedded, call by call, and
the whole run's critical-path time and bill on AWS projected from them. With ``--search``
(the options of ``lnn sweep``), each trial's and the sweep's, its wall time at the
concurrency, and what a Lambda quota does to it."""

import argparse
import json
import sys
from collections.abc import Callable

from rich.console import Console

from lnn.cli.errors import EXIT_OK, UsageError
from lnn.cli.sweep_options import add_search_arguments, check_search_arguments, planned_sweep
from lnn.cli.training_options import add_arguments as add_training_arguments
from lnn.cli.training_options import load_training
from lnn.prepare import PreparedData
from lnn.runs import ESTIMATE_FILE, make_output_dir
from lnn.sweep.types import SweepRecord
from messages.train_request import TrainConfig

_DEFAULT_STEPS = 3
_ESTIMATED_SWEEP = "estimate"  # the id of a sweep planned only to be estimated, never stored


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_training_arguments(p)
    out = p._option_string_actions["--out"]  # train's --out, which says where models go
    out.help, out.metavar = f"also write the estimate to DIR/{ESTIMATE_FILE}", "DIR"
    p.add_argument(
        "--steps",
        type=int,
        default=_DEFAULT_STEPS,
        help="steps measured (by difference of two short runs; rounded up to whole epochs)",
    )
    add_search_arguments(p)


def check_arguments(args: argparse.Namespace) -> None:
    if args.steps < 1:
        raise UsageError(f"--steps must be at least 1, got {args.steps}")
    if args.engine != "embedded":
        raise UsageError("lnn estimate measures on the embedded engine; drop --engine")
    if args.chaos:
        raise UsageError("lnn estimate measures a clean run; drop --chaos")
    check_search_arguments(args)
    if args.search is None and (args.trials, args.lambda_quota) != (None, None):
        raise UsageError("--trials and --lambda-quota estimate a sweep: give its --search")


def _measured(
    args: argparse.Namespace,
    config: TrainConfig,
    sweep: SweepRecord | None,
    data: PreparedData,
    console: Console,
) -> tuple[dict[str, object], Callable[[], None]]:
    """The estimate of the run, or of the sweep of its trials: its JSON document and how it
    is shown."""
    announce = {"on_run": lambda label: console.print(f"measuring: {label} ...")}
    if sweep is None:
        from lnn.estimate import estimate, render

        run = estimate(config, data, args.steps, stack=args.stack, **announce)
        return run.as_dict(), lambda: render(run, console)
    from lnn.estimate import estimate_sweep, render_sweep

    swept = estimate_sweep(
        sweep, data, args.steps, quota=args.lambda_quota, stack=args.stack, **announce
    )
    return swept.as_dict(), lambda: render_sweep(swept, console)


def _sweep(args: argparse.Namespace, base: TrainConfig) -> SweepRecord:
    """The trials `lnn sweep` would run with these options, drawn by the same plan."""
    return planned_sweep(args, base, _ESTIMATED_SWEEP, engine="embedded")


def cmd_estimate(args: argparse.Namespace) -> int:
    check_arguments(args)
    _, config, data = load_training(args)
    sweep = None if args.search is None else _sweep(args, config)  # a bad one: before any work
    if args.out is not None:
        make_output_dir(args.out, "--out")
    document, show = _measured(args, config, sweep, data, Console(stderr=args.json))
    if args.out is not None:
        (args.out / ESTIMATE_FILE).write_text(json.dumps(document, indent=1) + "\n")
    if args.json:
        sys.stdout.write(json.dumps(document) + "\n")
    else:
        show()
    return EXIT_OK
