"""``lnn export RUN --tensorboard DIR``: a run as TensorBoard logs in DIR/NAME (NAME: the
dataset, the layers and the run id's start; lnn.tensorboard.board_name).

RUN is a run id on a deployed stack (the options and connection of `lnn inspect`), or a
directory `lnn train --out` wrote (history.json, telemetry.jsonl, model.npz,
first_layer.npz; any of the first three).
`lnn train --tensorboard` writes the same events from the run it has just made.

RUN may also be a sweep's directory (sweep.json, trials/tNN/), or the id of a sweep that ran
on a stack: the sweep goes to DIR/SWEEP_ID as one HParams experiment, a run per trial
(lnn.tensorboard.write_sweep_board).
"""

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

from functions.nn.types import Array
from functions.protocol import find_plan
from functions.telemetry import TelemetryRecord
from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import UsageError
from lnn.cli.export_sweep import export_stack_sweep, export_sweep, is_sweep_dir
from lnn.first_layer import load_first_layer, read_stack_first_layer
from lnn.runs import (
    FIRST_LAYER_FILE,
    HISTORY_FILE,
    MODEL_FILE,
    TELEMETRY_FILE,
    LocalRun,
    StackRun,
    open_run,
)
from lnn.sweep.types import SWEEP_ID_PATTERN
from lnn.tensorboard import board_name, run_board, write_board
from messages.status import HistoryEntry
from messages.train_request import TrainConfig


@dataclass(frozen=True)
class RunContent:
    name: str
    config: TrainConfig | None
    history: list[HistoryEntry]
    records: list[TelemetryRecord]
    first_layer: dict[int, Array]  # W1 at the picture steps


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "run",
        metavar="RUN",
        help="a run id, a directory lnn train --out wrote, or a sweep's directory (sweep.json)",
    )
    add_stack_options(p)
    p.add_argument(
        "--tensorboard",
        type=Path,
        required=True,
        metavar="DIR",
        help="write TensorBoard event files into DIR/NAME (view: tensorboard --logdir DIR)",
    )


def _from_directory(run: LocalRun) -> RunContent:
    """Whichever of the files there are (at least one): a run that failed early may have a
    history but no model, and one trained with telemetry off no telemetry.jsonl."""
    run.require_any((HISTORY_FILE, TELEMETRY_FILE, MODEL_FILE))
    history = run.history() if run.has(HISTORY_FILE) else []
    records = run.telemetry() if run.has(TELEMETRY_FILE) else []
    model = run.model() if run.has(MODEL_FILE) else None
    config = model.train_config if model else None
    name = str(model.config.get("run_id", run.name)) if model else run.name
    first_layer = load_first_layer(run.file(FIRST_LAYER_FILE)) if run.has(FIRST_LAYER_FILE) else {}
    return RunContent(name, config, history, records, first_layer)


def _from_stack(run: StackRun) -> RunContent:
    """Called within stack_errors: every read here is a call to the stack."""
    plan = find_plan(run.client.store, run.run_id)  # None: the trainer has not planned it yet
    if plan is None:
        return RunContent(run.run_id, None, run.history(), run.telemetry(), {})
    client, step = run.client, run.record.step
    first_layer = read_stack_first_layer(client.store, client.barriers, plan, step)
    return RunContent(run.run_id, plan.config, run.history(), run.telemetry(), first_layer)


def _load_run(args: argparse.Namespace) -> RunContent:
    with stack_errors():
        run = open_run(args.run, command="export", connect=lambda: connect(args))
        return _from_directory(run) if isinstance(run, LocalRun) else _from_stack(run)


def cmd_export(args: argparse.Namespace) -> int:
    if is_sweep_dir(Path(args.run)):
        return export_sweep(Path(args.run), args.tensorboard)
    if not Path(args.run).exists() and re.fullmatch(SWEEP_ID_PATTERN, args.run):
        client = connect(args)
        with stack_errors():
            exported = export_stack_sweep(client, args.run, args.tensorboard)
        if exported is not None:
            return exported
    run = _load_run(args)
    board = run_board(run.config, run.history, run.records, run.first_layer)
    if board.empty:
        raise UsageError(f"run {run.name} has nothing to export yet (no epoch, no telemetry)")
    written = write_board(args.tensorboard, board_name(run.config, run.name), board)
    steps = len({p.step for p in board.pictures})
    counts = f"{len(board.scalars)} scalars, {len(board.histograms)} histograms"
    print(f"{written}: {counts}, first-layer pictures at {steps} steps")
    return 0
