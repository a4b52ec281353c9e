"""``lnn watch RUN``: the live page of a run on a deployed stack (``lnn up``, LocalStack,
AWS), following it to its end and kept up after, until Ctrl-C."""

import argparse
import sys
import time

from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import EXIT_FAILED, EXIT_OK
from lnn.cli.options import add_stall_option
from lnn.client import STALLED, StackClient
from lnn.runs import open_stack_run
from lnn.watch.session import add_page_options, keep_serving, serve
from lnn.watch.stack_feed import POLL_S, StackFeed
from lnn.watch.view import RunView


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_id", metavar="RUN_ID", help="the run id `lnn submit` printed")
    add_stack_options(p)
    add_page_options(p)
    add_stall_option(p)


def follow(client: StackClient, feed: StackFeed, run_id: str, stall_after: float) -> str | None:
    """Poll the run into the feed until it ends, then read the rest of it; the reason it
    stalled instead, if it made no progress for ``stall_after`` seconds (its page says so)."""
    while True:
        with stack_errors():
            record = client.require_record(run_id)
            if record.status.is_terminal:
                feed.final(client, record)
                return None
            feed.poll(client, run_id, record)
            if record.stalled(stall_after):
                reason = record.stalled_reason(stall_after)
                feed.view.update(status=STALLED, reason=reason)
                return reason
        time.sleep(POLL_S)


def cmd_watch(args: argparse.Namespace) -> int:
    with stack_errors():  # an unknown run: one line, exit 2, no server
        run = open_stack_run(connect(args), args.run_id, command="watch")
    view = RunView(engine="endpoint", run_id=run.run_id)
    server = serve(view, args, f"lnn watch {run.run_id}")
    stalled = follow(run.client, StackFeed(view), run.run_id, args.stall_after)
    if stalled is not None:
        print(f"lnn: {stalled}", file=sys.stderr)
    keep_serving(server)
    return EXIT_OK if stalled is None else EXIT_FAILED
