"""``lnn watch RUN``: the live page of a run on a deployed stack (``lnn up``, LocalStack,
AWS), following it to its end and kept up after, until Ctrl-C."""

import argparse
import time

from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.client import StackClient
from lnn.runs import open_stack_run
from lnn.watch.session import add_page_options, keep_serving, serve
from lnn.watch.stack_feed import POLL_S, StackFeed
from lnn.watch.view import RunView
from messages.status import RunRecord


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_id", metavar="RUN_ID", help="the run id `lnn submit` printed")
    add_stack_options(p)
    add_page_options(p)


def follow(client: StackClient, feed: StackFeed, run_id: str) -> RunRecord:
    """Poll the run into the feed until it ends, then read the rest of it."""
    while True:
        with stack_errors():
            record = client.require_record(run_id)
            if record.status.is_terminal:
                feed.final(client, record)
                return record
            feed.poll(client, run_id, record)
        time.sleep(POLL_S)


def cmd_watch(args: argparse.Namespace) -> int:
    with stack_errors():  # an unknown run: one line, exit 2, no server
        run = open_stack_run(connect(args), args.run_id, command="watch")
    view = RunView(engine="endpoint", run_id=run.run_id)
    server = serve(view, args, f"lnn watch {run.run_id}")
    follow(run.client, StackFeed(view), run.run_id)
    keep_serving(server)
    return 0
