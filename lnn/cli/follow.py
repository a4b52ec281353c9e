"""``lnn follow``: print a run's epochs as they complete; exit 0 only when it SUCCEEDED."""

import argparse
import json
import math
import sys
import time
from pathlib import Path

from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import EXIT_FAILED, EXIT_OK, UsageError
from lnn.cli.options import add_stall_option
from lnn.cli.train import print_summary
from lnn.client import STALLED, RunStalledError, StackClient
from lnn.runs import MODEL_FILE
from messages.status import STALL_AFTER_S, HistoryEntry, RunRecord, RunStatus

# A run submitted a moment ago has no record until the trainer has taken its request.
START_GRACE_S = 30.0
RECORD_KEYS = (
    "run_id",
    "status",
    "dataset",
    "final_cost",
    "train_accuracy",
    "dev_accuracy",
    "test_accuracy",
    "reason",
    "model_key",
)


def add_follow_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, default=0.0, help="give up after S seconds (0 = never)")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between polls")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_id", metavar="RUN_ID", help="the run id `lnn submit` printed")
    add_stack_options(p)
    add_follow_options(p)
    add_stall_option(p)
    p.add_argument("--out", type=Path, default=None, help="download model.npz into DIR")
    p.add_argument("--json", action="store_true", help="print one JSON summary line last")


def format_epoch(entry: HistoryEntry) -> str:
    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.4f}"

    return (
        f"epoch {entry.epoch:>6}  cost {entry.cost:.6f}  train {fmt(entry.train_accuracy)}  "
        f"dev {fmt(entry.dev_accuracy)}  test {fmt(entry.test_accuracy)}"
    )


def run_elapsed_s(record: RunRecord) -> float:
    """How long the run took, however late `lnn follow` joined it: from the trainer's
    acceptance to the record's last transition (the end, for a finished run)."""
    return round((record.updated_at - record.created_at).total_seconds(), 3)


def follow_run(
    client: StackClient,
    run_id: str,
    *,
    timeout: float,
    poll: float,
    out: Path | None,
    as_json: bool,
    stall_after: float = STALL_AFTER_S,
) -> int:
    """Wait for the run, printing epochs; summary last, model.npz into `out` on success."""

    def show(entry: HistoryEntry) -> None:
        if not as_json:
            print(format_epoch(entry), flush=True)

    try:
        with stack_errors():
            record = client.wait(
                run_id,
                timeout=timeout or math.inf,
                poll=poll,
                on_epoch=show,
                stall_after=stall_after,
            )
    except TimeoutError as exc:
        print(f"lnn: {exc}", file=sys.stderr)
        if as_json and isinstance(exc, RunStalledError):
            print(json.dumps(stalled_line(run_id, exc)))  # --json: a summary line still ends it
        return EXIT_FAILED
    succeeded = record.status is RunStatus.SUCCEEDED
    model_path = None
    if out is not None and succeeded:
        with stack_errors():
            model_path = client.download_model(run_id, out / MODEL_FILE)
    stored = record.stored()
    line = {key: stored.get(key) for key in RECORD_KEYS}
    line["engine"] = "endpoint"
    line["epochs"] = record.epoch
    line["elapsed_s"] = run_elapsed_s(record)
    line["model_path"] = str(model_path) if model_path else None
    if as_json:
        print(json.dumps(line))
    else:
        print_summary(line)
    return EXIT_OK if succeeded else EXIT_FAILED


def stalled_line(run_id: str, stalled: RunStalledError) -> dict:
    """The --json summary of a run the wait gave up on: STALLED (a waiter's verdict, not a
    stored status), why, and the epochs its record says were done."""
    record = stalled.record
    stored = {} if record is None else record.stored()
    line = {key: stored.get(key) for key in RECORD_KEYS}
    line.update(run_id=run_id, status=STALLED, reason=str(stalled), engine="endpoint")
    line["epochs"] = 0 if record is None else record.epoch
    line["elapsed_s"] = None if record is None else run_elapsed_s(record)
    line["model_path"] = None
    return line


def wait_for_record(client: StackClient, run_id: str, *, poll: float) -> None:
    deadline = time.monotonic() + START_GRACE_S
    with stack_errors():
        while client.record(run_id) is None:
            if time.monotonic() >= deadline:
                raise UsageError(f"no run {run_id} in stack {client.outputs.stack}")
            time.sleep(poll)


def cmd_follow(args: argparse.Namespace) -> int:
    client = connect(args)
    wait_for_record(client, args.run_id, poll=args.poll)
    return follow_run(
        client,
        args.run_id,
        timeout=args.timeout,
        poll=args.poll,
        out=args.out,
        as_json=args.json,
        stall_after=args.stall_after,
    )
