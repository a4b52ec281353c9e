"""``lnn status RUN_ID``: the run's record as the stack keeps it."""

import argparse
import json

from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.options import add_stall_option
from lnn.runs import open_stack_run

_SHOWN = (
    "run_id",
    "status",
    "dataset",
    "epoch",
    "epochs",
    "final_cost",
    "train_accuracy",
    "dev_accuracy",
    "test_accuracy",
    "created_at",
    "updated_at",
    "progress_at",
    "model_key",
    "reason",
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_id", metavar="RUN_ID", help="the run id `lnn submit` printed")
    add_stack_options(p)
    p.add_argument("--json", action="store_true", help="print the record as one JSON line")
    add_stall_option(p)


def cmd_status(args: argparse.Namespace) -> int:
    with stack_errors():
        record = open_stack_run(connect(args), args.run_id, command="status").record
    if args.json:
        print(json.dumps(record.stored()))
        return 0
    shown = record.stored()
    if record.stalled(args.stall_after):
        shown["status"] = f"RUNNING, STALLED: {record.stalled_reason(args.stall_after)}"
    for key in _SHOWN:
        value = shown.get(key)
        if value is not None:
            print(f"{key:>15}: {f'{value:.4f}' if isinstance(value, float) else value}")
    return 0
