"""``lnn sweep status SWEEP`` and ``lnn sweep follow SWEEP``: a sweep's record, read from its
directory or from the stack it ran on, as a table, JSON, or lines as its trials end; and
the lines and table `lnn sweep` itself prints."""

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from lnn.cli.connection import require_listening, stack_errors
from lnn.cli.errors import EXIT_FAILED, EXIT_OK, UsageError
from lnn.sweep.store import BlobSweepStore, DirectorySweepStore, SweepStore
from lnn.sweep.types import (
    RECORD_FILE,
    SweepRecord,
    TrialRecord,
    TrialStatus,
    default_sweep_dir,
    metric_label,
)
from lnn.watch.sweep.table import compact

__all__ = ["ACTIONS", "cmd_action", "print_sweep", "sweep_line", "trial_line"]

ACTIONS = ("status", "follow")
_FOLLOW_POLL_S = 2.0


def _shown(value: object) -> str:
    """A value as the sweep's page shows it; "-" for none."""
    return "-" if value is None else compact(value)


def _params(trial: TrialRecord) -> str:
    return " ".join(f"{name}={_shown(value)}" for name, value in trial.params.items())


def trial_line(trial: TrialRecord) -> str:
    """One line per trial as it ends: what it tried and what it reached."""
    scores = ", ".join(
        f"{metric_label(name)} {_shown(getattr(trial, name))}"
        for name in ("final_cost", "train_accuracy", "dev_accuracy")
        if getattr(trial, name) is not None
    )
    why = f" ({trial.reason})" if trial.reason and trial.status != TrialStatus.SUCCEEDED else ""
    return (
        f"lnn: {trial.name} {trial.status.value}: {_params(trial)}: {scores or 'no metrics'}{why}"
    )


def sweep_line(record: SweepRecord, out: Path | None, elapsed: float | None = None) -> str:
    counts: dict[str, int] = {}
    for trial in record.trials:
        counts[trial.status.value] = counts.get(trial.status.value, 0) + 1
    best = None if record.best is None else record.trials[record.best]
    line = {
        "sweep_id": record.sweep_id,
        "engine": record.engine,
        "trials": len(record.trials),
        "statuses": counts,
        "metric": record.metric,
        "best": None if best is None else best.name,
        "best_run_id": None if best is None else best.run_id,
        "best_params": None if best is None else best.params,
        "best_score": None if best is None else best.metric(record.metric),
        "directory": None if out is None else str(out),
    }
    if elapsed is not None:
        line["elapsed_s"] = round(elapsed, 3)
    return json.dumps(line)


def print_sweep(record: SweepRecord, out: Path | None) -> None:
    table = Table(title=f"sweep {record.sweep_id} ({record.engine}, by {record.metric})")
    names = list(record.trials[0].params) if record.trials else []
    for column in ("trial", "status", *names, "epochs", "cost", "train acc", "dev acc"):
        table.add_column(column, no_wrap=column in ("trial", "status"))
    for t in record.trials:
        mark = " *" if t.index == record.best else ""
        table.add_row(
            t.name + mark,
            t.status.value,
            *(_shown(t.params.get(name)) for name in names),
            str(t.epochs_done),
            _shown(t.final_cost),
            _shown(t.train_accuracy),
            _shown(t.dev_accuracy),
        )
    console = Console()
    console.print(table)
    if record.best is not None:
        console.print(f"best: {record.trials[record.best].name} (*)", highlight=False)
    if out is not None:
        console.print(f"in {out}", highlight=False)


def _store(args: argparse.Namespace) -> tuple[SweepStore, str]:
    """Where SWEEP's record is: a directory, the default one, or (--engine endpoint) the
    deployed stack's bucket."""
    given = Path(args.sweep)
    for directory in (given, default_sweep_dir(args.sweep)):
        record = DirectorySweepStore(directory).held()
        if record is not None:
            return DirectorySweepStore(directory), record.sweep_id
    if args.engine != "endpoint":
        raise UsageError(
            f"no sweep {args.sweep}: no {RECORD_FILE} in {given} nor in "
            f"{default_sweep_dir(args.sweep)} (a sweep on a deployed stack: --engine endpoint)"
        )
    from lnn.client import StackClient

    require_listening(None)
    with stack_errors():
        client = StackClient.connect(stack=args.stack)
    return BlobSweepStore(client.store.blobs), args.sweep


def _load(store: SweepStore, sweep_id: str) -> SweepRecord:
    with stack_errors():
        record = store.load(sweep_id)
    if record is None:
        raise UsageError(f"no sweep {sweep_id} at {store.where(sweep_id)}")
    return record


def cmd_action(args: argparse.Namespace) -> int:
    if args.sweep is None:
        raise UsageError(f"lnn sweep {args.action} needs SWEEP: a sweep id or its directory")
    store, sweep_id = _store(args)
    record = _load(store, sweep_id)
    if args.action == "status":
        if args.json:
            print(record.model_dump_json())
        else:
            print_sweep(record, None)
        return EXIT_OK
    return _follow(store, record, args.stall_after, args.json)


def _follow(store: SweepStore, record: SweepRecord, stall_after: float, quiet: bool) -> int:
    """Print each trial as it ends, until every one has; give up once the record has not
    changed for ``stall_after`` s (its sweep's process is gone: resume it)."""
    told: set[int] = set()
    while True:
        for trial in record.trials:
            if trial.status.is_final and trial.index not in told:
                told.add(trial.index)
                if not quiet:
                    print(trial_line(trial), flush=True)
        if all(t.status.is_final for t in record.trials):
            break
        silent = (datetime.now(UTC) - record.updated_at).total_seconds()
        if silent > stall_after:
            print(
                f"lnn: sweep {record.sweep_id} has not moved for {silent:.0f} s: its process "
                "has stopped; run the same lnn sweep --sweep-id to resume it",
                file=sys.stderr,
            )
            return EXIT_FAILED
        time.sleep(_FOLLOW_POLL_S)
        record = _load(store, record.sweep_id)
    if quiet:
        print(sweep_line(record, None), flush=True)
    return EXIT_OK if record.best is not None else EXIT_FAILED
