"""The ``lnn`` console command: one entry point, one module per sub-command."""

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from lnn.cli.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    UsageError,
)

# name -> (module, help). Modules are imported lazily so `lnn schema` doesn't pay for moto.
COMMANDS: dict[str, tuple[str, str]] = {
    "train": ("lnn.cli.train", "train a network (reference, embedded or endpoint engine)"),
    "predict": ("lnn.cli.predict", "predict labels and probabilities with a model.npz"),
    "gradcheck": ("lnn.cli.gradcheck", "check backprop against numerical gradients"),
    "schema": ("lnn.cli.schema", "print the JSON Schema (2020-12) of every message, or of one"),
    "up": ("lnn.cli.up", "serve the embedded stack on 127.0.0.1:4566 until Ctrl-C"),
    "deploy": ("lnn.cli.deploy", "build the Lambda bundle and deploy (or tear down) the stack"),
    "submit": ("lnn.cli.submit", "publish a TrainRequest to a deployed stack, print its run id"),
    "status": ("lnn.cli.status", "show one run's record"),
    "follow": ("lnn.cli.follow", "print a run's epochs until it ends; exit 0 if it SUCCEEDED"),
    "runs": ("lnn.cli.runs", "list the stack's runs, newest first"),
    "cancel": ("lnn.cli.cancel", "cancel a running run"),
    "inspect": ("lnn.cli.inspect", "per-layer telemetry of a run: dead, saturated, gradients"),
    "trace": ("lnn.cli.trace", "a run's message timeline as a Chrome Trace Event file"),
    "export": ("lnn.cli.export", "write a run as TensorBoard logs (scalars, histograms, pictures)"),
    "watch": ("lnn.cli.watch", "serve the live page of a run on a deployed stack"),
    "report": ("lnn.cli.report", "write the self-contained report.html of a run on a stack"),
    "bench": ("lnn.cli.bench", "time engines side by side on the cat network, report ratios"),
    "estimate": ("lnn.cli.estimate", "project a run's AWS time and bill from a few embedded steps"),
    "sweep": ("lnn.cli.sweep", "train many trials of a search space at once, compare them"),
}


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog.removeprefix('lnn').strip() or 'usage'}: {message}")


class DefaultsHelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` shows an option's default after its help, unless there is nothing to show
    (no default, or an off flag) or the help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        # Identity, not equality: a default of 0 is worth showing, and 0 == False.
        if action.default is None or action.default is False or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="lnn", description="Lambda Neural Network")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(
            name, help=help_text, description=help_text, formatter_class=DefaultsHelpFormatter
        )
        importlib.import_module(module).add_arguments(command)
    return parser


def one_line(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        from messages.exceptions import format_validation_error

        return format_validation_error(exc)
    return " ".join(str(exc).split()) or type(exc).__name__


def _bad_input() -> tuple[type[BaseException], ...]:
    """Errors that mean "fix your input" (exit 2); imported late, boto3 takes half a second."""
    from lnn.client import (
        InvalidRunIdError,
        RunNotFoundError,
        StackCapacityError,
        StackDepthError,
    )
    from lnn.datasets import DatasetError
    from lnn.model_file import ModelFileError
    from lnn.prepare import DataMismatchError
    from lnn.runs import RunError
    from lnn.sweep.exceptions import SweepError
    from lnn.watch.session import PortError

    return (
        UsageError,
        DatasetError,
        RunError,
        ModelFileError,
        DataMismatchError,
        PortError,
        ValidationError,
        StackDepthError,
        StackCapacityError,
        InvalidRunIdError,
        RunNotFoundError,
        SweepError,
    )


def _quiet_broken_pipe() -> int:
    """The reader went away (``| head``): no traceback, and none at exit either, when Python
    flushes what is still buffered; so stdout is pointed at devnull (the recipe of Python's
    signal module docs)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


# What a --json run summary says when the stack's API stopped answering: not a run status.
UNREACHABLE = "UNREACHABLE"


def main(argv: Sequence[str] | None = None) -> int:
    args = None
    try:
        args = build_parser().parse_args(argv)
        module = importlib.import_module(COMMANDS[args.command][0])
        code = getattr(module, f"cmd_{args.command}")(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows up here at the latest
        return code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:
        print("lnn: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        from lnn.client import no_answer

        # First: an API that did not answer may come wrapped in a usage or deploy error.
        lost = no_answer(exc)
        if lost is not None:  # the input was fine, the stack's API is down or frozen
            print(f"lnn: error: {one_line(lost)}", file=sys.stderr)
            if getattr(args, "json", False):  # the last stdout line stays one JSON object
                line = {"run_id": None, "status": UNREACHABLE, "reason": one_line(lost)}
                print(json.dumps(line), flush=True)
            return EXIT_FAILED
        if not isinstance(exc, _bad_input()):
            raise
        print(f"lnn: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
