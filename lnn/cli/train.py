"""``lnn train``: load a dataset, train it on the chosen engine, write the run's outputs."""

import argparse
import json
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from functions.nn.layers import LayerSpec
from lnn.cli.errors import UsageError
from lnn.cli.options import (
    add_config_option,
    add_stall_option,
    add_telemetry_option,
    parse_chaos,
    parse_layers,
)
from lnn.cli.progress import EpochProgress
from lnn.datasets import BUILTIN_DATASETS, Dataset, load_dataset
from lnn.engines.base import TrainingResult
from lnn.model_file import save_model
from lnn.plots import plot_cost, plot_decision_boundary
from lnn.prepare import PreparedData, prepare, split
from lnn.telemetry import write_telemetry
from lnn.tensorboard import make_log_dir, run_board, write_board
from lnn.trace import write_spans
from lnn.watch.feeds import ReferenceFeed, finish, planned_view, result_view
from lnn.watch.report import write_report
from lnn.watch.session import add_page_options, keep_serving, serve
from lnn.watch.view import RunView
from messages.status import HistoryEntry, RunStatus
from messages.train_request import TrainConfig

ENGINES = ("reference", "embedded", "endpoint")
# What write_outputs puts in --out, besides telemetry.jsonl, spans.jsonl and the plots.
HISTORY_FILE = "history.json"
MODEL_FILE = "model.npz"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dataset",
        default="flower",
        help=f"built-in ({', '.join(BUILTIN_DATASETS)}) or a .npz/.csv path",
    )
    p.add_argument("--layers", default="4:tanh,1:sigmoid", help='e.g. "20:relu,7:relu,1:sigmoid"')
    # Defaults, types and choices of these come from TrainConfig (lnn.cli.options).
    add_config_option(p, "--epochs", help="passes over the training data")
    add_config_option(p, "--batch-size", help="columns per step (0 = full batch)")
    add_config_option(p, "--lr", help="learning rate")
    add_config_option(p, "--lr-decay", help="decay rate of --lr-schedule (0 = constant)")
    add_config_option(p, "--lr-schedule", help="how the learning rate decays")
    add_config_option(p, "--decay-interval", help="epochs per decay")
    add_config_option(p, "--optimizer", help="update rule")
    add_config_option(p, "--beta1", help="momentum / Adam first-moment decay")
    add_config_option(p, "--beta2", help="RMSprop / Adam second-moment decay")
    add_config_option(p, "--epsilon", help="RMSprop / Adam denominator guard")
    add_config_option(p, "--l2", help="L2 weight decay lambda")
    add_config_option(p, "--dropout", metavar="KEEP_PROB", help="keep probability (1 = off)")
    add_config_option(p, "--init", help="weight initialization")
    add_config_option(p, "--holdout", metavar="FRACTION", help="dev fraction of the data")
    add_config_option(p, "--seed", help="seed of weights, dropout and batch order")
    add_config_option(
        p, "--eval-every", help="evaluate accuracy every N epochs (0 = after the last epoch only)"
    )
    add_telemetry_option(p)
    p.add_argument("--data-seed", type=int, default=0, help="seed of generated datasets")
    p.add_argument("--samples", type=int, default=None, help="size of a generated dataset")
    p.add_argument("--noise", type=float, default=None, help="noise of a generated dataset")
    add_config_option(p, "--shards", help="shards per layer (1 unit each = max)")
    p.add_argument("--engine", choices=ENGINES, default="embedded", help="where to train")
    p.add_argument(
        "--chaos",
        default=None,
        metavar="SPEC",
        help="embedded only: inject faults, e.g. duplicate=0.3,crash-before=0.05,crash-after=0.05,"
        "throttle=0.05,timeout=0.05,delay=2,seed=1 (see docs/failure-model.md)",
    )
    p.add_argument("--stack", default="lnn", help="stack name (embedded/endpoint)")
    add_stall_option(p)
    p.add_argument("--out", type=Path, default=None, help="output directory (default: runs/RUN_ID)")
    p.add_argument(
        "--tensorboard",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write TensorBoard event files into DIR/RUN_ID (view: tensorboard --logdir DIR)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON summary line last")
    p.add_argument(
        "--watch",
        action="store_true",
        help="serve a live page of the run on 127.0.0.1, kept up after it until Ctrl-C",
    )
    add_page_options(p)


def build_config(args: argparse.Namespace, dataset_name: str) -> TrainConfig:
    return TrainConfig(
        dataset=dataset_name,
        layers=parse_layers(args.layers),
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        lr_decay=args.lr_decay,
        lr_schedule=args.lr_schedule,
        decay_interval=args.decay_interval,
        optimizer=args.optimizer,
        beta1=args.beta1,
        beta2=args.beta2,
        epsilon=args.epsilon,
        l2=args.l2,
        dropout=args.dropout,
        init=args.init,
        holdout=args.holdout,
        seed=args.seed,
        shards=args.shards,
        eval_every=args.eval_every,
        telemetry_every=args.telemetry_every,
    )


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
) -> TrainingResult:
    """Train on the chosen engine; ``view`` (the live page's) follows the run as it goes."""
    chaos = parse_chaos(args.chaos)
    if chaos is not None and args.engine != "embedded":
        raise UsageError("--chaos needs --engine embedded (or serve the stack with lnn up --chaos)")
    if args.engine == "reference":
        from lnn.engines.reference import train_reference

        columns = split(data, holdout=config.holdout, seed=config.seed)
        if view is None:
            return train_reference(config, columns, on_epoch=progress.advance)
        feed = ReferenceFeed(view)
        return train_reference(
            config, columns, on_epoch=_each(progress.advance, feed.on_epoch), on_step=feed.on_step
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
        )


def make_out_dir(out: Path) -> None:
    """Create the output directory before training, so a bad --out costs no training time."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot create directory {out}: {exc.strerror or exc}") from exc


def write_outputs(
    out: Path,
    result: TrainingResult,
    config: TrainConfig,
    data: PreparedData,
    classes: list[str],
    *,
    engine: str = "reference",
    elapsed_s: float | None = None,
) -> Path | None:
    """Write model.npz (None when the run produced no parameters), history.json,
    telemetry.jsonl and spans.jsonl (when the run recorded any), plots and report.html."""
    make_out_dir(out)
    history = [h.model_dump(mode="json") for h in result.history]
    (out / HISTORY_FILE).write_text(json.dumps(history, indent=1) + "\n")
    write_telemetry(out, result.telemetry)
    write_spans(out, result.spans)
    columns = split(data, holdout=config.holdout, seed=config.seed)
    report = result_view(engine, config, data.x, data.y, result, split=columns, elapsed_s=elapsed_s)
    write_report(out, report)
    title = f"{config.dataset} {','.join(f'{x.units}:{x.activation}' for x in config.layers)}"
    if history:
        plot_cost(result.history, out / "cost.png", title)
    if not result.params:  # a failed run may end before any model exists
        return None
    model_config = {
        **config.model_dump(mode="json"),
        "run_id": result.run_id,
        "n_features": int(data.x.shape[0]),
        "classes": classes,
    }
    model_path = save_model(out / MODEL_FILE, result.params, model_config)
    if data.x.shape[0] == 2:
        specs = [LayerSpec(x.units, x.activation) for x in config.layers]
        plot_decision_boundary(result.params, specs, data.x, data.y, out / "boundary.png", title)
    return model_path


def summary(
    result: TrainingResult, config: TrainConfig, elapsed: float, model_path: Path | None
) -> dict:
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
        **result.extra,
    }


def load_inputs(args: argparse.Namespace) -> tuple[Dataset, TrainConfig, PreparedData]:
    """The dataset the options name, the run's config and the data prepared for its layers:
    what ``lnn train`` trains on (and ``lnn estimate`` measures, from the same options)."""
    dataset = load_dataset(
        args.dataset, seed=args.data_seed, samples=args.samples, noise=args.noise
    )
    config = build_config(args, dataset.name)
    data = prepare(dataset, [layer.model_dump() for layer in config.layers])
    return dataset, config, data


def cmd_train(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    dataset, config, data = load_inputs(args)
    make_out_dir(args.out or Path("runs"))
    if args.tensorboard is not None:
        make_log_dir(args.tensorboard)
    show = sys.stdout.isatty() and not args.json
    view = server = None
    if args.watch:
        reference = args.engine == "reference"
        columns = split(data, holdout=config.holdout, seed=config.seed) if reference else None
        view = planned_view(args.engine, config, data.x, data.y, columns)
        server = serve(view, args, f"lnn train: {config.dataset} {args.layers}")
    with EpochProgress(config.epochs, enabled=show) as progress:
        result = run_engine(args, config, data, progress, view)
    out = args.out or Path("runs") / result.run_id
    elapsed = time.perf_counter() - started
    model_path = write_outputs(
        out, result, config, data, list(dataset.classes), engine=args.engine, elapsed_s=elapsed
    )
    line = summary(result, config, time.perf_counter() - started, model_path)
    line["engine"] = args.engine
    if args.tensorboard is not None:
        board = run_board(config, result.history, result.telemetry, result.params)
        line["tensorboard"] = str(write_board(args.tensorboard, result.run_id, board))
    if args.json:
        print(json.dumps(line), flush=True)
    else:
        print_summary(line)
    if view is not None and server is not None:
        finish(view, result)
        keep_serving(server)
    return 0 if result.status == RunStatus.SUCCEEDED else 1


def print_summary(line: dict) -> None:
    def fmt(value: object) -> str:
        return "-" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)

    keys = (
        "run_id",
        "status",
        "engine",
        "epochs",
        "final_cost",
        "train_accuracy",
        "dev_accuracy",
        "test_accuracy",
        "elapsed_s",
        "model_path",
        "reason",
        "tensorboard",
    )
    for key in keys:
        if key in ("reason", "tensorboard") and line.get(key) is None:
            continue
        print(f"{key:>15}: {fmt(line.get(key))}")
