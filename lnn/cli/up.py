"""``lnn up``: the embedded stack (moto's AWS API + the Lambda runner) on loopback until Ctrl-C."""

import argparse
import logging
import signal
import threading

from infra.local import serve
from lnn.cli.connection import stack_errors


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=4566, help="0 picks a free port")
    p.add_argument("-v", "--verbose", action="store_true", help="log every handler batch")


def announce(endpoint_url: str) -> None:
    print(f"lnn up: AWS API and Lambda runner on {endpoint_url} (Ctrl-C to stop)", flush=True)
    print("next, in another shell:", flush=True)
    print(f"  export AWS_ENDPOINT_URL={endpoint_url}", flush=True)
    print("  lnn deploy && lnn submit --dataset flower --epochs 100 --wait", flush=True)


def cmd_up(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    stop = threading.Event()
    # SIGTERM (docker stop, a supervisor, a test) ends the loop like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    with stack_errors():
        serve(args.host, args.port, stop=stop, ready=announce)
    print("lnn up: stopped", flush=True)
    return 0
