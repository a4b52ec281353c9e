"""``lnn runs``: every run the stack knows, newest first."""

import argparse
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.options import add_stall_option
from messages.status import RunRecord

_WIDE = 160  # when piped, rich would otherwise squeeze the table into 80 columns


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_stack_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON list")
    add_stall_option(p)


def _metric(value: Any) -> str:
    return "-" if value is None else f"{value:.4f}"


def _table(stack: str, runs: list[RunRecord], stall_after: float) -> Table:
    table = Table(title=f"runs of stack {stack}")
    table.add_column("run_id", no_wrap=True)
    table.add_column("status")
    table.add_column("dataset")
    table.add_column("epoch", justify="right")
    for name in ("cost", "train", "dev", "test"):
        table.add_column(name, justify="right")
    table.add_column("created", no_wrap=True)
    for run in runs:
        table.add_row(
            run.run_id,
            "STALLED" if run.stalled(stall_after) else run.status.value,
            run.dataset or "-",
            f"{run.epoch}/{run.epochs}",
            _metric(run.final_cost),
            _metric(run.train_accuracy),
            _metric(run.dev_accuracy),
            _metric(run.test_accuracy),
            run.created_at.isoformat()[:19].replace("T", " "),
        )
    return table


def cmd_runs(args: argparse.Namespace) -> int:
    client = connect(args)
    with stack_errors():
        runs = client.runs()
    if args.json:
        print(json.dumps([run.stored() for run in runs]))
        return 0
    if not runs:
        print(f"no runs in stack {client.outputs.stack}")
        return 0
    console = Console()
    if not console.is_terminal:
        console = Console(width=_WIDE)
    console.print(_table(client.outputs.stack, runs, args.stall_after))
    return 0
