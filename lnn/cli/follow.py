"""``lnn follow``: print a run's epochs as they complete; exit 0 only when it SUCCEEDED."""

import argparse
import time
from pathlib import Path

from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import UsageError
from lnn.cli.options import add_stall_option
from lnn.cli.waiting import add_follow_options, follow_run
from lnn.client import StackClient

# A run submitted a moment ago has no record until the trainer has taken its request.
_START_GRACE_S = 30.0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_id", metavar="RUN_ID", help="the run id `lnn submit` printed")
    add_stack_options(p)
    add_follow_options(p)
    add_stall_option(p)
    p.add_argument("--out", type=Path, default=None, help="download model.npz into DIR")
    p.add_argument("--json", action="store_true", help="print one JSON summary line last")


def _wait_for_record(client: StackClient, run_id: str, *, poll: float) -> None:
    deadline = time.monotonic() + _START_GRACE_S
    with stack_errors():
        while client.record(run_id) is None:
            if time.monotonic() >= deadline:
                raise UsageError(f"no run {run_id} in stack {client.outputs.stack}")
            time.sleep(poll)


def cmd_follow(args: argparse.Namespace) -> int:
    client = connect(args)
    _wait_for_record(client, args.run_id, poll=args.poll)
    return follow_run(
        client,
        args.run_id,
        timeout=args.timeout,
        poll=args.poll,
        out=args.out,
        as_json=args.json,
        stall_after=args.stall_after,
    )
