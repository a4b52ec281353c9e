"""``lnn export RUN --tensorboard DIR``: a run as TensorBoard logs in DIR/RUN.

RUN is a run id on a deployed stack (the options and connection of `lnn inspect`), or a
directory `lnn train --out` wrote (history.json, telemetry.jsonl, model.npz; any of them).
`lnn train --tensorboard` writes the same events from the run it has just made.
"""

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

from functions.nn.types import Array
from functions.protocol import find_plan
from functions.telemetry import TelemetryRecord
from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import UsageError
from lnn.model_file import load_model
from lnn.runs import HISTORY_FILE, MODEL_FILE, TELEMETRY_FILE, LocalRun, StackRun, open_run
from lnn.tensorboard import run_board, write_board
from messages.status import HistoryEntry
from messages.train_request import TrainConfig


@dataclass(frozen=True)
class RunContent:
    name: str
    config: TrainConfig | None
    history: list[HistoryEntry]
    records: list[TelemetryRecord]
    params: list[tuple[Array, Array]] | None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run", metavar="RUN", help="a run id, or a directory lnn train --out wrote")
    add_stack_options(p)
    p.add_argument(
        "--tensorboard",
        type=Path,
        required=True,
        metavar="DIR",
        help="write TensorBoard event files into DIR/RUN (view: tensorboard --logdir DIR)",
    )


def _config(document: dict) -> TrainConfig:
    """The TrainConfig inside a model.npz config (which adds run_id, n_features, classes)."""
    return TrainConfig.model_validate(
        {k: v for k, v in document.items() if k in TrainConfig.model_fields}
    )


def _from_directory(run: LocalRun) -> RunContent:
    """Whichever of the files there are (at least one): a run that failed early may have a
    history but no model, and one trained with telemetry off no telemetry.jsonl."""
    run.require_any((HISTORY_FILE, TELEMETRY_FILE, MODEL_FILE))
    history = run.history() if run.has(HISTORY_FILE) else []
    records = run.telemetry() if run.has(TELEMETRY_FILE) else []
    model = run.model() if run.has(MODEL_FILE) else None
    config = _config(model.config) if model else None
    name = str(model.config.get("run_id", run.name)) if model else run.name
    return RunContent(name, config, history, records, model.params if model else None)


def _from_stack(run: StackRun) -> RunContent:
    """Called within stack_errors: every read here is a call to the stack."""
    plan = find_plan(run.client.store, run.run_id)  # None: the trainer has not planned it yet
    config = None if plan is None else plan.config
    params = None
    if run.record.model_key:
        with tempfile.TemporaryDirectory() as tmp:
            params = load_model(run.client.download_model(run.run_id, Path(tmp))).params
    return RunContent(run.run_id, config, run.history(), run.telemetry(), params)


def _load_run(args: argparse.Namespace) -> RunContent:
    with stack_errors():
        run = open_run(args.run, command="export", connect=lambda: connect(args))
        return _from_directory(run) if isinstance(run, LocalRun) else _from_stack(run)


def cmd_export(args: argparse.Namespace) -> int:
    run = _load_run(args)
    board = run_board(run.config, run.history, run.records, run.params)
    if board.empty:
        raise UsageError(f"run {run.name} has nothing to export yet (no epoch, no telemetry)")
    written = write_board(args.tensorboard, run.name, board)
    pictured = sum(p.pixels.shape[0] for p in board.pictures)
    counts = f"{len(board.scalars)} scalars, {len(board.histograms)} histograms"
    print(f"{written}: {counts}, {pictured} unit pictures")
    return 0
