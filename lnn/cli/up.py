"""``lnn up``: the embedded stack (moto's AWS API + the Lambda runner) on loopback until Ctrl-C;
with ``--endpoint-url``, the Lambda runner alone, against an API it did not start."""

import argparse
import json
import logging
import signal
import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict
from typing import Any

from infra.local.emulator import loopback_api
from infra.local.server import serve_functions
from infra.local.workers import WorkerReport
from lnn.cli.connection import require_listening, stack_errors
from lnn.cli.errors import UsageError
from lnn.cli.local_runner import announce_local_runner, local_runner_options
from lnn.cli.options import parse_chaos

_STATE_NOTE = "state: in memory only; every stack, run and model is lost when lnn up stops"


def _workers(text: str) -> int:
    count = int(text)
    if count < 1:
        raise argparse.ArgumentTypeError(f"need at least 1 worker, got {count}")
    return count


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=4566, help="0 picks a free port")
    p.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="Lambda workers: 1 runs the functions in this process, N > 1 in N processes "
        "that race for the same queues and barriers, like N Lambda containers",
    )
    p.add_argument(
        "--chaos",
        default=None,
        metavar="SPEC",
        help="inject faults into the functions served, e.g. duplicate=0.3,crash-after=0.05,seed=1"
        " (see docs/failure-model.md)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log every handler batch")
    p.add_argument(
        "--endpoint-url",
        default=None,
        help="start no emulator: serve, from this checkout, the functions of the stacks "
        "deployed at this API with `lnn deploy --local-runner` (LocalStack without Docker, "
        "debugging handlers against an emulator)",
    )
    p.add_argument(
        "--stack",
        default=None,
        help="with --endpoint-url: serve this stack only (default: every local-runner stack)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="one JSON line when serving (endpoint, worker pids) and one at stop (their stats)",
    )


def announce(endpoint_url: str, pids: list[int], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"endpoint_url": endpoint_url, "workers": pids}), flush=True)
        return
    served = "Lambda runner"
    if len(pids) > 1:
        served = f"{len(pids)} Lambda workers (pids {', '.join(map(str, pids))})"
    print(f"lnn up: AWS API and {served} on {endpoint_url} (Ctrl-C to stop)", flush=True)
    print(f"lnn up: {_STATE_NOTE}", flush=True)
    print("next, in another shell:", flush=True)
    print(f"  export AWS_ENDPOINT_URL={endpoint_url}", flush=True)
    print("  lnn deploy && lnn submit --dataset flower --epochs 100 --wait", flush=True)


def report(reports: list[WorkerReport], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"stopped": True, "workers": [asdict(r) for r in reports]}), flush=True)
        return
    if len(reports) > 1:
        for r in reports:
            records = "stats lost" if r.stats is None else f"{_records(r)} records"
            print(f"lnn up: worker {r.worker} (pid {r.pid}): {records}, {r.restarts} restarts")
    print("lnn up: stopped", flush=True)


def _records(r: WorkerReport) -> int:
    assert r.stats is not None
    return sum(f["records"] for f in r.stats["functions"].values())


def cmd_up(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    parse_chaos(args.chaos)  # a bad spec is a usage error before anything starts
    options: dict[str, Any] = {"chaos": args.chaos} if args.chaos else {}
    if args.stack and not args.endpoint_url:
        raise UsageError("--stack needs --endpoint-url (the embedded stack serves them all)")
    api: AbstractContextManager[str] = loopback_api(args.host, args.port)
    if args.endpoint_url:
        require_listening(args.endpoint_url)
        api = nullcontext(args.endpoint_url)
        with stack_errors():
            options |= local_runner_options(args.endpoint_url, args.stack)
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        if stop.is_set():  # asked twice: stop waiting for the workers' batches
            raise KeyboardInterrupt
        stop.set()

    # Ctrl-C and SIGTERM (docker stop, a supervisor, a test) stop alike, even where a shell
    # started lnn up with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with stack_errors(), api as endpoint_url:

        def ready(pids: list[int]) -> None:
            if args.endpoint_url:
                announce_local_runner(endpoint_url, pids, options, as_json=args.json)
            else:
                announce(endpoint_url, pids, as_json=args.json)

        reports = serve_functions(endpoint_url, stop, workers=args.workers, ready=ready, **options)
    report(reports, as_json=args.json)
    return 0
