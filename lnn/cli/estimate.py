"""``lnn estimate``: the options of ``lnn train``; a few steps run embedded, call by call, and
the whole run's critical-path time and bill on AWS projected from them."""

import argparse
import json
import sys

from rich.console import Console

from lnn.cli import train
from lnn.cli.errors import EXIT_OK, UsageError

DEFAULT_STEPS = 3


def add_arguments(p: argparse.ArgumentParser) -> None:
    train.add_arguments(p)
    out = p._option_string_actions["--out"]  # train's --out, which says where models go
    out.help, out.metavar = "also write the estimate to DIR/estimate.json", "DIR"
    p.add_argument(
        "--steps",
        type=int,
        default=DEFAULT_STEPS,
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
    from lnn.estimate.estimate import estimate
    from lnn.estimate.report import render, to_json

    _, config, data = train.load_inputs(args)  # the run `lnn train` would make
    if args.out is not None:
        train.make_out_dir(args.out)
    console = Console(stderr=args.json)
    result = estimate(
        config,
        data,
        args.steps,
        stack=args.stack,
        on_run=lambda label: console.print(f"measuring: {label} ..."),
    )
    if args.out is not None:
        (args.out / "estimate.json").write_text(json.dumps(result.as_dict(), indent=1) + "\n")
    if args.json:
        sys.stdout.write(to_json(result) + "\n")
    else:
        render(result, console)
    return EXIT_OK
