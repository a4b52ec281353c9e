"""``lnn gradcheck``: compare backprop with two-sided differences and print the worst case.

Without ``--layers`` it runs the standard grid (hidden activation x output x L2 x dropout);
with ``--layers`` it checks that one architecture on small seeded data.
"""

import argparse
import itertools
import json

import numpy as np

from functions.nn.data import one_hot
from functions.nn.gradcheck import gradient_check
from functions.nn.initializers import initialize_layer
from functions.nn.network import LayerSpec
from functions.nn.regularization import dropout_mask
from lnn.cli.errors import UsageError
from lnn.cli.options import parse_layers
from messages.train_request import TrainConfig

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu")
OUTPUTS = (("sigmoid", 1), ("softmax", 3), ("linear", 2))
THRESHOLD = 1e-7
MAX_PARAMETERS = 20_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layers", default=None, help="check one architecture instead of the grid")
    p.add_argument("--features", type=int, default=4)
    p.add_argument("--samples", type=int, default=7)
    p.add_argument("--l2", type=float, default=0.0)
    p.add_argument("--dropout", type=float, default=1.0, metavar="KEEP_PROB")
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--epsilon", type=float, default=1e-7)
    p.add_argument("--json", action="store_true")


def check(
    specs: list[LayerSpec],
    *,
    features: int,
    samples: int,
    l2: float,
    keep_prob: float,
    seed: int,
    epsilon: float,
) -> tuple[float, str]:
    rng = np.random.default_rng([seed, 99])
    x = rng.standard_normal((features, samples))
    out = specs[-1]
    if out.activation == "softmax":
        y = one_hot(rng.integers(0, out.units, samples), out.units)
    elif out.activation == "sigmoid":
        y = rng.integers(0, 2, (out.units, samples)).astype(np.float64)
    else:
        y = rng.standard_normal((out.units, samples))
    sizes = [features, *(s.units for s in specs)]
    # xavier keeps pre-activations moderate, so finite differences stay off ReLU kinks.
    params = [
        initialize_layer("xavier", sizes[i + 1], sizes[i], seed=seed, layer=i + 1)
        for i in range(len(specs))
    ]
    params = [(w, b + 0.1 * rng.standard_normal(b.shape)) for w, b in params]
    masks = None
    if keep_prob < 1:
        masks = [
            dropout_mask(
                seed=seed,
                epoch=0,
                batch=0,
                layer=i + 1,
                shape=(s.units, samples),
                keep_prob=keep_prob,
            )
            for i, s in enumerate(specs[:-1])
        ] + [None]
    result = gradient_check(params, x, y, specs, lambd=l2, masks=masks, epsilon=epsilon)
    return result.relative_difference, result.worst_parameter


def check_options(args: argparse.Namespace) -> None:
    """Reject values the check cannot use, as one line instead of a numpy traceback."""
    if args.features < 1 or args.samples < 1:
        raise UsageError("--features and --samples must be at least 1")
    if args.epsilon <= 0 or args.l2 < 0:
        raise UsageError("--epsilon must be > 0 and --l2 >= 0")
    if not 0 < args.dropout <= 1:
        raise UsageError(f"--dropout is a keep probability in (0, 1], got {args.dropout}")


def cmd_gradcheck(args: argparse.Namespace) -> int:
    check_options(args)
    if args.layers:
        # TrainConfig's rules (units >= 1, softmax only at the output) apply here too.
        layers = TrainConfig(dataset="gradcheck", layers=parse_layers(args.layers)).layers
        specs = [LayerSpec(x.units, x.activation) for x in layers]
        sizes = [args.features, *(s.units for s in specs)]
        n_params = sum(sizes[i + 1] * (sizes[i] + 1) for i in range(len(specs)))
        if n_params > MAX_PARAMETERS:
            raise UsageError(
                f"{n_params} parameters is too many to check numerically (limit {MAX_PARAMETERS})"
            )
        cases = [(args.layers, specs, args.l2, args.dropout)]
    else:
        cases = [
            (
                f"5:{h},3:{h},{n}:{o} l2={l2} keep={keep}",
                [LayerSpec(5, h), LayerSpec(3, h), LayerSpec(n, o)],
                l2,
                keep,
            )
            for h, (o, n), l2, keep in itertools.product(HIDDEN, OUTPUTS, (0.0, 0.7), (1.0, 0.8))
        ]
    rows = []
    for name, specs, l2, keep in cases:
        diff, worst = check(
            specs,
            features=args.features,
            samples=args.samples,
            l2=l2,
            keep_prob=keep,
            seed=args.seed,
            epsilon=args.epsilon,
        )
        rows.append({"case": name, "relative_difference": diff, "worst_parameter": worst})
    worst_row = max(rows, key=lambda r: r["relative_difference"])
    passed = worst_row["relative_difference"] < THRESHOLD
    if args.json:
        print(
            json.dumps(
                {"cases": len(rows), "worst": worst_row, "threshold": THRESHOLD, "passed": passed}
            )
        )
    else:
        for row in rows:
            print(f"{row['relative_difference']:.3e}  {row['case']}")
        print(
            f"worst relative difference: {worst_row['relative_difference']:.3e} "
            f"({worst_row['case']}, {worst_row['worst_parameter']}) "
            f"{'< ' if passed else '>= '}{THRESHOLD:g}"
        )
    return 0 if passed else 1
