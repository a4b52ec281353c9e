"""``lnn submit``: publish a TrainRequest to a deployed stack; ``--wait`` follows it."""

import argparse
import json
from pathlib import Path
from uuid import uuid4

import numpy as np

from functions.training.checks import TrainingDataError, check_training_data
from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import UsageError
from lnn.cli.training_options import add_arguments as add_training_arguments
from lnn.cli.training_options import load_training
from lnn.cli.waiting import add_follow_options, follow_run
from lnn.prepare import PreparedData
from lnn.runs import default_run_dir
from messages.arrays import ArrayRef, InlineArray
from messages.train_request import TrainConfig, TrainingData, TrainRequest

# `lnn train` options that choose where to train; a submit always trains on the stack.
_LOCAL_ONLY = frozenset({"engine", "chaos"})


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_training_arguments(p)
    for action in p._actions:  # argparse has no public way to hide an option
        if action.dest in _LOCAL_ONLY:
            action.help = argparse.SUPPRESS
    add_stack_options(p, stack=False)
    p.add_argument("--run-id", default=None, help="run id (default: a new random one)")
    p.add_argument(
        "--file",
        type=Path,
        default=None,
        help="publish this TrainRequest JSON as it is (the training options are ignored)",
    )
    p.add_argument("--wait", action="store_true", help="follow the run to its end")
    add_follow_options(p)


def _load_config(args: argparse.Namespace) -> tuple[TrainConfig, PreparedData]:
    """The run's config and column-major data, from the same options as `lnn train`."""
    _, config, data = load_training(args)
    return config, data


def _load_request(path: Path, run_id: str | None) -> TrainRequest:
    """A TrainRequest from a JSON file; `run_id` replaces the file's, and a file without one
    gets a new one here (the server requires it, and it is printed for the user)."""
    try:
        document = json.loads(path.read_text())
    except OSError as exc:
        raise UsageError(f"--file: cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"--file: {path} is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise UsageError(f"--file: {path} must hold one JSON object (a TrainRequest)")
    run_id = run_id or document.get("run_id") or uuid4().hex
    request = TrainRequest.model_validate({**document, "run_id": run_id})
    _check_inline_data(request)
    return request


def _check_inline_data(request: TrainRequest) -> None:
    """UsageError for inline arrays the trainer would refuse (it checks the S3 references
    itself, once it has read them): a bad file then starts no run."""

    def inline(ref: ArrayRef | None) -> np.ndarray | None:
        return ref.to_numpy() if isinstance(ref, InlineArray) else None

    data, activation = request.data, request.layers[-1].activation
    if not isinstance(data, TrainingData):
        return  # stored batches: each is checked when a step reads it
    try:
        for part, x, y in (
            ("_train", data.x_train, data.y_train),
            ("_test", data.x_test, data.y_test),
        ):
            check_training_data(inline(x), inline(y), activation=activation, suffix=part)
    except TrainingDataError as exc:
        raise UsageError(f"--file: {exc}") from exc


def cmd_submit(args: argparse.Namespace) -> int:
    if args.file is not None:
        request = _load_request(args.file, args.run_id)
        client = connect(args)
        with stack_errors():
            client.submit(request)
    else:
        config, data = _load_config(args)
        client = connect(args)
        with stack_errors():
            request = client.start(config, data, run_id=args.run_id)
    if args.wait:
        return follow_run(
            client,
            request.run_id,
            timeout=args.timeout,
            poll=args.poll,
            out=args.out or default_run_dir(request.run_id),  # where `lnn train` writes
            as_json=args.json,
            stall_after=args.stall_after,
        )
    if args.json:
        print(json.dumps({"run_id": request.run_id, "stack": client.outputs.stack}))
    else:
        print(request.run_id)
    return 0
