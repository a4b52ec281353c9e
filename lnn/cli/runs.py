"""``lnn runs``: every run the stack knows, newest first."""

import argparse
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from lnn.cli.connection import add_stack_options, connect, stack_errors

_WIDE = 160  # when piped, rich would otherwise squeeze the table into 80 columns


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_stack_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON list")


def _metric(value: Any) -> str:
    return "-" if value is None else f"{value:.4f}"


def _table(stack: str, runs: list[dict[str, Any]]) -> Table:
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
            str(run.get("run_id")),
            str(run.get("status")),
            str(run.get("dataset", "-")),
            f"{run.get('epoch', 0)}/{run.get('epochs', '?')}",
            _metric(run.get("final_cost")),
            _metric(run.get("train_accuracy")),
            _metric(run.get("dev_accuracy")),
            _metric(run.get("test_accuracy")),
            str(run.get("created_at", ""))[:19].replace("T", " "),
        )
    return table


def cmd_runs(args: argparse.Namespace) -> int:
    client = connect(args)
    with stack_errors():
        runs = client.runs()
    if args.json:
        shown = [{k: v for k, v in run.items() if k not in ("pk", "sk")} for run in runs]
        print(json.dumps(shown, default=str))
        return 0
    if not runs:
        print(f"no runs in stack {client.outputs.stack}")
        return 0
    console = Console()
    if not console.is_terminal:
        console = Console(width=_WIDE)
    console.print(_table(client.outputs.stack, runs))
    return 0
