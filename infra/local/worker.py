"""One Lambda "container" of `lnn up --workers N`: a LambdaRunner in a process of its own.

`python -m infra.local.worker --endpoint-url URL` serves the functions deployed at URL
until its stdin closes. The parent holds the only write end of that pipe, so the worker
also stops when the parent dies, however it dies (no orphans). Its stdout is the channel
back to the parent: JSON lines, {"event": "ready"} once, {"event": "stopped", "stats"}
at the end; whatever handlers print goes to stderr with the logs.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import IO, Any

from infra.local.hosting import run_functions


def _send(channel: IO[str], message: dict[str, Any]) -> None:
    try:
        channel.write(json.dumps(message) + "\n")
        channel.flush()
    except (BrokenPipeError, ValueError):  # the parent is gone: nobody to tell
        pass


def _stop_at_eof(stop: threading.Event) -> None:
    sys.stdin.buffer.read()  # returns only when the parent closes the pipe or dies
    stop.set()


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m infra.local.worker")
    p.add_argument("--endpoint-url", required=True)
    p.add_argument("--worker", type=int, default=1, help="number shown in the logs")
    p.add_argument("--runner-options", type=json.loads, default={}, help="LambdaRunner kwargs")
    p.add_argument("--log-level", default="WARNING")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(
        level=args.log_level,
        format=f"%(asctime)s worker {args.worker} %(levelname)s %(name)s: %(message)s",
    )
    # Keep fd 1 for the parent; print() in a handler lands on stderr, as logs do on Lambda.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    stop = threading.Event()
    # Ctrl-C reaches the whole process group: the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    threading.Thread(target=_stop_at_eof, args=(stop,), name="lifeline", daemon=True).start()
    stats = run_functions(
        args.endpoint_url,
        stop,
        ready=lambda: _send(channel, {"event": "ready", "pid": os.getpid()}),
        **args.runner_options,
    )
    _send(channel, {"event": "stopped", "stats": stats.as_dict()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
