"""``lnn up``: the embedded stack (moto's AWS API + the Lambda runner) on loopback until Ctrl-C;
with ``--endpoint-url``, only the Lambda runner, against an API it did not start."""

import argparse
import logging
import signal
import threading

from infra.local import LambdaRunner, serve, serve_endpoint
from infra.stack import resolve_names
from infra.stack.aws import make_session
from infra.stack.names import FUNCTION_KEYS
from lnn.cli.connection import require_listening, stack_errors
from lnn.cli.errors import UsageError


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
    p.add_argument(
        "--stack",
        default=None,
        help="with --endpoint-url: serve this stack only (default: every local-runner stack)",
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


def stack_functions(stack: str, endpoint_url: str) -> list[str]:
    """The function names of stack `stack` at the endpoint's account and region."""
    session = make_session(endpoint_url=endpoint_url)
    names = resolve_names(session, stack=stack, endpoint_url=endpoint_url)
    return [names.function(key) for key in FUNCTION_KEYS]


def cmd_up(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    stop = threading.Event()
    # SIGTERM (docker stop, a supervisor, a test) ends the loop like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    if args.stack and not args.endpoint_url:
        raise UsageError("--stack needs --endpoint-url (the embedded stack serves them all)")
    if args.endpoint_url:
        require_listening(args.endpoint_url)
        with stack_errors():
            functions = stack_functions(args.stack, args.endpoint_url) if args.stack else None
            serve_endpoint(args.endpoint_url, stop=stop, ready=announce_runner, functions=functions)
        print("lnn up: stopped", flush=True)
        return 0
    with stack_errors():
        serve(args.host, args.port, stop=stop, ready=announce)
    print("lnn up: stopped", flush=True)
    return 0
