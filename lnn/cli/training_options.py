"""The options of ``lnn train``, shared by ``lnn estimate`` and ``lnn submit``, and what they
make: the run's TrainConfig and its prepared data. A module of its own, so that no command
imports another."""

import argparse
import sys
from pathlib import Path

from lnn.caveats import caveats
from lnn.cli.options import (
    add_config_option,
    add_eval_option,
    add_stall_option,
    add_telemetry_option,
    parse_layers,
)
from lnn.datasets import BUILTIN_DATASETS, Dataset, load_dataset
from lnn.prepare import PreparedData, prepare
from lnn.watch.session import add_page_options
from messages.train_request import TrainConfig

_ENGINES = ("reference", "embedded", "endpoint")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `lnn train`; `lnn estimate` and `lnn submit` add them to theirs."""
    p.add_argument(
        "--dataset",
        default="flower",
        help=f"built-in ({', '.join(BUILTIN_DATASETS)}) or a .npz/.csv path",
    )
    p.add_argument(
        "--layers",
        default="4:tanh,1:sigmoid",
        help='e.g. "20:relu,7:relu,1:sigmoid"; "20:relu:bn" batch-normalizes a hidden layer',
    )
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
    add_config_option(p, "--bn-momentum", help="weight of each batch in batch norm's averages")
    add_config_option(p, "--bn-epsilon", help="batch norm's variance guard")
    add_config_option(p, "--l2", help="L2 weight decay lambda")
    add_config_option(p, "--dropout", metavar="KEEP_PROB", help="keep probability (1 = off)")
    add_config_option(p, "--init", help="weight initialization")
    add_config_option(p, "--holdout", metavar="FRACTION", help="dev fraction of the data")
    add_config_option(p, "--seed", help="seed of weights, dropout and batch order")
    add_eval_option(p)
    add_telemetry_option(p)
    p.add_argument("--data-seed", type=int, default=0, help="seed of generated datasets")
    p.add_argument("--samples", type=int, default=None, help="size of a generated dataset")
    p.add_argument("--noise", type=float, default=None, help="noise of a generated dataset")
    add_config_option(p, "--shards", help="shards per layer (1 unit each = max)")
    p.add_argument("--engine", choices=_ENGINES, default="embedded", help="where to train")
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
        help="also write TensorBoard event files into DIR/NAME (view: tensorboard --logdir DIR)",
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
        bn_momentum=args.bn_momentum,
        bn_epsilon=args.bn_epsilon,
        l2=args.l2,
        dropout=args.dropout,
        init=args.init,
        holdout=args.holdout,
        seed=args.seed,
        shards=args.shards,
        eval_every=args.eval_every,
        telemetry_every=args.telemetry_every,
    )


def load_training(args: argparse.Namespace) -> tuple[Dataset, TrainConfig, PreparedData]:
    """The dataset the options name, the run's config, and the column-major data checked
    against the network's output layer (so a mismatch fails before any training)."""
    dataset = load_dataset(
        args.dataset, seed=args.data_seed, samples=args.samples, noise=args.noise
    )
    config = build_config(args, dataset.name)
    data = prepare(dataset, [layer.model_dump() for layer in config.layers])
    for caveat in caveats(config, n_samples=data.x.shape[1], n_classes=dataset.n_classes):
        print(f"lnn: warning: {caveat}", file=sys.stderr)
    return dataset, config, data
