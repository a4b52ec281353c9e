"""``lnn up``: the embedded stack (moto's AWS API + the Lambda runner) on loopback until Ctrl-C;
with ``--endpoint-url``, only the Lambda runner, against an API it did not start."""

import argparse
import logging
import signal
import threading

from infra.local import LambdaRunner, serve, serve_endpoint
from lnn.cli.connection import require_listening, stack_errors


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=4566, help="0 picks a free port")
    p.add_argument("-v", "--verbose", action="store_true", help="log every handler batch")
    p.add_argument(
        "--endpoint-url",
        default=None,
        help="start no emulator: serve the functions of the stacks deployed at this API with "
        "`lnn deploy --local-runner` (their mappings disabled) from this checkout",
    )


def announce(endpoint_url: str) -> None:
    print(f"lnn up: AWS API and Lambda runner on {endpoint_url} (Ctrl-C to stop)", flush=True)
    print("next, in another shell:", flush=True)
    print(f"  export AWS_ENDPOINT_URL={endpoint_url}", flush=True)
    print("  lnn deploy && lnn submit --dataset flower --epochs 100 --wait", flush=True)


def announce_runner(runner: LambdaRunner) -> None:
    functions = sorted({m.function_name for m in runner.mappings})
    print(
        f"lnn up: serving {len(runner.mappings)} disabled mappings at {runner.endpoint_url} "
        f"from this checkout ({', '.join(functions) or 'none yet: deploy with --local-runner'})"
        "; Ctrl-C to stop",
        flush=True,
    )


def cmd_up(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    stop = threading.Event()
    # SIGTERM (docker stop, a supervisor, a test) ends the loop like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    if args.endpoint_url:
        require_listening(args.endpoint_url)
        with stack_errors():
            serve_endpoint(args.endpoint_url, stop=stop, ready=announce_runner)
        print("lnn up: stopped", flush=True)
        return 0
    with stack_errors():
        serve(args.host, args.port, stop=stop, ready=announce)
    print("lnn up: stopped", flush=True)
    return 0
