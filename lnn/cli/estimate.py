"""``lnn estimate``: the options of ``lnn train``; a few steps run embedded, call by call, and
the whole run's critical-path time and bill on AWS projected from them."""

import argparse
import json
import sys

from rich.console import Console

from lnn.cli.errors import EXIT_OK, UsageError
from lnn.cli.training_options import add_arguments as add_training_arguments
from lnn.cli.training_options import load_training
from lnn.runs import ESTIMATE_FILE, make_output_dir

_DEFAULT_STEPS = 3


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


def check_arguments(args: argparse.Namespace) -> None:
    if args.steps < 1:
        raise UsageError(f"--steps must be at least 1, got {args.steps}")
    if args.engine != "embedded":
        raise UsageError("lnn estimate measures on the embedded engine; drop --engine")
    if args.chaos:
        raise UsageError("lnn estimate measures a clean run; drop --chaos")


def cmd_estimate(args: argparse.Namespace) -> int:
    check_arguments(args)
    from lnn.estimate import estimate, render, to_json

    _, config, data = load_training(args)
    if args.out is not None:
        make_output_dir(args.out, "--out")
    console = Console(stderr=args.json)
    result = estimate(
        config,
        data,
        args.steps,
        stack=args.stack,
        on_run=lambda label: console.print(f"measuring: {label} ..."),
    )
    if args.out is not None:
        (args.out / ESTIMATE_FILE).write_text(json.dumps(result.as_dict(), indent=1) + "\n")
    if args.json:
        sys.stdout.write(to_json(result) + "\n")
    else:
        render(result, console)
    return EXIT_OK
