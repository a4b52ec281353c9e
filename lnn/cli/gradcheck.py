"""``lnn gradcheck``: compare the engines' sharded backprop with two-sided differences.

Without ``--layers`` it runs the standard grid (hidden activation x output x batch norm x L2 x
dropout);
with ``--layers`` it checks that one architecture on small seeded data. Every layer is cut
into ``--shards`` shards (at most one per unit), as the distributed protocol cuts it.
"""

import argparse
import itertools
import json

from functions.nn.layers import LayerSpec
from functions.training.config import layer_specs
from functions.training.gradcheck import gradient_check, seeded_case
from lnn.cli.errors import UsageError
from lnn.cli.options import parse_layers
from lnn.layer_text import BATCH_NORM_OPTION
from messages.train_request import TrainConfig

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu")
# Two sigmoid units (independent binary labels) so that the output layer is sharded too.
OUTPUTS = (("sigmoid", 2), ("softmax", 3), ("linear", 2))
_NORMS = ("", f":{BATCH_NORM_OPTION}")  # hidden layers without and with batch norm
_THRESHOLD = 1e-7
_MAX_PARAMETERS = 20_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layers", default=None, help="check one architecture instead of the grid")
    p.add_argument("--features", type=int, default=4, help="rows of the random X")
    p.add_argument("--samples", type=int, default=7, help="columns of the random X")
    p.add_argument("--l2", type=float, default=0.0, help="L2 lambda (with --layers)")
    p.add_argument(
        "--dropout",
        type=float,
        default=1.0,
        metavar="KEEP_PROB",
        help="keep probability of a fixed mask (with --layers)",
    )
    p.add_argument("--seed", type=int, default=3, help="seed of data, weights and masks")
    p.add_argument("--shards", type=int, default=2, help="shards per layer (at most its units)")
    p.add_argument("--epsilon", type=float, default=1e-7, help="finite-difference step")
    p.add_argument("--json", action="store_true", help="print one JSON line")


def _check_options(args: argparse.Namespace) -> None:
    """Reject values the check cannot use, as one line instead of a numpy traceback."""
    if args.features < 1 or args.samples < 1 or args.shards < 1:
        raise UsageError("--features, --samples and --shards must be at least 1")
    if args.epsilon <= 0 or args.l2 < 0:
        raise UsageError("--epsilon must be > 0 and --l2 >= 0")
    if not 0 < args.dropout <= 1:
        raise UsageError(f"--dropout is a keep probability in (0, 1], got {args.dropout}")


def _specs(layers: str) -> list[LayerSpec]:
    """The layers text's specs; TrainConfig's rules (units >= 1, softmax only at the output,
    batch norm only in hidden layers) and defaults (bn momentum and epsilon) apply."""
    return layer_specs(TrainConfig(dataset="gradcheck", layers=parse_layers(layers)))


def cmd_gradcheck(args: argparse.Namespace) -> int:
    _check_options(args)
    if args.layers:
        specs = _specs(args.layers)
        sizes = [args.features, *(s.units for s in specs)]
        # W, and a column per unit for b (or gamma and beta)
        n_params = sum(sizes[i + 1] * (sizes[i] + len(s.trained) - 1) for i, s in enumerate(specs))
        if n_params > _MAX_PARAMETERS:
            raise UsageError(
                f"{n_params} parameters is too many to check numerically (limit {_MAX_PARAMETERS})"
            )
        cases = [(args.layers, specs, args.l2, args.dropout)]
    else:
        grid = itertools.product(HIDDEN, OUTPUTS, _NORMS, (0.0, 0.7), (1.0, 0.8))
        cases = [
            (f"{layers} l2={l2} keep={keep}", _specs(layers), l2, keep)
            for layers, l2, keep in (
                (f"5:{h}{bn},3:{h}{bn},{n}:{o}", l2, keep) for h, (o, n), bn, l2, keep in grid
            )
        ]
    rows = []
    for name, specs, l2, keep in cases:
        case = seeded_case(
            specs, features=args.features, samples=args.samples, keep_prob=keep, seed=args.seed
        )
        result = gradient_check(
            case.params,
            case.x,
            case.y,
            specs,
            shards=args.shards,
            l2=l2,
            masks=case.masks,
            epsilon=args.epsilon,
        )
        rows.append(
            {
                "case": name,
                "relative_difference": result.relative_difference,
                "worst_parameter": result.worst_parameter,
                "shards_per_layer": list(result.shards_per_layer),
            }
        )
    worst_row = max(rows, key=lambda r: r["relative_difference"])
    passed = worst_row["relative_difference"] < _THRESHOLD
    if args.json:
        print(
            json.dumps(
                {
                    "cases": len(rows),
                    "shards": args.shards,
                    "worst": worst_row,
                    "threshold": _THRESHOLD,
                    "passed": passed,
                }
            )
        )
    else:
        for row in rows:
            print(f"{row['relative_difference']:.3e}  {row['case']}")
        print(
            f"worst relative difference: {worst_row['relative_difference']:.3e} "
            f"({worst_row['case']}, {worst_row['worst_parameter']}, "
            f"shards per layer {worst_row['shards_per_layer']}) "
            f"{'< ' if passed else '>= '}{_THRESHOLD:g}"
        )
    return 0 if passed else 1
