"""The options that make `lnn train`'s options a sweep, shared by `lnn sweep` and
`lnn estimate` (which projects a sweep's time and bill when given --search)."""

import argparse

from lnn.sweep.draws import METHODS
from lnn.sweep.types import METRICS

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
        help=f"trials drawn (random: default {DEFAULT_TRIALS}; grid: every point)",
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
        help="what ranks the trials (default dev_accuracy, train_accuracy without a dev split)",
    )
