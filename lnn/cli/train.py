"""``lnn train``: load a dataset, train it on the chosen engine, write the run's outputs."""

import argparse
import json
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from lnn.cli.errors import EXIT_INTERRUPTED, UsageError
from lnn.cli.interrupt import first_ctrl_c_stops
from lnn.cli.options import (
    parse_chaos,
)
from lnn.cli.progress import EpochProgress
from lnn.cli.summary import print_summary
from lnn.cli.training_options import add_arguments as add_training_arguments
from lnn.cli.training_options import load_training
from lnn.datasets import Dataset
from lnn.engines.base import StopCheck, TrainingResult
from lnn.majority import history_verdict, sample_noun
from lnn.outputs import write_run
from lnn.prepare import PreparedData, split
from lnn.runs import (
    RUNS_DIR,
    default_run_dir,
    make_output_dir,
)
from lnn.tensorboard import board_name, run_board, write_board
from lnn.watch.feeds import ReferenceFeed, finish, planned_view
from lnn.watch.session import keep_serving, serve
from lnn.watch.view import RunView
from messages.status import HistoryEntry, RunStatus
from messages.train_request import TrainConfig


def _each(*callbacks: Callable[[HistoryEntry], None]) -> Callable[[HistoryEntry], None]:
    def call(entry: HistoryEntry) -> None:
        for callback in callbacks:
            callback(entry)

    return call


def run_engine(
    args: argparse.Namespace,
    config: TrainConfig,
    data: PreparedData,
    progress: EpochProgress,
    view: RunView | None = None,
    stop: StopCheck | None = None,
) -> TrainingResult:
    """Train on the chosen engine; ``view`` (the live page's) follows the run as it goes;
    once ``stop`` says so the run stops and returns what it trained, CANCELLED."""
    chaos = parse_chaos(args.chaos)
    if chaos is not None and args.engine != "embedded":
        raise UsageError("--chaos needs --engine embedded (or serve the stack with lnn up --chaos)")
    if args.engine == "reference":
        from lnn.engines.reference import train_reference

        columns = split(data, holdout=config.holdout, seed=config.seed)
        if view is None:
            return train_reference(config, columns, on_epoch=progress.advance, stop=stop)
        feed = ReferenceFeed(view)
        return train_reference(
            config,
            columns,
            on_epoch=_each(progress.advance, feed.on_epoch),
            on_step=feed.on_step,
            stop=stop,
            first_layer=feed.first_layer,
        )
    from lnn.cli.connection import require_listening, stack_errors
    from lnn.engines.stack import train_on_stack
    from lnn.watch.stack_feed import StackFeed

    if args.engine == "endpoint":
        require_listening(None)  # $AWS_ENDPOINT_URL, when set

    # As every stack command: a stack that is not there is one line (exit 2), an API that
    # stops answering one line (exit 1), not a traceback.
    with stack_errors() if args.engine == "endpoint" else nullcontext():
        return train_on_stack(
            config,
            data,
            engine=args.engine,
            stack=args.stack,
            chaos=chaos,
            on_epoch=progress.callback,
            stall_after=args.stall_after,
            observer=None if view is None else StackFeed(view),
            stop=stop,
        )


def summary(
    result: TrainingResult,
    config: TrainConfig,
    elapsed: float,
    model_path: Path | None,
    dataset: Dataset | None = None,
) -> dict:
    """The run's summary line; with ``dataset``, the majority verdict of its last evaluation
    in the dataset's words (None when the network does better than guessing)."""
    verdict = None
    if dataset is not None:
        noun = sample_noun(config.dataset, dataset.n_features)
        verdict = history_verdict(result.history, classes=dataset.classes, noun=noun)
    return {
        "run_id": result.run_id,
        "status": result.status,
        "engine": None,
        "dataset": config.dataset,
        "epochs": len(result.history),
        "final_cost": result.final_cost,
        "train_accuracy": result.train_accuracy,
        "dev_accuracy": result.dev_accuracy,
        "test_accuracy": result.test_accuracy,
        "elapsed_s": round(elapsed, 3),
        "model_path": None if model_path is None else str(model_path),
        "reason": result.reason,
        "verdict": None if verdict is None else f"the network {verdict.message}",
        **result.extra,
    }


def add_arguments(p: argparse.ArgumentParser) -> None:
    # Shared with lnn estimate and lnn submit, so they live in lnn.cli.training_options.
    add_training_arguments(p)


def cmd_train(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    dataset, config, data = load_training(args)
    make_output_dir(args.out or RUNS_DIR, "--out")
    if args.tensorboard is not None:
        make_output_dir(args.tensorboard, "--tensorboard")
    show = sys.stdout.isatty() and not args.json
    view = server = None
    if args.watch:
        columns = split(data, holdout=config.holdout, seed=config.seed)
        view = planned_view(args.engine, config, data.x, data.y, columns, dataset.classes)
        server = serve(view, args, f"lnn train: {config.dataset} {args.layers}")
    with first_ctrl_c_stops() as stop:
        with EpochProgress(config.epochs, enabled=show) as progress:
            result = run_engine(args, config, data, progress, view, stop)
        stop.writing = True  # Ctrl-C from here waits for the outputs to be whole
        out = args.out or default_run_dir(result.run_id)
        elapsed = time.perf_counter() - started
        classes = list(dataset.classes)
        model_path = write_run(
            out, result, config, data, classes, engine=args.engine, elapsed_s=elapsed
        )
        line = summary(result, config, elapsed, model_path, dataset)
        line["engine"] = args.engine
        if args.tensorboard is not None:
            first_layer = result.first_layer
            board = run_board(config, result.history, result.telemetry, first_layer, classes)
            name = board_name(config, result.run_id)
            line["tensorboard"] = str(write_board(args.tensorboard, name, board))
    if args.json:
        print(json.dumps(line), flush=True)
    else:
        print_summary(line)
    if stop.requested and result.status == RunStatus.CANCELLED:
        print(f"lnn: {result.reason}; what it trained is in {out}", file=sys.stderr, flush=True)
    if view is not None and server is not None:
        finish(view, result)
        keep_serving(server)
    if stop.requested and result.status == RunStatus.CANCELLED:
        return EXIT_INTERRUPTED
    return 0 if result.status == RunStatus.SUCCEEDED else 1
