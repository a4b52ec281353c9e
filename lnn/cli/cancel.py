"""``lnn cancel RUN_ID``: stop a running run (its in-flight messages are then dropped)."""

import argparse

from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import EXIT_FAILED, EXIT_OK


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_id", metavar="RUN_ID", help="the run id `lnn submit` printed")
    add_stack_options(p)
    p.add_argument("--reason", default="cancelled by user", help="recorded on the run")


def cmd_cancel(args: argparse.Namespace) -> int:
    client = connect(args)
    with stack_errors():
        if client.cancel(args.run_id, args.reason):
            print(f"run {args.run_id}: CANCELLED")
            return EXIT_OK
        status = client.require_record(args.run_id).status.value
    print(f"run {args.run_id} is {status}, not RUNNING: nothing to cancel")
    return EXIT_FAILED
