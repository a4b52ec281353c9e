"""``lnn export RUN --tensorboard DIR``: a run as TensorBoard logs in DIR/RUN.

RUN is a run id on a deployed stack (the options and connection of `lnn inspect`), or a
directory `lnn train --out` wrote (history.json, telemetry.jsonl, model.npz; any of them).
`lnn train --tensorboard` writes the same events from the run it has just made.
"""

import argparse
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from functions.nn.types import Array
from functions.protocol.run_plan import find_plan
from functions.telemetry import TelemetryRecord, loads_records
from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import UsageError
from lnn.model_file import load_model
from lnn.runs import HISTORY_FILE, MODEL_FILE, TELEMETRY_FILE
from lnn.tensorboard import run_board, write_board
from messages.base import RUN_ID_PATTERN
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


def from_directory(directory: Path) -> RunContent:
    history_file, telemetry_file = directory / HISTORY_FILE, directory / TELEMETRY_FILE
    model_file = directory / MODEL_FILE
    if not any(f.is_file() for f in (history_file, telemetry_file, model_file)):
        raise UsageError(
            f"{directory} holds no {HISTORY_FILE}, {TELEMETRY_FILE} or {MODEL_FILE}: "
            "nothing to export"
        )
    try:
        history = (
            [HistoryEntry.model_validate(e) for e in json.loads(history_file.read_text())]
            if history_file.is_file()
            else []
        )
        text = telemetry_file.read_text(encoding="utf-8") if telemetry_file.is_file() else ""
        records = loads_records(text)
    except (ValueError, KeyError, TypeError) as exc:  # pydantic's ValidationError included
        raise UsageError(f"{directory} holds a file lnn did not write: {exc}") from exc
    model = load_model(model_file) if model_file.is_file() else None
    config = _config(model.config) if model else None
    name = str(model.config.get("run_id", directory.name)) if model else directory.name
    return RunContent(name, config, history, records, model.params if model else None)


def from_stack(args: argparse.Namespace) -> RunContent:
    client = connect(args)
    with stack_errors():
        record = client.require_record(args.run)
        plan = find_plan(client.store, args.run)  # None: the trainer has not planned it yet
        config = None if plan is None else plan.config
        params = None
        if record.model_key:
            with tempfile.TemporaryDirectory() as tmp:
                params = load_model(client.download_model(args.run, Path(tmp))).params
        history, records = client.history(args.run), client.telemetry(args.run)
    return RunContent(args.run, config, history, records, params)


def load_run(args: argparse.Namespace) -> RunContent:
    if Path(args.run).is_dir():
        return from_directory(Path(args.run))
    if not re.match(RUN_ID_PATTERN, args.run):
        raise UsageError(f"{args.run}: no such directory, and not a run id")
    return from_stack(args)


def cmd_export(args: argparse.Namespace) -> int:
    run = load_run(args)
    board = run_board(run.config, run.history, run.records, run.params)
    if board.empty:
        raise UsageError(f"run {run.name} has nothing to export yet (no epoch, no telemetry)")
    written = write_board(args.tensorboard, run.name, board)
    pictured = sum(p.pixels.shape[0] for p in board.pictures)
    counts = f"{len(board.scalars)} scalars, {len(board.histograms)} histograms"
    print(f"{written}: {counts}, {pictured} unit pictures")
    return 0
