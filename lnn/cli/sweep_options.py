"""The options that make `lnn train`'s options a sweep, shared by `lnn sweep` and
`lnn estimate` (which projects a sweep's time and bill when given --search)."""

import argparse

from lnn.cli.errors import UsageError
from lnn.sweep.draws import METHODS
from lnn.sweep.plan import SweepPlan, plan_sweep
from lnn.sweep.types import METRICS, Halving, SweepRecord
from messages.train_request import TrainConfig

DEFAULT_TRIALS = 8
DEFAULT_CONCURRENCY = 4
DEFAULT_GRID_POINTS = 3


def add_search_arguments(p: argparse.ArgumentParser, *, required: bool = False) -> None:
    """What a sweep tries: the search space (docs/sweeps.md), how it is drawn, how many
    trials run at once."""
    p.add_argument(
        "--search",
        required=required,
        default=None,
        metavar="SPACE",
        help='the search space, e.g. "lr=log:1e-4:1,dropout=0.5:1,batch-size=choice:32|64|0" '
        "(docs/sweeps.md)",
    )
    p.add_argument(
        "--trials",
        type=int,
        default=None,
        metavar="N",
        help=f"trials drawn (random: {DEFAULT_TRIALS} when not given; grid: every point)",
    )
    p.add_argument("--method", choices=METHODS, default="random", help="how trials are drawn")
    p.add_argument(
        "--grid-points",
        type=int,
        default=DEFAULT_GRID_POINTS,
        metavar="K",
        help="points of a range in a grid, unless the range names its own",
    )
    p.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        metavar="C",
        help="trials running at once",
    )
    p.add_argument(
        "--lambda-quota",
        type=int,
        default=None,
        metavar="Q",
        help="the account's Lambda concurrent executions (a new account's can be 10): "
        "fewer trials run at once when C of them would need more",
    )
    p.add_argument(
        "--metric",
        choices=tuple(METRICS),
        default=None,
        help="what ranks the trials (unless given: dev_accuracy, "
        "or train_accuracy with no dev split)",
    )


def check_search_arguments(args: argparse.Namespace) -> None:
    """The counts are positive (one line, exit 2)."""
    for option, value in (
        ("--trials", args.trials),
        ("--grid-points", args.grid_points),
        ("--concurrency", args.concurrency),
        ("--lambda-quota", args.lambda_quota),
    ):
        if value is not None and value < 1:
            raise UsageError(f"{option} must be at least 1, got {value}")


def trials_asked(args: argparse.Namespace) -> int | None:
    """--trials, or random search's default when not given (a grid: all its points)."""
    if args.trials is None and args.method == "random":
        return DEFAULT_TRIALS
    return args.trials


def planned_sweep(
    args: argparse.Namespace,
    base: TrainConfig,
    sweep_id: str,
    *,
    engine: str,
    halving: Halving | None = None,
) -> SweepRecord:
    """The sweep these options ask for, its trials drawn (SearchSpecError, SweepError)."""
    plan = SweepPlan(
        sweep_id=sweep_id,
        engine=engine,
        base=base,
        search=args.search,
        method=args.method,
        trials=trials_asked(args),
        grid_points=args.grid_points,
        concurrency=args.concurrency,
        metric=args.metric,
        halving=halving,
    )
    return plan_sweep(plan, seed=base.seed)
