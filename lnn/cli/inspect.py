"""``lnn inspect RUN``: what each layer's units did, from the run's telemetry.

RUN is a run id on a deployed stack, or a directory (or file) holding a telemetry.jsonl that
`lnn train --out` or `lnn inspect --out` wrote. The table shows one epoch (the last recorded,
or ``--epoch``), each layer merged over that epoch's telemetry steps; a value that crossed a
threshold of functions.telemetry.flags is marked with "!" and explained below the table, and
so is a layer's dead count when any of its units is dead: each dead unit, and each unit that
died at some step, gets a line with its verdict (functions.telemetry.verdicts). A
batch-normalized layer gets a table of its units: gamma, beta, and the batch mean and variance
of Z its steps normalized with, each a mean over the epoch's telemetry steps.
"""

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from functions.telemetry import TelemetryRecord
from functions.telemetry.figures import (
    DEAD,
    GRAD_RMS,
    NORM_UNIT_FIGURES,
    SATURATED,
    UPDATE_RATIO,
)
from functions.telemetry.verdicts import MARK, DeadUnits, dead_units
from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import UsageError
from lnn.majority import MajorityVerdict
from lnn.runs import make_output_dir, open_run
from lnn.runs.verdict import run_verdict
from lnn.telemetry import (
    BATCH_NORM,
    epoch_window,
    layer_rows,
    notable,
    verdict_document,
    write_telemetry,
)

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
    if column == DEAD and any(u["dead"] for u in row["unit_verdicts"]):
        marked = True
    return f"[bold red]{text} {MARK}[/]" if marked else text


def _with_units(rows: list[dict[str, Any]], found: DeadUnits) -> list[dict[str, Any]]:
    """Each layer's row with the verdicts of its units that died at some step."""
    return [
        {
            **row,
            "unit_verdicts": [
                verdict_document(v) for v in notable(found.layer_verdicts(row["layer"]))
            ],
        }
        for row in rows
    ]


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


def _norm_table(row: dict[str, Any], epoch: int) -> Table:
    """A batch-normalized layer's units, each figure a mean over the epoch's steps."""
    table = Table(title=f"layer {row['layer']}: batch norm per unit, mean over epoch {epoch + 1}")
    table.add_column("unit", justify="right")
    for label in NORM_UNIT_FIGURES.values():
        table.add_column(label, justify="right")
    norm = row[BATCH_NORM]
    for unit in range(row["units"]):
        table.add_row(str(unit), *(f"{norm[name][unit]:.4g}" for name in NORM_UNIT_FIGURES))
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
        found = dead_units(records, epoch)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    rows = _with_units(layer_rows(layers), found)
    steps = sorted({r.step for r in records if r.epoch == epoch})
    if args.json:
        said = None if verdict is None else _verdict_line(verdict)
        line = {"run": args.run, "epoch": epoch + 1, "steps": steps, "layers": rows}
        print(json.dumps({**line, "verdict": said}))
        return 0
    console = Console(width=_WIDE) if not Console().is_terminal else Console()
    title = f"{args.run}: epoch {epoch + 1}, {len(steps)} telemetry step(s)"
    console.print(title, highlight=False, soft_wrap=True)
    console.print(_table(rows))
    for row in rows:
        for flag in row["flags"]:
            console.print(f"! layer {row['layer']}: {flag['message']}", highlight=False)
    for unit in notable(found.verdicts):
        console.print(unit.line, highlight=False, markup=False)
    for row in rows:
        if BATCH_NORM in row:
            console.print(_norm_table(row, epoch))
    if verdict is not None:
        console.print(f"! {_verdict_line(verdict)}", highlight=False, soft_wrap=True)
    return 0
