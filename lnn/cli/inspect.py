"""``lnn inspect RUN``: what each layer's units did, from the run's telemetry.

RUN is a run id on a deployed stack, or a directory (or file) holding a telemetry.jsonl that
`lnn train --out` or `lnn inspect --out` wrote. The table shows one epoch (the last recorded,
or ``--epoch``), each layer merged over that epoch's telemetry steps; a value that crossed a
threshold of functions.telemetry.flags is marked with "!" and explained below the table.
"""

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from functions.telemetry import TelemetryRecord
from functions.telemetry.figures import DEAD, GRAD_RMS, SATURATED, UPDATE_RATIO
from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import UsageError
from lnn.majority import MajorityVerdict
from lnn.runs import make_output_dir, open_run
from lnn.runs.verdict import run_verdict
from lnn.telemetry import epoch_window, layer_rows, write_telemetry

_WIDE = 160  # when piped, rich would otherwise squeeze the table into 80 columns
# The column on which each kind of flag is marked.
_FLAGGED_COLUMN = {
    "dead": DEAD,
    "saturated": SATURATED,
    "update_ratio_low": UPDATE_RATIO,
    "update_ratio_high": UPDATE_RATIO,
    "vanishing": GRAD_RMS,
    "exploding": GRAD_RMS,
    "nonfinite": "layer",
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run", metavar="RUN", help="a run id, or a directory/file with telemetry.jsonl")
    add_stack_options(p)
    p.add_argument("--epoch", type=int, default=None, help="epoch to show, from 1 (default: last)")
    p.add_argument(
        "--out", type=Path, default=None, help="write telemetry.jsonl into this directory"
    )
    p.add_argument("--json", action="store_true", help="print the table as one JSON line")


def _load(args: argparse.Namespace) -> tuple[list[TelemetryRecord], MajorityVerdict | None]:
    """The run's telemetry, and the majority verdict of its latest evaluation."""
    with stack_errors():
        run = open_run(
            args.run, command="inspect", connect=lambda: connect(args), accepts_file=True
        )
        return run.telemetry(), run_verdict(run)


def _verdict_line(verdict: MajorityVerdict) -> str:
    return f"predictions: after epoch {verdict.epoch}, the network {verdict.message}"


def _cell(row: dict[str, Any], column: str, text: str) -> str:
    marked = any(_FLAGGED_COLUMN.get(f["kind"]) == column for f in row["flags"])
    return f"[bold red]{text} ![/]" if marked else text


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table()
    for name in ("layer", "activation", "units", "dead", "saturated", "grad RMS", "update ratio"):
        table.add_column(name, justify="left" if name == "activation" else "right")
    for row in rows:
        table.add_row(
            _cell(row, "layer", str(row["layer"])),
            row["activation"],
            str(row["units"]),
            _cell(row, DEAD, str(row[DEAD])),
            _cell(row, SATURATED, f"{row[SATURATED]:.1%}"),
            _cell(row, GRAD_RMS, f"{row[GRAD_RMS]:.3e}"),
            _cell(row, UPDATE_RATIO, f"{row[UPDATE_RATIO]:.3e}"),
        )
    return table


def cmd_inspect(args: argparse.Namespace) -> int:
    records, verdict = _load(args)
    if args.out is not None:
        make_output_dir(args.out, "--out")
        write_telemetry(args.out, records)
    if not records:
        raise UsageError(f"run {args.run} has no telemetry (was it trained with telemetry off?)")
    try:
        epoch, layers = epoch_window(records, None if args.epoch is None else args.epoch - 1)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    rows = layer_rows(layers)
    steps = sorted({r.step for r in records if r.epoch == epoch})
    if args.json:
        found = None if verdict is None else _verdict_line(verdict)
        line = {"run": args.run, "epoch": epoch + 1, "steps": steps, "layers": rows}
        print(json.dumps({**line, "verdict": found}))
        return 0
    console = Console(width=_WIDE) if not Console().is_terminal else Console()
    title = f"{args.run}: epoch {epoch + 1}, {len(steps)} telemetry step(s)"
    console.print(title, highlight=False, soft_wrap=True)
    console.print(_table(rows))
    for row in rows:
        for flag in row["flags"]:
            console.print(f"! layer {row['layer']}: {flag['message']}", highlight=False)
        if row["dead_units"]:
            console.print(f"  layer {row['layer']} dead units: {row['dead_units']}")
    if verdict is not None:
        console.print(f"! {_verdict_line(verdict)}", highlight=False, soft_wrap=True)
    return 0
