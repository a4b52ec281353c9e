"""Following a run on a stack to its end, printing its epochs and then its summary: what
``lnn follow`` and ``lnn submit --wait`` share."""

import argparse
import json
import math
import sys
from pathlib import Path

from lnn.cli.connection import stack_errors
from lnn.cli.errors import EXIT_FAILED, EXIT_OK
from lnn.cli.summary import print_summary
from lnn.client import STALLED, RunStalledError, StackClient
from lnn.runs import MODEL_FILE
from messages.status import STALL_AFTER_S, HistoryEntry, RunRecord, RunStatus

_RECORD_KEYS = (
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


def _format_epoch(entry: HistoryEntry) -> str:
    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.4f}"

    return (
        f"epoch {entry.epoch:>6}  cost {entry.cost:.6f}  train {fmt(entry.train_accuracy)}  "
        f"dev {fmt(entry.dev_accuracy)}  test {fmt(entry.test_accuracy)}"
    )


def _run_elapsed_s(record: RunRecord) -> float:
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
            print(_format_epoch(entry), flush=True)

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
            print(json.dumps(_stalled_line(run_id, exc)))  # --json: a summary line still ends it
        return EXIT_FAILED
    succeeded = record.status is RunStatus.SUCCEEDED
    model_path = None
    if out is not None and succeeded:
        with stack_errors():
            model_path = client.download_model(run_id, out / MODEL_FILE)
    stored = record.stored()
    line = {key: stored.get(key) for key in _RECORD_KEYS}
    line["engine"] = "endpoint"
    line["epochs"] = record.epoch
    line["elapsed_s"] = _run_elapsed_s(record)
    line["model_path"] = str(model_path) if model_path else None
    if as_json:
        print(json.dumps(line))
    else:
        print_summary(line)
    return EXIT_OK if succeeded else EXIT_FAILED


def _stalled_line(run_id: str, stalled: RunStalledError) -> dict:
    """The --json summary of a run the wait gave up on: STALLED (a waiter's verdict, not a
    stored status), why, and the epochs its record says were done."""
    record = stalled.record
    stored = {} if record is None else record.stored()
    line = {key: stored.get(key) for key in _RECORD_KEYS}
    line.update(run_id=run_id, status=STALLED, reason=str(stalled), engine="endpoint")
    line["epochs"] = 0 if record is None else record.epoch
    line["elapsed_s"] = None if record is None else _run_elapsed_s(record)
    line["model_path"] = None
    return line
