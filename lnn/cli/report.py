"""``lnn report RUN [-o FILE]``: the self-contained report.html of a run on a deployed stack
(the run as it is now: at its end, or so far for a run still training)."""

import argparse
from pathlib import Path

from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import UsageError
from lnn.runs import REPORT_FILE, default_run_dir, open_stack_run
from lnn.watch.report import write_report
from lnn.watch.stack_feed import StackFeed
from lnn.watch.view import RunView


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_id", metavar="RUN_ID", help="the run id `lnn submit` printed")
    add_stack_options(p)
    p.add_argument(
        "-o", "--output", type=Path, default=None, help=f"file (default: runs/RUN_ID/{REPORT_FILE})"
    )


def cmd_report(args: argparse.Namespace) -> int:
    view = RunView(engine="endpoint", run_id=args.run_id)
    feed = StackFeed(view)
    with stack_errors():
        run = open_stack_run(connect(args), args.run_id, command="report")
        record = run.record
        if record.status.is_terminal:
            feed.final(run.client, record)
        else:
            feed.poll(run.client, run.run_id, record, force=True)
    path = args.output or default_run_dir(args.run_id) / REPORT_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        written = write_report(path, view)
    except OSError as exc:
        raise UsageError(f"--output: cannot write {path}: {exc.strerror or exc}") from exc
    state = "" if record.status.is_terminal else f" (the run is {record.status.value}: so far)"
    print(f"{written}{state}")
    return 0
